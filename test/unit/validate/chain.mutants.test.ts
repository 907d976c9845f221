// The path and the trust of sidecar/validate/chain.ts on chains made by openssl here (chains.ts): which
// issuer is taken, where the path stops, what is dropped or reordered, and which anchors clients trust,
// with the words the user reads. Written to kill chain.ts's mutants (docs/testing.md, "Mutation score").
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Material } from '../../../sidecar/material.js';
import { buildPath, chooseTrust } from '../../../sidecar/validate/chain.js';
import { fixture, readFixture } from '../../support/helpers.js';
import { LEAF, certsOf, makeChain, materialOf } from './chains.js';

const names = (certs: crypto.X509Certificate[]) => certs.map((c) => c.subject);
/** A leaf issued by I, issued by R; I2 has I's name but its own key (issued by R too). The leaf has no
 *  authorityKeyIdentifier, so both are named as its issuer (X509_check_issued compares it when there is one). */
const TWINS =
  'root ca /CN=R; req i /CN=I; sign i ca "$CA"; req i2 /CN=I; sign i2 ca "$CA"; ' +
  LEAF('i', '$LEAF""authorityKeyIdentifier=none\\n');

describe('buildPath', () => {
  it('takes the issuer whose key verifies the signature among those with its name', () => {
    const dir = makeChain(TWINS);
    const m = materialOf(dir);
    const [i, i2] = [certsOf(path.join(dir, 'i.crt'))[0]!, certsOf(path.join(dir, 'i2.crt'))[0]!];
    m.others = [i2, i];
    const built = buildPath(m, 'tls.crt');
    expect(built.path.map((c) => c.fingerprint256)).toEqual([m.leaf, i, m.anchors[0]!].map((c) => c.fingerprint256));
    expect(built.findings.map((f) => f.code)).toEqual(['CERT_DROPPED']);
  });

  it('stops at a named issuer whose key does not verify the signature (the verifier then refuses it)', () => {
    const dir = makeChain(TWINS);
    const m = materialOf(dir);
    const i2 = certsOf(path.join(dir, 'i2.crt'))[0]!;
    m.others = [i2];
    expect(names(buildPath(m, 'tls.crt').path)).toEqual(['CN=localhost', 'CN=I']);
  });

  it('takes no certificate that did not issue the top as its issuer', () => {
    const m = materialOf(makeChain(`root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}`));
    expect(names(buildPath(m, 'tls.crt').path)).toEqual(['CN=localhost']);
  });

  it('says where a chain of cross-signed certificates loops, and stops there', () => {
    const [leaf, ...others] = certsOf(fixture('chain-loop/chain.pem'));
    const m: Material = {
      leaf: leaf!,
      key: crypto.createPrivateKey(readFixture('chain-loop/leaf.key')),
      others,
      anchors: [],
      source: { kind: 'pem', files: ['chain.pem'], details: {} },
      findings: [],
    };
    const built = buildPath(m, 'chain.pem');
    expect(names(built.path)).toEqual(['CN=loop-leaf', 'CN=Loop-X', 'CN=Loop-Y']);
    expect(built.findings).toEqual([
      {
        code: 'CHAIN_BROKEN',
        severity: 'error',
        message: 'the certificate chain loops at Loop-X',
        hint: 'remove the cross-signed certificates that issue each other and keep one path to a root',
        file: 'chain.pem',
      },
    ]);
  });

  it('drops a certificate that is not on the path, and says so; a second anchor in the bundle is not dropped', () => {
    const m = materialOf(
      makeChain(
        'root ca /CN=R; root s /CN=Stranger; root x /CN=X; ' +
          `${LEAF('ca')}; cat s.crt x.crt >> tls.crt; cat x.crt >> ca.crt`,
      ),
    );
    expect(buildPath(m, 'tls.crt').findings).toEqual([
      {
        code: 'CERT_DROPPED',
        severity: 'info',
        message:
          'the certificate Stranger came with localhost but is not on its path to a trusted root, so it is not ' +
          'published',
        hint: 'nothing; remove it from the bundle to silence this',
        file: 'tls.crt',
      },
    ]);
  });

  it('puts a chain given root first in order, and says so', () => {
    const m = materialOf(
      makeChain(`root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}; cat ca.crt i.crt >> tls.crt`),
      {
        anchors: false,
      },
    );
    const built = buildPath(m, undefined);
    expect(names(built.path)).toEqual(['CN=localhost', 'CN=I', 'CN=R']);
    expect(built.findings).toEqual([
      {
        code: 'CHAIN_REORDERED',
        severity: 'info',
        message: 'the chain was not in order; it is published leaf first, then each issuer',
        hint: 'nothing: this is informational',
      },
    ]);
  });
});

describe('chooseTrust', () => {
  it('sends a self-signed leaf itself, and trusts it', () => {
    const m = materialOf(
      makeChain(
        'openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -subj /CN=localhost -days 3 ' +
          '-addext subjectAltName=DNS:localhost 2>/dev/null',
      ),
    );
    const t = chooseTrust(m, [m.leaf], undefined, undefined);
    expect(names(t.chain)).toEqual(['CN=localhost']);
    expect(names(t.anchors)).toEqual(['CN=localhost']);
    expect(t.partial).toBe(false);
  });

  it('trusts ca.crt when the source has one, the root the path ends at when not, and sends neither root', () => {
    const script = `root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}; cat i.crt ca.crt >> tls.crt`;
    const withCa = materialOf(makeChain(script));
    const a = chooseTrust(withCa, buildPath(withCa, undefined).path, undefined, undefined);
    expect([names(a.chain), names(a.anchors), a.partial]).toEqual([['CN=localhost', 'CN=I'], ['CN=R'], false]);
    const without = materialOf(makeChain(script), { anchors: false });
    const b = chooseTrust(without, buildPath(without, undefined).path, undefined, undefined);
    expect([names(b.chain), names(b.anchors), b.partial, b.findings]).toEqual([
      ['CN=localhost', 'CN=I'],
      ['CN=R'],
      false,
      [],
    ]);
  });

  it('completes a chain from a public root only when that root signed its top', () => {
    const dir = makeChain(
      `root ca /CN=R; root fake /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}; cat i.crt >> tls.crt`,
    );
    const m = materialOf(dir, { anchors: false });
    const [root, fake] = [certsOf(path.join(dir, 'ca.crt'))[0]!, certsOf(path.join(dir, 'fake.crt'))[0]!];
    const p = buildPath(m, undefined).path;
    const real = chooseTrust(m, p, (subject) => (subject === 'CN=R' ? [fake, root] : []), undefined);
    expect([names(real.anchors), real.partial, real.findings]).toEqual([['CN=R'], false, []]);
    expect(real.anchors[0]!.fingerprint256).toBe(root.fingerprint256);
    const faked = chooseTrust(m, p, () => [fake], undefined);
    expect([names(faked.anchors), faked.partial]).toEqual([['CN=I'], true]);
  });

  it('takes no public root of the right name whose key did not sign a top without authorityKeyIdentifier', () => {
    // Without the identifier, X509_check_issued matches the root by its name alone: only the signature tells.
    const dir = makeChain(
      'root ca /CN=R; root fake /CN=R; req i /CN=I; sign i ca "$CA""authorityKeyIdentifier=none\\n"; ' +
        `${LEAF('i')}; cat i.crt >> tls.crt`,
    );
    const m = materialOf(dir, { anchors: false });
    const [root, fake] = [certsOf(path.join(dir, 'ca.crt'))[0]!, certsOf(path.join(dir, 'fake.crt'))[0]!];
    const top = m.others[0]!;
    expect([top.subject, top.checkIssued(fake), top.verify(fake.publicKey)]).toEqual(['CN=I', true, false]);
    const p = buildPath(m, undefined).path;
    const faked = chooseTrust(m, p, () => [fake], undefined);
    expect([names(faked.anchors), faked.partial]).toEqual([['CN=I'], true]);
    const real = chooseTrust(m, p, () => [fake, root], undefined);
    expect([real.anchors[0]!.fingerprint256, real.partial]).toEqual([root.fingerprint256, false]);
  });

  it('trusts the top itself when its issuer is not in the source, and warns what that means', () => {
    const m = materialOf(makeChain(`root r /CN=R; req i /CN=I; sign i r "$CA"; ${LEAF('i')}; cat i.crt >> tls.crt`), {
      anchors: false,
    });
    const t = chooseTrust(m, buildPath(m, 'tls.crt').path, () => [], 'tls.crt');
    expect([names(t.chain), names(t.anchors), t.partial]).toEqual([['CN=localhost', 'CN=I'], ['CN=I'], true]);
    expect(t.findings).toEqual([
      {
        code: 'CHAIN_BROKEN',
        severity: 'warning',
        message:
          'the chain ends at I, whose issuer CN=R is not in the source, so ca.crt holds I itself, which OpenSSL ' +
          'clients accept only with partial-chain trust; clients that trust CN=R as a root accept the server, but ' +
          'if it is an intermediate, no client can build the chain without it',
        hint:
          'mount the missing intermediates after the leaf, and the root CA (as ca.crt beside tls.crt, or at the end ' +
          'of the chain file)',
        file: 'tls.crt',
      },
    ]);
  });
});
