// OpenSSL's own verdict on a chain, from the verifier itself rather than from a re-implementation of it:
// one TLS handshake between two in-memory sockets (node:stream duplexPair, no network). The server side
// holds the chain Kestrel would send and the key; the client side trusts only the anchors and verifies
// as OpenSSL clients do (X509_verify_cert with the ssl_server purpose, which a TLS client sets). A
// completed handshake also proves that the key signs for the certificate (TLS 1.3 CertificateVerify).
//
// The client runs at OpenSSL security level 2, as Debian's openssl.cnf sets for the openssl binary,
// curl, Python and .NET (Node's bundled OpenSSL defaults to level 1): RSA keys under 2048 bits and SHA-1
// signatures are refused there (CA_KEY_TOO_SMALL, EE_KEY_TOO_SMALL, CA_MD_TOO_WEAK).
import type { KeyObject, X509Certificate } from 'node:crypto';

export interface Verdict {
  /** OpenSSL's verify result as Node names it (authorizationError.code: INVALID_CA, ...), if any. */
  code?: string;
  /** X509_verify_cert_error_string of that result: "invalid CA certificate". */
  reason?: string;
  /** The handshake itself failed (the key cannot sign anything this client accepts). */
  handshake?: string;
}

export interface VerifyInput {
  /** What the server sends: the leaf, then its issuers. */
  chain: readonly X509Certificate[];
  key: KeyObject;
  /** What the client trusts. */
  anchors: readonly X509Certificate[];
  /** Trust an anchor that is not self-signed as the end of the chain (X509_V_FLAG_PARTIAL_CHAIN). */
  partialChain?: boolean;
}

const SECURITY_LEVEL_2 = 'DEFAULT:@SECLEVEL=2';
const pem = (certs: readonly X509Certificate[]) => certs.map((c) => c.toString()).join('');

export function opensslVerdict(input: VerifyInput): Promise<Verdict> {
  // Loaded here, on the first verdict: node:tls costs every start of the commands that never verify.
  const tls = process.getBuiltinModule('node:tls');
  const { duplexPair } = process.getBuiltinModule('node:stream');
  return new Promise((resolve) => {
    const sockets: { destroy(): void }[] = [];
    const done = (v: Verdict) => {
      for (const s of sockets) s.destroy();
      resolve(v);
    };
    try {
      const [serverSide, clientSide] = duplexPair();
      const server = new tls.TLSSocket(serverSide, {
        isServer: true,
        // ca: [] keeps Node from loading its ~150 public roots into a store the server never uses.
        // Kestrel's server side is the system OpenSSL at level 2 too: it will not send a chain with a weak
        // key (seen by the conformance generator: Kestrel starts, every handshake ends in an alert).
        secureContext: tls.createSecureContext({
          cert: pem(input.chain),
          key: input.key.export({ format: 'pem', type: 'pkcs8' }),
          ca: [],
          ciphers: SECURITY_LEVEL_2,
        }),
      });
      sockets.push(server);
      server.on('error', () => {}); // the client's side of the story is the verdict
      // No servername: names are checked by names.ts for every KCS_HOSTNAMES entry, and SNI would
      // make Node compile its IPv6 regular expression (a few ms) only to ask whether it is an address.
      const client = tls.connect({
        socket: clientSide,
        secureContext: tls.createSecureContext({
          ca: pem(input.anchors),
          ciphers: SECURITY_LEVEL_2,
          ...(input.partialChain ? { allowPartialTrustChain: true } : {}),
        }),
        rejectUnauthorized: false,
        // Node checks the host (default 'localhost') in JavaScript after OpenSSL's verdict: not this check's.
        checkServerIdentity: () => undefined,
      });
      sockets.push(client);
      client.once('secureConnect', () => {
        const err = client.authorizationError as (Error & { code?: string }) | string | null;
        if (!err) return done({});
        const code = typeof err === 'string' ? err : (err.code ?? err.message);
        done({ code, reason: typeof err === 'string' ? err : err.message });
      });
      client.once('error', (err) => done({ handshake: err.message }));
    } catch (err) {
      done({ handshake: (err as Error).message });
    }
  });
}
