// The development CA as sidecar/trust/ca.ts describes it to every store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeCa } from '../../../sidecar/trust/ca.js';
import { fixture } from '../../support/helpers.js';

describe('trust: the CA', () => {
  const ca = describeCa(fs.readFileSync(fixture('root.crt')), fixture('root.crt'));

  it('names the CA by its fingerprint, the same in every store', () => {
    const sha256 = new crypto.X509Certificate(fs.readFileSync(fixture('root.crt'))).fingerprint256;
    expect(ca.name).toBe(`kestrel-cert-sidecar-${sha256.replace(/:/g, '').slice(0, 16).toLowerCase()}`);
  });
});
