// The validate stage as a whole (sidecar/validate/validate.ts): what it keeps from loading, the key that
// does not match, the windows of every certificate of the path, when OpenSSL's verdict is asked, and `ok`.
// Written to kill validate.ts's mutants (docs/testing.md, "Mutation score"); chains made by openssl here
// (chains.ts) or test/fixtures.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { finding } from '../../../sidecar/findings.js';
import { messages } from '../../../sidecar/messages/index.js';
import type { Material } from '../../../sidecar/material.js';
import { validate } from '../../../sidecar/validate/validate.js';
import { readFixture } from '../../support/helpers.js';
import { LEAF, makeChain, materialOf } from './chains.js';

/** A finding that loading made (any of them: validate keeps it in front of its own). */
const loadedFinding = () => finding(messages.LEAF_NOT_FIRST.issuerFirst({ file: 'tls.crt', first: 'CN=I' }), 'info');

const DAY = 24 * 3600e3;
// A getter: a certificate made by a test is valid from the second it was made, after this file was loaded.
const opts = {
  hostnames: [],
  get now() {
    return new Date();
  },
  minValidityMs: 3600e3,
};
const fixtures = (): Material => ({
  leaf: new crypto.X509Certificate(readFixture('rsa2048.crt')),
  key: crypto.createPrivateKey(readFixture('rsa2048.key')),
  others: ['inter.crt', 'root.crt'].map((f) => new crypto.X509Certificate(readFixture(f))),
  anchors: [],
  source: { kind: 'pem', files: ['tls.crt'], details: {} },
  findings: [],
});
/** A leaf whose issuer I is not sent, under a ca.crt of R: OpenSSL's verifier refuses it. */
const MISSING = `root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}`;

describe('validate', () => {
  it('is ok for a good chain, and keeps what loading found first', async () => {
    const m = fixtures();
    const loaded = loadedFinding();
    m.findings = [loaded];
    const v = await validate(m, opts);
    expect(v.findings).toEqual([loaded]);
    expect(v.ok).toBe(true);
    expect(v.chain.map((c) => c.subject)).toEqual(['CN=rsa2048', 'CN=Fixture Intermediate CA']);
    expect(v.anchors.map((c) => c.subject)).toEqual(['CN=Fixture Root CA']);
  });

  it('is ok with warnings only, and not with an error', async () => {
    const m = fixtures();
    const soon = await validate(m, { ...opts, now: new Date(m.leaf.validToDate.getTime() - 20 * DAY) });
    expect(soon.findings.map((f) => f.severity)).toContain('warning');
    expect(soon.ok).toBe(true);
    const late = await validate(m, { ...opts, now: new Date(m.leaf.validToDate.getTime() + DAY) });
    expect(late.ok).toBe(false);
  });

  it('says the key does not belong to the certificate, and asks no verdict of OpenSSL then', async () => {
    const m = materialOf(makeChain(MISSING));
    m.key = crypto.createPrivateKey(readFixture('rsa2048.key'));
    const v = await validate(m, opts);
    expect(v.findings).toEqual([
      {
        code: 'KEY_MISMATCH',
        severity: 'error',
        message: 'the private key does not belong to the certificate localhost',
        hint: 'mount the key that was issued with this certificate',
        file: m.source.files[0],
      },
    ]);
    expect(v.ok).toBe(false);
    m.findings = [loadedFinding()];
    expect((await validate(m, opts)).ok).toBe(false);
  });

  it("asks OpenSSL's verdict for a source, not for a generated certificate", async () => {
    const source = materialOf(makeChain(MISSING));
    expect((await validate(source, opts)).findings.map((f) => f.code)).toEqual(['CHAIN_BROKEN']);
    const generated = materialOf(makeChain(MISSING));
    generated.source.kind = 'generated';
    expect((await validate(generated, opts)).findings).toEqual([]);
  });

  it('asks no verdict for a key Kestrel cannot serve with', async () => {
    const pss = materialOf(
      makeChain(
        'root ca /CN=R; root x /CN=X; openssl genpkey -algorithm RSA-PSS -out tls.key 2>/dev/null; ' +
          'openssl req -new -key tls.key -subj /CN=localhost -out tls.csr; sign tls x "$LEAF"',
      ),
    );
    expect((await validate(pss, opts)).findings.map((f) => f.code)).toEqual(['UNSUPPORTED_ALGORITHM']);
  });

  it('holds every certificate of the path to its window, naming the chain certificates as such', async () => {
    const m = fixtures();
    const v = await validate(m, { ...opts, now: new Date(m.leaf.validToDate.getTime() - 20 * DAY) });
    expect(v.findings.map((f) => f.message.replace(/ expires on .*/, ''))).toEqual([
      'the certificate rsa2048',
      'the chain certificate Fixture Intermediate CA',
      'the chain certificate Fixture Root CA',
    ]);
  });
});
