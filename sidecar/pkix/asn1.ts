// ASN.1 on node-forge's DER codec: a bounded parser and small typed readers and builders.
// Readers throw KcsError(FILE_CORRUPT) with the structure that was expected, never a TypeError.
import forge from 'node-forge/lib/forge.js';
// asn1.js loads util.js and oids.js itself. Importing those too would make the bundle copy every
// export of each (oids.js has ~600) into an ES module namespace on every start.
import 'node-forge/lib/asn1.js';
import { type KcsError, raise } from '../findings.js';
import { messages } from '../messages/index.js';
import { MAX_ASN1_DEPTH } from '../limits.js';

export type Asn1 = forge.asn1.Asn1;
const asn1 = forge.asn1;
const { Class, Type } = asn1;

export function corrupt(why: string, cause?: unknown): KcsError {
  return raise(messages.FILE_CORRUPT.parse({ why }), undefined, cause);
}

/** Parses one complete DER (or BER) value. Trailing bytes, truncation and excess depth are FILE_CORRUPT. */
export function parseDer(der: Uint8Array, what: string): Asn1 {
  try {
    return asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('latin1')), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
      maxDepth: MAX_ASN1_DEPTH,
    } as unknown as boolean);
  } catch (err) {
    const reason =
      err instanceof RangeError
        ? 'it nests too deeply'
        : String((err as Error).message ?? err).replace(/^ASN\.1 parsing error: /, '');
    throw corrupt(`${what} is not valid ASN.1 (${reason.replace(/\.$/, '')})`, err);
  }
}

export function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'latin1');
}

// ---- readers ----

function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw corrupt(`${what} is missing or not a structure`);
  return node.value;
}

export function seq(node: Asn1 | undefined, what: string, min = 0): Asn1[] {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== Type.SEQUENCE || !node.constructed) {
    throw corrupt(`${what} is not a SEQUENCE`);
  }
  const items = children(node, what);
  if (items.length < min) throw corrupt(`${what} has ${items.length} fields, expected at least ${min}`);
  return items;
}

/** The content of an explicit context tag [n]. */
export function explicit(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!node || node.tagClass !== Class.CONTEXT_SPECIFIC || node.type !== tag)
    throw corrupt(`${what} is missing its [${tag}] tag`);
  const inner = children(node, what)[0];
  if (!inner) throw corrupt(`${what} is empty`);
  return inner;
}

export function oid(node: Asn1 | undefined, what: string): string {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== Type.OID || typeof node.value !== 'string') {
    throw corrupt(`${what} is not an OBJECT IDENTIFIER`);
  }
  return asn1.derToOid(node.value);
}

/** A non-negative INTEGER up to 2^53. Larger values are reported as Infinity, so limits refuse them. */
export function uint(node: Asn1 | undefined, what: string): number {
  if (
    !node ||
    node.tagClass !== Class.UNIVERSAL ||
    node.type !== Type.INTEGER ||
    typeof node.value !== 'string' ||
    node.value.length === 0
  ) {
    throw corrupt(`${what} is not an INTEGER`);
  }
  const bytes = Buffer.from(node.value, 'latin1');
  if (bytes[0]! & 0x80) return -1;
  let n = 0;
  for (const b of bytes) {
    n = n * 256 + b;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

/** An OCTET STRING, primitive or constructed (BER splits long ones into pieces). */
export function octets(
  node: Asn1 | undefined,
  what: string,
  tagClass: number = Class.UNIVERSAL,
  type: number = Type.OCTETSTRING,
): Buffer {
  if (!node || node.tagClass !== tagClass || node.type !== type) throw corrupt(`${what} is not an OCTET STRING`);
  if (typeof node.value === 'string') return Buffer.from(node.value, 'latin1');
  return Buffer.concat(node.value.map((part) => octets(part, what)));
}

export interface AlgorithmIdentifier {
  oid: string;
  params: Asn1 | undefined;
}

export function algorithm(node: Asn1 | undefined, what: string): AlgorithmIdentifier {
  const [id, params] = seq(node, what, 1);
  return { oid: oid(id, `${what} algorithm`), params };
}

// ---- builders ----

export const build = {
  seq: (...items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items),
  set: (...items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, Type.SET, true, items),
  oid: (id: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(id).getBytes()),
  null: (): Asn1 => asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
  bool: (v: boolean): Asn1 => asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, v ? '\xff' : '\x00'),
  int: (n: number | Buffer): Asn1 => {
    let bytes: Buffer;
    if (typeof n === 'number') {
      const hex = n.toString(16);
      bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    } else bytes = n;
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, bytes.toString('latin1'));
  },
  octets: (b: Uint8Array): Asn1 =>
    asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, Buffer.from(b).toString('latin1')),
  bits: (b: Uint8Array): Asn1 =>
    asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\x00${Buffer.from(b).toString('latin1')}`),
  utf8: (s: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.UTF8, false, Buffer.from(s, 'utf8').toString('latin1')),
  // node-forge keeps a BMPString as text: its toDer writes each UTF-16 unit as two bytes (asn1.js,
  // `putInt16(charCodeAt(i))`), as its fromDer reads them back, so the text goes in as it is.
  bmp: (s: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.BMPSTRING, false, s),
  ia5: (s: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.IA5STRING, false, s),
  /** An explicit [n] wrapper around one value. */
  explicit: (tag: number, inner: Asn1): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]),
  /** An implicit primitive [n] with raw content bytes. */
  implicit: (tag: number, content: Uint8Array): Asn1 =>
    asn1.create(Class.CONTEXT_SPECIFIC, tag, false, Buffer.from(content).toString('latin1')),
  time: (d: Date): Asn1 => {
    // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    const iso = d
      .toISOString()
      .replace(/[-:T]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    return d.getUTCFullYear() < 2050
      ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, iso.slice(2))
      : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, iso);
  },
  /** Already-encoded DER, embedded as a node. */
  raw: (der: Uint8Array): Asn1 => parseDer(der, 'embedded DER'),
};

export { Class, Type };
