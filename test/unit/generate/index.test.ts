import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMaterial } from '../../../sidecar/generate/index.js';
import type { KeyType } from '../../../sidecar/generate/leaf.js';

const DAY = 86400e3;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-gen-'));
const now = new Date();
const base = { keyType: 'rsa-2048' as KeyType, validityMs: 90 * DAY, devCert: false, now };

describe('the leaf is reused until it must be reissued', () => {
  const state = path.join(tmp(), 'state');
  const first = generateMaterial({ ...base, hostnames: ['localhost', 'api'], stateDir: state });
  const previous = { cert: first.material.leaf, key: first.material.key };

  it.each([
    ['the same names and CA', { hostnames: ['api', 'localhost'] }, 'reused'],
    ['a new name', { hostnames: ['localhost', 'api', 'web'] }, 'issued (KCS_HOSTNAMES changed)'],
    [
      'another key type',
      { hostnames: ['localhost', 'api'], keyType: 'ecdsa-p256' as KeyType },
      'issued (KCS_KEY_TYPE changed)',
    ],
    [
      'two-thirds of the lifetime passed',
      { hostnames: ['localhost', 'api'], now: new Date(now.getTime() + 61 * DAY) },
      'issued (it is past two-thirds of its lifetime)',
    ],
    ['another CA', { hostnames: ['localhost', 'api'], stateDir: undefined }, 'issued (the CA changed)'],
  ])('%s: %s', (_what, change, expected) => {
    const g = generateMaterial({ ...base, stateDir: state, previous, ...change } as never);
    expect(g.material.source.details.leaf).toBe(expected);
    if (expected === 'reused') expect(g.material.leaf.fingerprint256).toBe(previous.cert.fingerprint256);
    else expect(g.material.leaf.fingerprint256).not.toBe(previous.cert.fingerprint256);
  });

  it('warns that an ephemeral CA changes every run', () => {
    const g = generateMaterial({ ...base, hostnames: ['localhost'] });
    expect(g.material.findings.map((f) => f.code)).toEqual(['CA_EPHEMERAL']);
  });

  it('issues both services of a compose file from one CA', () => {
    const shared = path.join(tmp(), 'state');
    const api = generateMaterial({ ...base, hostnames: ['api'], stateDir: shared });
    const web = generateMaterial({ ...base, hostnames: ['web'], stateDir: shared });
    expect(api.material.anchors[0]!.fingerprint256).toBe(web.material.anchors[0]!.fingerprint256);
    expect(api.material.leaf.verify(web.material.anchors[0]!.publicKey)).toBe(true);
    expect(web.material.leaf.verify(api.material.anchors[0]!.publicKey)).toBe(true);
  });
});
