// Key and certificate files that OpenSSL reads but .NET does not, as Kestrel loads them: a
// `Path` + `KeyPath` pair goes through CertificateConfigLoader.LoadCertificate (dotnet/aspnetcore,
// src/Servers/Kestrel/Core/src/Internal/Certificates/CertificateConfigLoader.cs), which takes
// `new X509Certificate2(Path)` (the first certificate of the file), imports the key with
// `ImportFromPem` (no password) or `ImportFromEncryptedPem` (dotnet/runtime PemKeyHelpers.cs), and pairs
// them with `CopyWithPrivateKey`. What init publishes is always readable there (tls.key is unencrypted
// PKCS#8 with a named curve, tls.crt starts with the leaf), so each finding here is about the source
// as it is, used directly, and says so; only a key .NET could never pair is refused.
import crypto from 'node:crypto';
import path from 'node:path';
import { fail, finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import { Class, Type, parseDer, seq } from '../pkix/asn1.js';
import { type Located, subjectLine } from './pick.js';

/** OpenSSL's curve names, as the NIST names users know them by. */
const NIST: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** True when an EC key's AlgorithmIdentifier carries ECParameters (a SEQUENCE) instead of a named
 *  curve's OID (RFC 5480 section 2.1.1). */
function hasExplicitCurve(key: crypto.KeyObject): boolean {
  if (key.asymmetricKeyType !== 'ec') return false;
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const [, alg] = seq(parseDer(der, 'the private key'), 'the private key', 3);
  const params = seq(alg, 'the key algorithm', 1)[1];
  return params?.tagClass === Class.UNIVERSAL && params.type === Type.SEQUENCE;
}

/**
 * An EC key that gives its curve by explicit parameters. .NET imports it with an explicit curve and
 * the certificate's public key with the named one, and Helpers.AreSamePublicECParameters
 * (dotnet/runtime, called by ECDsaCertificateExtensions.CopyWithPrivateKey) refuses two curve types:
 * Kestrel stops with "The provided key does not match the public key for this certificate." Seen with
 * .NET 10 for a SEC1 and a PKCS#8 explicit key, beside a
 * certificate with a named and with an explicit curve alike; the same key written with the named
 * curve is served in every case. OpenSSL names the curve when the parameters are exactly a known
 * curve's (EC_GROUP_check_named_curve), so the key is rewritten with that name; parameters of no
 * known curve cannot be used.
 */
export function withNamedCurve(key: Located<crypto.KeyObject>): { key: crypto.KeyObject; findings: Finding[] } {
  if (!hasExplicitCurve(key.value)) return { key: key.value, findings: [] };
  const curve = key.value.asymmetricKeyDetails?.namedCurve;
  if (curve === undefined) {
    fail(messages.UNSUPPORTED_ALGORITHM.explicitCurve({ keyFile: key.file }), key.file);
  }
  const named = crypto.createPrivateKey({ key: key.value.export({ format: 'jwk' }), format: 'jwk' });
  return {
    key: named,
    findings: [
      finding(
        messages.KEY_REENCODED.explicitCurve({
          file: key.file,
          curve: NIST[curve] ?? curve,
          base: path.basename(key.file),
        }),
        'info',
        key.file,
      ),
    ],
  };
}

/**
 * OpenSSL's traditional PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`). .NET's PemEncoding
 * takes only RFC 7468 PEM, which has no headers, and ImportFromEncryptedPem looks only for
 * `ENCRYPTED PRIVATE KEY` (PemKeyHelpers.ImportEncryptedPem): seen with .NET 10, Kestrel stops with
 * "No supported key formats were found", with and without a Password. The sidecar decrypts it itself.
 */
export function traditionalKeyFinding(file: string): Finding {
  return finding(messages.KEY_REENCODED.traditional({ file, base: path.basename(file) }), 'info', file);
}

/**
 * Kestrel pairs the key with the first certificate of its Path (`new X509Certificate2(path)` in
 * CertificateConfigLoader.GetCertificate): a bundle that starts with an issuer fails CopyWithPrivateKey
 * with "The provided key does not match ..." (seen with .NET 10). The published tls.crt starts with the leaf.
 */
export function leafNotFirstFinding(
  leaf: crypto.X509Certificate,
  leafFile: string,
  inFile: crypto.X509Certificate[] | undefined,
): Finding[] {
  const first = inFile?.[0];
  if (!first || first.fingerprint256 === leaf.fingerprint256) return [];
  const name = subjectLine(first);
  return [finding(messages.LEAF_NOT_FIRST.issuerFirst({ file: leafFile, first: name }), 'info', leafFile)];
}
