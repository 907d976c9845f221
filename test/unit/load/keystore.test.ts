// refuseKeystore (sidecar/load/keystore.ts): the Java and Bouncy Castle keystores Kestrel cannot read are
// refused by their first bytes with UNSUPPORTED_FORMAT, naming the format and keytool's conversion, and
// nothing else is. JKS and JCEKS files are made by Java's keytool (keystores.ts); no BKS writer is
// installed here, so BKS files are its header as Bouncy Castle's BcKeyStoreSpi writes it (version, then a
// 20-byte salt with its length) followed by bytes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { raise } from '../../../sidecar/findings.js';
import { refuseKeystore } from '../../../sidecar/load/keystore.js';
import { messages } from '../../../sidecar/messages/index.js';
import { failure, readFixture } from '../../support/helpers.js';
import { keytoolStore, withKeytool } from './keystores.js';

const FILE = '/certs/server.keystore';
const refused = (name: string, type: string) =>
  raise(messages.UNSUPPORTED_FORMAT.keystore({ file: FILE, name, type }), FILE).finding;
const refusal = (bytes: Buffer) => failure(() => refuseKeystore(bytes, FILE)).finding;
/** `words` (32-bit big-endian) followed by `rest` zero bytes. */
const header = (words: number[], rest: number) => {
  const b = Buffer.alloc(words.length * 4 + rest);
  for (const [i, w] of words.entries()) b.writeUInt32BE(w, i * 4);
  return b;
};

describe('refuseKeystore', () => {
  it.runIf(withKeytool)("refuses keytool's JKS keystore, naming it and the keytool command", () => {
    const f = refusal(fs.readFileSync(keytoolStore('JKS', ['server'])));
    expect(f).toEqual(refused('a Java KeyStore (JKS)', 'JKS'));
    expect(f.message).toBe(
      'cannot read /certs/server.keystore: it is a Java KeyStore (JKS), which neither Kestrel nor OpenSSL reads',
    );
    expect(f.hint).toBe(
      "convert it to PKCS#12 with Java's keytool: keytool -importkeystore -srckeystore /certs/server.keystore " +
        '-srcstoretype JKS -destkeystore keystore.p12 -deststoretype PKCS12, then mount keystore.p12',
    );
  });

  it.runIf(withKeytool)("refuses keytool's JCEKS keystore", () => {
    expect(refusal(fs.readFileSync(keytoolStore('JCEKS', ['server'])))).toEqual(
      refused('a Java JCEKS keystore', 'JCEKS'),
    );
  });

  it('refuses a Bouncy Castle keystore of version 1 or 2, and says to load the provider', () => {
    for (const version of [1, 2]) {
      expect(refusal(header([version, 20], 24))).toEqual(refused('a Bouncy Castle keystore (BKS)', 'BKS'));
    }
    expect(refusal(header([2, 20], 24)).hint).toContain(
      '-srcstoretype BKS -srcprovidername BC (with the Bouncy Castle provider on the class path) -destkeystore',
    );
  });

  it('reads the magic number only from a file long enough to hold it with its version', () => {
    expect(refusal(header([0xfeedfeed, 2], 0))).toEqual(refused('a Java KeyStore (JKS)', 'JKS'));
    expect(refusal(header([0xcececece, 2], 0))).toEqual(refused('a Java JCEKS keystore', 'JCEKS'));
    expect(refusal(header([2, 20], 24))).toEqual(refused('a Bouncy Castle keystore (BKS)', 'BKS'));
    // One byte short of each: not a keystore, whatever its first bytes say.
    expect(() => refuseKeystore(header([0xfeedfeed], 3), FILE)).not.toThrow();
    expect(() => refuseKeystore(header([0xcececece], 3), FILE)).not.toThrow();
    expect(() => refuseKeystore(header([2, 20], 23), FILE)).not.toThrow();
  });

  it('takes a BKS header only with version 1 or 2 and a 20-byte salt', () => {
    for (const words of [
      [0, 20],
      [3, 20],
      [1, 21],
      [2, 19],
      [0x30820a0b, 20],
    ]) {
      expect(() => refuseKeystore(header(words, 24), FILE), words.join()).not.toThrow();
    }
  });

  it.runIf(withKeytool)('returns for a PFX, a PEM file and a DER certificate', () => {
    for (const f of ['openssl3-default.pfx', 'keytool.p12', 'rsa2048.crt', 'rsa2048.key']) {
      expect(refuseKeystore(readFixture(f), FILE)).toBeUndefined();
    }
    expect(refuseKeystore(fs.readFileSync(keytoolStore('PKCS12', ['server'])), FILE)).toBeUndefined();
    const der = new crypto.X509Certificate(readFixture('rsa2048.crt')).raw;
    expect(refuseKeystore(der, FILE)).toBeUndefined();
  });
});
