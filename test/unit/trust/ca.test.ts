// The development CA as sidecar/trust/ca.ts describes it to every store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeCa } from '../../../sidecar/trust/ca.js';
import { fixture } from '../../support/helpers.js';
import { cnName, handBuilt, refusal } from '../pkix/certs.js';

describe('trust: the CA', () => {
  const ca = describeCa(fs.readFileSync(fixture('root.crt')), fixture('root.crt'));

  it('names the CA by its fingerprint, the same in every store', () => {
    const sha256 = new crypto.X509Certificate(fs.readFileSync(fixture('root.crt'))).fingerprint256;
    expect(ca.name).toBe(`kestrel-cert-sidecar-${sha256.replace(/:/g, '').slice(0, 16).toLowerCase()}`);
  });
});

describe('trust: a certificate that is not a CA', () => {
  it('is refused by its subject on one line; one with an empty subject by its name, not with a TypeError', () => {
    const bytes = fs.readFileSync(fixture('rsa2048.crt'));
    expect(refusal(() => describeCa(bytes, 'leaf.crt'))).toBe(
      'CONFIG_INVALID leaf.crt is not a CA certificate (CN=rsa2048)',
    );
    const empty = handBuilt(2, [], cnName());
    expect(empty.subject).toBeUndefined();
    expect(refusal(() => describeCa(empty.raw, 'empty.crt'))).toBe(
      `CONFIG_INVALID empty.crt is not a CA certificate (sha256 ${empty.fingerprint256.slice(0, 23)} (no subject))`,
    );
  });
});
