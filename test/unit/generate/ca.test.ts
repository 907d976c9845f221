// The CA of sidecar/generate/ca.ts: kept in KCS_STATE, reused, and refused with STATE_INVALID when damaged.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { caKeyFinding, loadOrCreateCa } from '../../../sidecar/generate/ca.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-gen-'));
const now = new Date();

describe('the CA is kept in KCS_STATE and reused', () => {
  it('creates the CA once, with its key 0400, and reuses it', () => {
    const state = path.join(tmp(), 'state');
    const a = loadOrCreateCa(state, now);
    const b = loadOrCreateCa(state, now);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.cert.fingerprint256).toBe(a.cert.fingerprint256);
    expect(fs.statSync(path.join(state, 'ca', 'ca.key')).mode & 0o777).toBe(0o400);
  });

  it.each([
    [
      'a damaged CA certificate',
      (s: string) => fs.writeFileSync(path.join(s, 'ca', 'ca.crt'), 'garbage'),
      /cannot read the CA in/,
    ],
    [
      'a CA key that belongs to another CA',
      (s: string) => {
        fs.chmodSync(path.join(s, 'ca', 'ca.key'), 0o600);
        fs.writeFileSync(
          path.join(s, 'ca', 'ca.key'),
          crypto
            .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' }),
        );
      },
      /does not belong to/,
    ],
    ['a missing CA key', (s: string) => fs.rmSync(path.join(s, 'ca', 'ca.key')), /cannot read the CA key/],
    [
      'a foreign directory',
      (s: string) => {
        fs.rmSync(s, { recursive: true });
        fs.mkdirSync(s);
        fs.writeFileSync(path.join(s, 'id_rsa'), 'x');
      },
      /is not empty \(id_rsa\) and holds no CA of ours/,
    ],
  ])('refuses %s with STATE_INVALID instead of making a new CA', (_what, damage, message) => {
    const state = path.join(tmp(), 'state');
    loadOrCreateCa(state, now);
    damage(state);
    try {
      loadOrCreateCa(state, now);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KcsError);
      expect((err as KcsError).code).toBe('STATE_INVALID');
      expect((err as KcsError).finding.message).toMatch(message);
      expect((err as KcsError).finding.hint).toMatch(/delete .*state|empty directory/);
    }
  });
});

describe("the development CA's own key is never a source's key (CA_KEY_IN_SOURCE)", () => {
  it('is found by its public key, and only that key, only when the state holds a CA', () => {
    const state = path.join(tmp(), 'state');
    const ca = loadOrCreateCa(state, now);
    const f = caKeyFinding(state, ca.key, '/certs');
    expect(f?.code).toBe('CA_KEY_IN_SOURCE');
    expect(f?.severity).toBe('error');
    expect(f?.message).toMatch(
      new RegExp(`^/certs holds the private key of the development CA in ${path.join(state, 'ca')} \\(sha256 `),
    );
    // A copy of the key (another KeyObject, the same public key) is the same key.
    const copy = crypto.createPrivateKey(ca.key.export({ type: 'pkcs8', format: 'pem' }));
    expect(caKeyFinding(state, copy, '/certs')?.code).toBe('CA_KEY_IN_SOURCE');
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(caKeyFinding(state, other, '/certs')).toBeUndefined();
    expect(caKeyFinding(undefined, ca.key, '/certs')).toBeUndefined();
    expect(caKeyFinding(path.join(tmp(), 'no-state'), ca.key, '/certs')).toBeUndefined();
  });
});
