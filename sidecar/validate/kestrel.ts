// Kestrel's own rules: what stops Kestrel (or .NET under it) although OpenSSL's verifier accepts the
// chain. Each rule names the Kestrel or .NET source it comes from. Pure.
import type { X509Certificate } from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import { ASPNET_HTTPS_OID_DER } from '../generate/x509.js';
import { MAX_RSA_BITS } from '../limits.js';
import type { Material } from '../material.js';
import { certName, oneLine, subjectOf } from '../pkix/x509info.js';

export interface KestrelOptions {
  /** KCS_KESTREL_FORMAT: what kestrel.env points Kestrel at. */
  kestrelFormat?: 'pem' | 'pfx';
  /** KCS_APP_NAME is set: the Development-certificate layout is published. */
  devLayout?: boolean;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const KEY_OIDS: Record<string, string> = { ed25519: '1.3.101.112', ed448: '1.3.101.113', dsa: '1.2.840.10040.4.1' };

/** The key types Kestrel serves with. */
function checkKey(m: Material, file: string | undefined): Finding[] {
  const type = String(m.leaf.publicKey.asymmetricKeyType);
  const name = certName(m.leaf);
  if (type === 'rsa-pss') {
    // CertificateConfigLoader.LoadCertificateKey (aspnetcore src/Servers/Kestrel/Core/src/Internal/
    // Certificates/CertificateConfigLoader.cs) knows the rsaEncryption, id-ecPublicKey and DSA OIDs only;
    // any other throws UnrecognizedCertificateKeyOid. Seen with .NET 10 for a PFX too: "Key is not a
    // valid public or private key".
    return [finding(messages.UNSUPPORTED_ALGORITHM.rsaPss({ name }), 'error', file)];
  }
  if (type === 'rsa') {
    const bits = m.leaf.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits <= MAX_RSA_BITS) return [];
    return [finding(messages.UNSUPPORTED_ALGORITHM.rsaTooLarge({ name, bits }), 'error', file)];
  }
  if (type === 'ec') return [];
  // SslStreamCertificateContext on Linux (dotnet/runtime src/libraries/System.Net.Security/src/System/
  // Net/Security/SslStreamCertificateContext.Linux.cs) takes an RSA or an ECDSA key and throws
  // NotSupportedException for any other; CertificateConfigLoader.cs refuses other key OIDs before that.
  // Seen with .NET 10: "Unknown algorithm for certificate with public key type '1.3.101.112'" (Ed25519).
  const oid = KEY_OIDS[type];
  return [finding(messages.UNSUPPORTED_ALGORITHM.keyType({ name, type, oid }), 'error', file)];
}

/**
 * CertificateLoader.IsCertificateAllowedForServerAuth (aspnetcore src/Servers/Kestrel/Core/src/
 * CertificateLoader.cs): with an extendedKeyUsage extension, serverAuth must be in it;
 * anyExtendedKeyUsage does not count. HttpsConnectionMiddleware.EnsureCertificateIsAllowedForServerAuth
 * (src/Servers/Kestrel/Core/src/Middleware/HttpsConnectionMiddleware.cs) throws at start otherwise.
 */
function checkServerAuth(leaf: X509Certificate, file: string | undefined): Finding[] {
  const eku = leaf.keyUsage; // node:crypto's name for the extendedKeyUsage OIDs
  if (!eku || eku.includes(SERVER_AUTH)) return [];
  return [
    finding(
      messages.NOT_SERVER_AUTH.kestrel({ name: certName(leaf), usages: eku, serverAuth: SERVER_AUTH }),
      'error',
      file,
    ),
  ];
}

/**
 * What depends on how Kestrel is pointed at the set, so that `check` reports it as `init` would.
 * - KCS_KESTREL_FORMAT=pfx with intermediates: seen with .NET 10 on Linux, Kestrel serves only the
 *   leaf of a PFX, even when the PFX holds the chain, while it sends every certificate of a PEM Path.
 * - The Development layout (KCS_APP_NAME): Kestrel's development-certificate lookup takes the PFX in
 *   $APPDATA/ASP.NET/https only when it has subject CN=localhost and the ASP.NET Core HTTPS
 *   development extension (CertificateManager.IsHttpsDevelopmentCertificate, aspnetcore
 *   src/Shared/CertificateGeneration/CertificateManager.cs); seen with .NET 10: a CN=localhost
 *   certificate from openssl or keytool without it fails with "No server certificate was specified,
 *   and the default developer certificate could not be found".
 */
function checkLayout(m: Material, chain: X509Certificate[], opts: KestrelOptions): Finding[] {
  const out: Finding[] = [];
  if (opts.kestrelFormat === 'pfx' && chain.length > 1) {
    out.push(finding(messages.KESTREL_PFX_CHAIN.leafOnly({ intermediate: oneLine(subjectOf(chain[1]!)) }), 'warning'));
  }
  if (!opts.devLayout || m.source.kind === 'generated') return out;
  const missing = [
    ...(subjectOf(m.leaf) !== 'CN=localhost'
      ? [`its subject is ${oneLine(subjectOf(m.leaf)) || 'empty'}, not CN=localhost`]
      : []),
    ...(!m.leaf.raw.includes(ASPNET_HTTPS_OID_DER)
      ? ['it lacks the ASP.NET Core HTTPS development extension (OID 1.3.6.1.4.1.311.84.1.1)']
      : []),
  ];
  if (missing.length) {
    out.push(finding(messages.NOT_DEV_CERT.notDev({ source: m.source.files[0], missing }), 'error', m.source.files[0]));
  }
  return out;
}

/** Every Kestrel rule, for the material and the chain that would be published. */
export function kestrelRules(
  m: Material,
  chain: X509Certificate[],
  opts: KestrelOptions,
  file: string | undefined,
): Finding[] {
  return [...checkKey(m, file), ...checkServerAuth(m.leaf, file), ...checkLayout(m, chain, opts)];
}
