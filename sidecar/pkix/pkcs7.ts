// The certificates of a PKCS#7 (RFC 2315) / CMS (RFC 5652) SignedData: the `.p7b`/`.p7c` files that
// Windows' certificate export, DigiCert, Sectigo and `openssl crl2pkcs7 -nocrl` write to carry a chain.
// Bytes in, certificate DER out; nothing else of the structure is used (no signature is checked: a
// "certs-only" file has no signers).
import { corrupt, oid, parseDer, seq, toDer, Class, Type, type Asn1 } from './asn1.js';
import { CONTENT_TYPE } from './oids.js';

export interface Pkcs7Certs {
  certs: Buffer[];
  /** Entries of the certificate set that are not X.509 certificates (attribute certificates, [n]). */
  others: number;
}

/** True when `der` is a ContentInfo of type signedData (checked before a DER file is read as a key). */
export function isPkcs7(der: Uint8Array): boolean {
  // 30 len 06 09 2a 86 48 86 f7 0d 01 07 02: SEQUENCE { OID 1.2.840.113549.1.7.2 ... }, length form aside.
  const b = Buffer.from(der);
  const at = b[1]! & 0x80 ? 2 + (b[1]! & 0x7f) : 2;
  return b[0] === 0x30 && b.subarray(at, at + 11).equals(SIGNED_DATA_OID_TLV);
}
const SIGNED_DATA_OID_TLV = Buffer.from('06092a864886f70d010702', 'hex');

/**
 * ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET, contentInfo, certificates [0] IMPLICIT SET OPTIONAL,
 *                           crls [1] IMPLICIT OPTIONAL, signerInfos SET }
 */
export function pkcs7Certificates(der: Uint8Array): Pkcs7Certs {
  const [type, content] = seq(parseDer(der, 'the PKCS#7 file'), 'the PKCS#7 ContentInfo', 1);
  const contentType = oid(type, 'the PKCS#7 content type');
  if (contentType !== CONTENT_TYPE.signedData)
    throw corrupt(`the PKCS#7 file holds content of type ${contentType}, not signedData (a certificate chain)`);
  if (!content || content.tagClass !== Class.CONTEXT_SPECIFIC || content.type !== 0 || !Array.isArray(content.value))
    throw corrupt('the PKCS#7 signedData has no content');
  const fields = seq(content.value[0], 'the PKCS#7 signedData', 4);
  const set = fields.find((f) => f.tagClass === Class.CONTEXT_SPECIFIC && f.type === 0);
  const out: Pkcs7Certs = { certs: [], others: 0 };
  if (!set) return out;
  if (!Array.isArray(set.value)) throw corrupt('the certificates of the PKCS#7 file are not a set');
  for (const choice of set.value as Asn1[]) {
    // CertificateChoices: a Certificate is a SEQUENCE; [0]..[3] are PKCS#6 extended and attribute certificates.
    if (choice.tagClass === Class.UNIVERSAL && choice.type === Type.SEQUENCE) out.certs.push(toDer(choice));
    else out.others++;
  }
  return out;
}
