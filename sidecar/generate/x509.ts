// Builds X.509 v3 certificates: TBSCertificate in forge ASN.1, signed by node:crypto. Pure but for
// the random serial. Keys are node:crypto KeyObjects; no JavaScript big-number code is involved.
import crypto from 'node:crypto';
import { ipBytes, isIP } from '../pkix/ip.js';
import { Class, Type, build, parseDer, toDer, type Asn1 } from '../pkix/asn1.js';

export const OIDS = {
  cn: '2.5.4.3',
  o: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  /** ASP.NET Core's HTTPS development certificate marker; its value is one version byte. */
  aspNetHttps: '1.3.6.1.4.1.311.84.1.1',
};
/** The version `dotnet dev-certs` of .NET 10 writes. Kestrel only checks that the extension exists. */
export const ASPNET_DEV_CERT_VERSION = 6;

export interface CertSpec {
  subject: { cn: string; o?: string };
  /** The issuing CA; omit for a self-signed certificate (then issuer = subject). */
  issuerCert?: crypto.X509Certificate;
  notBefore: Date;
  notAfter: Date;
  publicKey: crypto.KeyObject;
  signingKey: crypto.KeyObject;
  ca: boolean;
  /** DNS names and IP addresses, for a leaf. */
  sans?: string[];
  aspNetDevCert?: boolean;
}

function name(n: { cn: string; o?: string }): Asn1 {
  const rdn = (oid: string, v: string) => build.set(build.seq(build.oid(oid), build.utf8(v)));
  return build.seq(...(n.o ? [rdn(OIDS.o, n.o)] : []), rdn(OIDS.cn, n.cn));
}

function extension(oid: string, critical: boolean, value: Asn1 | Buffer): Asn1 {
  const der = Buffer.isBuffer(value) ? value : toDer(value);
  return build.seq(build.oid(oid), ...(critical ? [build.bool(true)] : []), build.octets(der));
}

/** KeyUsage as a DER BIT STRING: named bits from the top, trailing zero bits dropped (X.690 11.2.2). */
function keyUsageBits(bits: number[]): Asn1 {
  let value = 0;
  for (const b of bits) value |= 0x80 >> b;
  let unused = 0;
  while (unused < 8 && !(value & (1 << unused))) unused++;
  return {
    tagClass: Class.UNIVERSAL,
    type: Type.BITSTRING,
    constructed: false,
    composed: false,
    value: String.fromCharCode(unused, value),
  } as Asn1;
}
const KU = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

function sanExtension(sans: string[]): Asn1 {
  const names = sans.map((s) => {
    const ip = s.replace(/^\[|\]$/g, '');
    return isIP(ip) ? build.implicit(7, ipBytes(ip)) : build.implicit(2, Buffer.from(s.toLowerCase(), 'ascii'));
  });
  return build.seq(...names);
}

/** The subject Name of a certificate, byte for byte, so issuer and subject match exactly (RFC 5280 7.1). */
function subjectName(cert: crypto.X509Certificate): Asn1 {
  const tbs = (parseDer(cert.raw, 'a CA certificate').value as Asn1[])[0]!.value as Asn1[];
  return tbs[5]!; // version, serial, signature, issuer, validity, subject
}

/** The id of the ASP.NET Core development-certificate extension, as it appears in DER. */
export const ASPNET_HTTPS_OID_DER = Buffer.from('060a2b0601040182375401 01'.replace(/ /g, ''), 'hex');

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING. */
export function keyIdentifier(publicKey: crypto.KeyObject): Buffer {
  const spki = parseDer(publicKey.export({ type: 'spki', format: 'der' }), 'a public key');
  const bits = (spki.value as Asn1[])[1]!.value as string;
  return crypto.createHash('sha1').update(Buffer.from(bits, 'latin1').subarray(1)).digest();
}

function signatureAlgorithm(key: crypto.KeyObject): { alg: Asn1; hash: string } {
  if (key.asymmetricKeyType === 'ec') {
    const p384 = key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
    return {
      alg: build.seq(build.oid(p384 ? '1.2.840.10045.4.3.3' : '1.2.840.10045.4.3.2')),
      hash: p384 ? 'sha384' : 'sha256',
    };
  }
  return { alg: build.seq(build.oid('1.2.840.113549.1.1.11'), build.null()), hash: 'sha256' };
}

export function buildCertificate(spec: CertSpec): crypto.X509Certificate {
  const ski = keyIdentifier(spec.publicKey);
  const rsa = spec.publicKey.asymmetricKeyType === 'rsa';
  const exts: Asn1[] = spec.ca
    ? [
        extension(OIDS.basicConstraints, true, build.seq(build.bool(true), build.int(0))),
        extension(OIDS.keyUsage, true, keyUsageBits([KU.digitalSignature, KU.keyCertSign, KU.cRLSign])),
      ]
    : [
        extension(OIDS.basicConstraints, true, build.seq()),
        extension(
          OIDS.keyUsage,
          true,
          keyUsageBits(rsa ? [KU.digitalSignature, KU.keyEncipherment] : [KU.digitalSignature]),
        ),
        extension(OIDS.extKeyUsage, false, build.seq(build.oid(OIDS.serverAuth))),
        extension(OIDS.subjectAltName, false, sanExtension(spec.sans ?? [])),
      ];
  exts.push(extension(OIDS.subjectKeyId, false, build.octets(ski)));
  if (spec.issuerCert)
    exts.push(
      extension(OIDS.authorityKeyId, false, build.seq(build.implicit(0, keyIdentifier(spec.issuerCert.publicKey)))),
    );
  if (spec.aspNetDevCert) exts.push(extension(OIDS.aspNetHttps, false, Buffer.from([ASPNET_DEV_CERT_VERSION])));

  // A positive 127-bit serial: unique without coordination, as RFC 5280 and CA/B rules ask.
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01;
  const sig = signatureAlgorithm(spec.signingKey);
  const tbs = build.seq(
    build.explicit(0, build.int(2)),
    build.int(serial),
    sig.alg,
    spec.issuerCert ? subjectName(spec.issuerCert) : name(spec.subject),
    build.seq(build.time(spec.notBefore), build.time(spec.notAfter)),
    name(spec.subject),
    build.raw(spec.publicKey.export({ type: 'spki', format: 'der' })),
    build.explicit(3, build.seq(...exts)),
  );
  const tbsDer = toDer(tbs);
  const signature = crypto.sign(sig.hash, tbsDer, spec.signingKey);
  return new crypto.X509Certificate(toDer(build.seq(tbs, sig.alg, build.bits(signature))));
}
