// Java and Bouncy Castle keystores that are not PKCS#12: recognised by their first bytes, so the
// finding names the format and the one command that converts it, instead of calling the file damaged.
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';

const KEYSTORES: { name: string; test: (b: Buffer) => boolean; type: string }[] = [
  // JKS and JCEKS: a 4-byte magic number, then the version (1 or 2).
  { name: 'a Java KeyStore (JKS)', type: 'JKS', test: (b) => b.length >= 8 && b.readUInt32BE(0) === 0xfeedfeed },
  { name: 'a Java JCEKS keystore', type: 'JCEKS', test: (b) => b.length >= 8 && b.readUInt32BE(0) === 0xcececece },
  // BKS (Bouncy Castle): version 1 or 2, then a 20-byte salt with its length.
  {
    name: 'a Bouncy Castle keystore (BKS)',
    type: 'BKS',
    test: (b) => b.length >= 32 && (b.readUInt32BE(0) === 1 || b.readUInt32BE(0) === 2) && b.readUInt32BE(4) === 20,
  },
];

/** Throws UNSUPPORTED_FORMAT for a keystore Kestrel cannot read; returns for anything else. */
export function refuseKeystore(bytes: Buffer, file: string): void {
  const k = KEYSTORES.find((x) => x.test(bytes));
  if (!k) return;
  fail(messages.UNSUPPORTED_FORMAT.keystore({ file, name: k.name, type: k.type }), file);
}
