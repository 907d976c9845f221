// OpenSSL's verdict told as findings (sidecar/validate/verdict.ts), with the words the user reads: each
// chain is made by openssl here (chains.ts), OpenSSL's verifier judges it in validate(), and the finding
// must say which of OpenSSL's rules refused it. The cli project (test/cli/chain-verdicts.test.ts) asserts
// the same through the built bundle, which Stryker does not mutate; these kill verdict.ts's mutants
// (docs/testing.md, "Mutation score"). Where a verdict cannot be made on demand (a result Node reports as
// UNSPECIFIED, a time result), verdictFindings is given the verdict with a real chain.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../sidecar/findings.js';
import type { Material } from '../../../sidecar/material.js';
import { buildPath, chooseTrust } from '../../../sidecar/validate/chain.js';
import { validate } from '../../../sidecar/validate/validate.js';
import { verdictFindings } from '../../../sidecar/validate/verdict.js';
import type { Verdict } from '../../../sidecar/validate/verifier.js';
import { LEAF, makeChain, materialOf } from './chains.js';

const CLIENTS = 'and with it curl, Python and Node';
const refuses = (text: string, why: string) =>
  `OpenSSL's verifier refuses the chain of localhost ("${text}": ${why}), ${CLIENTS}`;
const ROOT = 'root ca /CN=R';
const INTER = (ext = '"$CA"') => `${ROOT}; req i /CN=I; sign i ca ${ext}; ${LEAF('i')}; cat i.crt >> tls.crt`;

/** The findings of validate() for the chain the script makes, but those of the validity windows. */
async function judged(script: string, anchors = true): Promise<Finding[]> {
  const m = materialOf(makeChain(script), { anchors });
  const v = await validate(m, { hostnames: [], now: new Date(), minValidityMs: 3600e3 });
  return v.findings.filter((f) => !f.code.startsWith('CERT_EXPIRES'));
}
const one = async (script: string) => {
  const fs = await judged(script);
  expect(fs).toHaveLength(1);
  return { ...fs[0]!, file: undefined };
};
/** verdictFindings for a verdict given as data, on the chain the script makes (trust as validate chooses it). */
function told(v: Verdict, script: string, adjust: (m: Material) => void = () => {}): Finding[] {
  const m = materialOf(makeChain(script));
  adjust(m);
  const trust = chooseTrust(m, buildPath(m, 'tls.crt').path, undefined, 'tls.crt');
  return verdictFindings(v, m, trust, 'tls.crt');
}

describe("OpenSSL's verifier decides, and the finding says which of its rules refused the chain", () => {
  it('accepts a good chain, and a leaf with a Netscape cert type of server', async () => {
    expect(await judged(`${ROOT}; ${LEAF('ca')}`)).toEqual([]);
    expect(await judged(`${ROOT}; ${LEAF('ca', '$LEAF""nsCertType=server\\n')}`)).toEqual([]);
  });

  it('refuses an intermediate that is not a CA', async () => {
    expect(await one(INTER('"basicConstraints=critical,CA:FALSE\\n"'))).toEqual({
      code: 'ISSUER_NOT_ALLOWED',
      severity: 'error',
      message: refuses(
        'unsuitable certificate purpose',
        'I issues a certificate but is not a CA (basicConstraints CA:FALSE or absent, or a key usage without ' +
          'keyCertSign)',
      ),
      hint: 'issue the chain from CA certificates (basicConstraints critical CA:TRUE, keyUsage keyCertSign)',
      file: undefined,
    });
  });

  it('refuses a root with pathlen:0 above an intermediate', async () => {
    const f = await one(
      `root ca /CN=R basicConstraints=critical,CA:TRUE,pathlen:0; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}; ` +
        'cat i.crt >> tls.crt',
    );
    expect(f.code).toBe('ISSUER_NOT_ALLOWED');
    expect(f.message).toBe(
      refuses('path length constraint exceeded', 'a CA has more CAs below it than its pathLenConstraint allows'),
    );
    expect(f.hint).toBe('issue the intermediates from a CA whose pathLenConstraint allows them');
  });

  it('refuses a name outside the nameConstraints of its issuer (a result Node does not name)', async () => {
    expect(await one(INTER('"$CA""nameConstraints=critical,permitted;DNS:.example.com\\n"'))).toEqual({
      code: 'ISSUER_NOT_ALLOWED',
      severity: 'error',
      message: refuses(
        'permitted subtree violation',
        'a name of the certificate is outside what the nameConstraints of I allow',
      ),
      hint: 'issue the certificate for names the CA may issue for, or from a CA without those constraints',
      file: undefined,
    });
  });

  it('refuses a root with an RSA 1024 key as a CA key', async () => {
    expect(await one(`KEY=rsa:1024 ${ROOT}; ${LEAF('ca')}`)).toEqual({
      code: 'KEY_TOO_WEAK',
      severity: 'error',
      message: refuses(
        'CA certificate key too weak',
        'the key of R is RSA 1024, weaker than the 112 bits of security level 2',
      ),
      hint: 'issue the chain with RSA 2048 (or larger) or ECDSA P-256 (or larger) keys',
      file: undefined,
    });
  });

  it('refuses a leaf with an RSA 1024 key: the handshake itself fails', async () => {
    const f = await one(`${ROOT}; req tls /CN=localhost rsa:1024; sign tls ca "$LEAF"`);
    expect(f.code).toBe('KEY_TOO_WEAK');
    expect(f.message).toMatch(
      new RegExp(
        '^OpenSSL cannot complete a TLS handshake with localhost and its key \\(.*ee key too small: the key of ' +
          `localhost is RSA 1024, weaker than the 112 bits of security level 2\\), ${CLIENTS}$`,
      ),
    );
    expect(f.hint).toBe('issue the chain with RSA 2048 (or larger) or ECDSA P-256 (or larger) keys');
  });

  it('refuses an ECDSA key under 224 bits, and says only that the handshake failed for a P-224 one', async () => {
    const curve = (name: string) =>
      `${ROOT}; req tls /CN=localhost ec:<(openssl ecparam -name ${name}); sign tls ca "$LEAF"`;
    const weak = await one(curve('prime192v1'));
    expect(weak.code).toBe('KEY_TOO_WEAK');
    expect(weak.message).toContain(': the key of localhost is ECDSA prime192v1, weaker than the 112 bits');
    const p224 = await one(curve('secp224r1'));
    expect(p224.code).toBe('UNSUPPORTED_ALGORITHM');
    expect(p224.message).toMatch(/^OpenSSL cannot complete a TLS handshake with localhost and its key \(/);
    expect(p224.message).not.toContain('weaker than');
    expect(p224.hint).toBe('issue the certificate with an RSA (2048 to 8192 bits) or ECDSA P-256, P-384 or P-521 key');
  });

  it('refuses a leaf whose Netscape cert type lacks the SSL server bit', async () => {
    expect(await one(`${ROOT}; ${LEAF('ca', '$LEAF""nsCertType=client\\n')}`)).toEqual({
      code: 'NOT_SERVER_AUTH',
      severity: 'error',
      message: refuses(
        'unsuitable certificate purpose',
        'the certificate has a Netscape cert type without the SSL server bit',
      ),
      hint:
        'issue the chain with serverAuth in every extendedKeyUsage it has (or none), and without a Netscape ' +
        'cert type',
      file: undefined,
    });
  });

  it('refuses a root whose extendedKeyUsage lacks serverAuth, naming it as the issuer', async () => {
    const f = await one(
      `root ca /CN=R basicConstraints=critical,CA:TRUE "-addext extendedKeyUsage=codeSigning"; ${LEAF('ca')}`,
    );
    expect(f.message).toBe(
      refuses(
        'unsuitable certificate purpose',
        'the extended key usage of its issuer R (1.3.6.1.5.5.7.3.3) lacks serverAuth',
      ),
    );
    expect(f.code).toBe('NOT_SERVER_AUTH');
  });

  it('refuses a leaf whose key usage has none of the TLS bits', async () => {
    expect(await one(`${ROOT}; ${LEAF('ca', '$LEAF""keyUsage=critical,keyCertSign\\n')}`)).toEqual({
      code: 'NOT_SERVER_AUTH',
      severity: 'error',
      message: refuses(
        'unsuitable certificate purpose',
        'the key usage of the certificate (keyCertSign) has none of digitalSignature, keyEncipherment, keyAgreement',
      ),
      hint: 'issue the certificate with key usage digitalSignature (and keyEncipherment for RSA)',
      file: undefined,
    });
  });

  it('refuses an intermediate signed with SHA-1, but not a root self-signed with it', async () => {
    expect(await one(INTER('"$CA" -sha1'))).toEqual({
      code: 'WEAK_SIGNATURE',
      severity: 'error',
      message: refuses(
        'CA signature digest algorithm too weak',
        'I is signed with SHA-1 with RSA, refused at the default security level',
      ),
      hint: 'get a chain whose certificates are signed with SHA-256 or better',
      file: undefined,
    });
    expect(await judged(`root ca /CN=R "" -sha1; ${LEAF('ca')}`)).toEqual([]);
  });

  it('refuses a critical extension OpenSSL does not handle', async () => {
    expect(await one(`${ROOT}; ${LEAF('ca', '$LEAF""1.2.3.4=critical,DER:0500\\n')}`)).toEqual({
      code: 'UNSUPPORTED_EXTENSION',
      severity: 'error',
      message: refuses(
        'unhandled critical extension',
        'localhost has a critical extension 1.2.3.4 that OpenSSL does not handle',
      ),
      hint: 'issue the certificate without that extension, or with it marked non-critical',
      file: undefined,
    });
  });

  it('refuses a chain whose intermediate is missing, with the results table', async () => {
    expect(await one(`${ROOT}; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}`)).toEqual({
      code: 'CHAIN_BROKEN',
      severity: 'error',
      message: refuses(
        'unable to verify the first certificate',
        'the issuer of the certificate is neither sent nor trusted',
      ),
      hint: 'mount every intermediate after the leaf, and the root that issued them as ca.crt',
      file: undefined,
    });
  });

  it('refuses an intermediate as ca.crt, naming ca.crt and the root to put there', async () => {
    const dir = makeChain(`root r /CN=R; req ca /CN=I; sign ca r "$CA"; ${LEAF('ca')}; cat ca.crt >> tls.crt`);
    const [f] = await judged(`root r /CN=R; req ca /CN=I; sign ca r "$CA"; ${LEAF('ca')}; cat ca.crt >> tls.crt`);
    expect(f).toEqual({
      code: 'CHAIN_BROKEN',
      severity: 'error',
      message:
        'ca.crt holds I, which is not a root (not self-signed): clients that trust it still look for its issuer ' +
        'CN=R, so OpenSSL refuses the chain of localhost ("unable to get issuer certificate"), and so do Python, ' +
        'Node and .NET; curl accepts it (Debian builds it with partial-chain trust)',
      hint: 'put the root CA that issued I in ca.crt',
      file: `${dir}/ca.crt`,
    });
  });

  it('refuses a leaf whose issuer name is empty, as curl does', async () => {
    expect(await one(`root ca /; ${LEAF('ca')}`)).toEqual({
      code: 'CHAIN_BROKEN',
      severity: 'error',
      message:
        'the issuer name of localhost is empty: OpenSSL, Python, Node and .NET accept the chain, but curl refuses it ' +
        '("SSL: couldn\'t get X509-issuer name")',
      hint: 'issue the chain from a CA whose subject is not empty',
      file: undefined,
    });
  });
});

describe('verdicts given as data, on a real chain', () => {
  const GOOD = `${ROOT}; ${LEAF('ca')}`;

  it.each([
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERROR_IN_CERT_NOT_BEFORE_FIELD',
    'ERROR_IN_CERT_NOT_AFTER_FIELD',
  ])('leaves %s to the validity windows of expiry.ts', (code) => {
    expect(told({ code }, GOOD)).toEqual([]);
    expect(told({ code }, `root ca /; ${LEAF('ca')}`).map((f) => f.message)).toEqual([
      expect.stringMatching(/^the issuer name of localhost is empty/),
    ]);
  });

  it('names a result it has no words for, and says how to see it', () => {
    expect(told({ code: 'UNSPECIFIED' }, GOOD)).toEqual([
      {
        code: 'CHAIN_BROKEN',
        severity: 'error',
        message: `OpenSSL's verifier refuses the chain of localhost (UNSPECIFIED), ${CLIENTS}`,
        hint: 'get a chain that `openssl verify -CAfile ca.crt -untrusted tls.crt tls.crt` accepts, and see its error',
        file: 'tls.crt',
      },
    ]);
  });

  it('says an unsuitable purpose in general when no rule of its own explains it', () => {
    expect(told({ code: 'INVALID_PURPOSE' }, GOOD)[0]?.message).toBe(
      refuses('unsuitable certificate purpose', 'a certificate may not be used by a TLS server'),
    );
  });

  it('names the leaf, not its issuer, when the leaf lacks serverAuth', () => {
    const f = told({ code: 'INVALID_PURPOSE' }, `${ROOT}; ${LEAF('ca', 'extendedKeyUsage=clientAuth\\n')}`);
    expect(f[0]?.message).toBe(
      refuses(
        'unsuitable certificate purpose',
        'the extended key usage of the certificate (1.3.6.1.5.5.7.3.2) lacks serverAuth',
      ),
    );
  });

  it('tells "unable to get issuer certificate" from the table when ca.crt is trusted as a partial chain', () => {
    const script = `root r /CN=R; req ca /CN=I; sign ca r "$CA"; ${LEAF('ca')}`;
    const m = materialOf(makeChain(script));
    const trust = { ...chooseTrust(m, buildPath(m, undefined).path, undefined, undefined), partial: true };
    expect(verdictFindings({ code: 'UNABLE_TO_GET_ISSUER_CERT' }, m, trust, 'tls.crt')[0]?.message).toBe(
      refuses(
        'unable to get issuer certificate',
        'the chain reaches a trusted certificate that is not a root, and clients look further for its issuer',
      ),
    );
  });

  it('says the handshake failed and why, without a cause of its own', () => {
    expect(told({ handshake: 'no shared cipher.' }, GOOD)).toEqual([
      {
        code: 'UNSUPPORTED_ALGORITHM',
        severity: 'error',
        message: `OpenSSL cannot complete a TLS handshake with localhost and its key (no shared cipher), ${CLIENTS}`,
        hint: 'issue the certificate with an RSA (2048 to 8192 bits) or ECDSA P-256, P-384 or P-521 key',
        file: 'tls.crt',
      },
    ]);
  });
  it('tells which rule refused a purpose only from facts that refuse: a server bit, a TLS key usage bit', () => {
    const generic = refuses('unsuitable certificate purpose', 'a certificate may not be used by a TLS server');
    const nsServer = `${ROOT}; ${LEAF('ca', '$LEAF""nsCertType=server\\n')}`;
    expect(told({ code: 'INVALID_PURPOSE' }, nsServer)[0]?.message).toBe(generic);
    const withTls = `${ROOT}; ${LEAF('ca', '$LEAF""keyUsage=critical,digitalSignature,keyCertSign\\n')}`;
    expect(told({ code: 'INVALID_PURPOSE' }, withTls)[0]?.message).toBe(generic);
  });

  it('lists every extended key usage that lacks serverAuth', () => {
    const f = told({ code: 'INVALID_PURPOSE' }, `${ROOT}; ${LEAF('ca', 'extendedKeyUsage=clientAuth,codeSigning\\n')}`);
    expect(f[0]?.message).toBe(
      refuses(
        'unsuitable certificate purpose',
        'the extended key usage of the certificate (1.3.6.1.5.5.7.3.2, 1.3.6.1.5.5.7.3.3) lacks serverAuth',
      ),
    );
  });

  it("names a weak leaf key as the EE's in a result Node does not name", () => {
    const f = told({ code: 'UNSPECIFIED' }, `${ROOT}; req tls /CN=localhost rsa:1024; sign tls ca "$LEAF"`);
    expect(f[0]?.message).toBe(
      refuses(
        'EE certificate key too weak',
        'the key of localhost is RSA 1024, weaker than the 112 bits of security level 2',
      ),
    );
  });

  it("does not blame the leaf's own nameConstraints: only an issuer's constrain it", () => {
    const f = told(
      { code: 'UNSPECIFIED' },
      `${ROOT}; ${LEAF('ca', '$LEAF""nameConstraints=permitted;DNS:.example.com\\n')}`,
    );
    expect(f[0]?.message).toBe(`OpenSSL's verifier refuses the chain of localhost (UNSPECIFIED), ${CLIENTS}`);
  });

  it('says ca.crt is not a root only for "unable to get issuer certificate"', () => {
    const script = `root r /CN=R; req ca /CN=I; sign ca r "$CA"; ${LEAF('ca')}`;
    expect(told({ code: 'CERT_SIGNATURE_FAILURE' }, script)[0]?.message).toBe(
      refuses(
        'certificate signature failure',
        'a signature does not verify with the key of the certificate named as its issuer',
      ),
    );
  });

  it('drops only the full stop that ends the handshake error', () => {
    expect(told({ handshake: 'error:0A00018F:SSL routines::ee key too small.' }, GOOD)[0]?.message).toBe(
      `OpenSSL cannot complete a TLS handshake with localhost and its key (error:0A00018F:SSL routines::ee key too ` +
        `small), ${CLIENTS}`,
    );
  });
});
