// The bag limit (limits.ts MAX_PFX_BAGS) inside nested SafeContents, where the top-level count in
// walkSafeContents never sees the bags, and the one code it raises wherever it is hit. The PFX is built
// with node-forge's own ASN.1 writer, not ours.
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { MAX_PFX_BAGS } from '../../../sidecar/limits.js';
import { parsePkcs12 } from '../../../sidecar/load/pkcs12.js';

const { asn1 } = forge;
const SEQ = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const OID = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const EXPLICIT0 = (inner: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const OCTETS = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const der = (node: forge.asn1.Asn1) => asn1.toDer(node).getBytes();

/** A crlBag (PKCS#12 bag 1.2.840.113549.1.12.10.1.4): read and set aside, it carries nothing for Kestrel. */
const crlBag = () => SEQ([OID('1.2.840.113549.1.12.10.1.4'), EXPLICIT0(SEQ([OID('1.2.3.4'), EXPLICIT0(OCTETS('x'))]))]);
/** A safeContentsBag (1.2.840.113549.1.12.10.1.6) holding `count` CRL bags. */
const nestedBag = (count: number) =>
  SEQ([OID('1.2.840.113549.1.12.10.1.6'), EXPLICIT0(SEQ(Array.from({ length: count }, crlBag)))]);

/** A PFX v3 without MAC or encryption whose one data part holds `outer` (a SafeContents). */
function pfxOf(outer: forge.asn1.Asn1): Buffer {
  const data = (bytes: string) => SEQ([OID('1.2.840.113549.1.7.1'), EXPLICIT0(OCTETS(bytes))]);
  const authSafe = der(SEQ([data(der(outer))]));
  const version = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x03');
  return Buffer.from(der(SEQ([version, data(authSafe)])), 'latin1');
}

function refusal(bytes: Buffer): KcsError {
  try {
    parsePkcs12(bytes, undefined);
  } catch (err) {
    if (err instanceof KcsError) return err;
    throw err;
  }
  throw new Error('parsePkcs12 accepted the file');
}

describe('parsePkcs12 counts the bags inside nested SafeContents', () => {
  it(`refuses one safeContentsBag holding ${MAX_PFX_BAGS} bags (${MAX_PFX_BAGS + 1} in all)`, () => {
    expect(MAX_PFX_BAGS).toBe(400);
    const err = refusal(pfxOf(SEQ([nestedBag(MAX_PFX_BAGS)])));
    expect(err.message).toBe('FILE_TOO_LARGE the PFX holds more than 400 bags');
    expect(err.finding.hint).toBe(
      'export only the server certificate, its chain and its key (a real PFX holds a handful of bags)',
    );
  });

  it('raises the one limit as one code, in the same words, at the top level and inside nested SafeContents', () => {
    const top = refusal(pfxOf(SEQ(Array.from({ length: MAX_PFX_BAGS + 1 }, crlBag))));
    const nested = refusal(pfxOf(SEQ([nestedBag(MAX_PFX_BAGS)])));
    expect(top.finding).toEqual(nested.finding);
    expect(top.code).toBe('FILE_TOO_LARGE');
    expect(top.exitCode).toBe(4);
  });

  it('refuses bags split between a nested SafeContents and the top level that add up past the limit', () => {
    const top = Array.from({ length: 200 }, crlBag);
    const err = refusal(pfxOf(SEQ([...top, nestedBag(MAX_PFX_BAGS - 200)])));
    expect(err.message).toBe('FILE_TOO_LARGE the PFX holds more than 400 bags');
  });

  const inAll = `${MAX_PFX_BAGS} in all`;
  it(`opens one safeContentsBag holding ${MAX_PFX_BAGS - 1} bags (${inAll}): nothing for Kestrel in it`, () => {
    const { certs, keys, info } = parsePkcs12(pfxOf(SEQ([nestedBag(MAX_PFX_BAGS - 1)])), undefined);
    expect(certs).toEqual([]);
    expect(keys).toEqual([]);
    expect(info.opened).toBe('none');
    expect(info.modernShape).toBe(false);
  });

  it('refuses SafeContents nested more than 4 deep', () => {
    let inner = SEQ([crlBag()]);
    for (let i = 0; i < 6; i++) inner = SEQ([SEQ([OID('1.2.840.113549.1.12.10.1.6'), EXPLICIT0(inner)])]);
    expect(refusal(pfxOf(inner)).message).toBe('FILE_CORRUPT safe contents are nested more than 4 deep');
  });
});
