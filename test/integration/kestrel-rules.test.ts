// Kestrel is the judge: for inputs made by real tools at test time, `check` exits 0 exactly when a
// real Kestrel (this machine's .NET) starts and serves the source in its best faithful form, PEM
// Path + KeyPath, or the Development layout through APPDATA. Each case records what Kestrel did.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, cleanEnv, ENABLE, missingAspNet, needs } from './support/env.js';
import { buildKestrelApp, startKestrel } from './support/kestrel.js';
import { selfSigned } from '../support/openssl.js';

const run = needs('Kestrel rules', missingAspNet(), ENABLE.dotnet);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-rules-'));
const USER_SECRETS_ID = 'kcs-example-7f3c2a10-5b2e-4c1d-9a8e-3f6d2b1c0e95';

function check(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, 'check', ...args], { env: cleanEnv(env), encoding: 'utf8' });
  const codes = [...`${r.stdout}\n${r.stderr}`.matchAll(/^\s*(?:warning: |info: )?([A-Z_]{6,}) /gm)].map((m) => m[1]!);
  return { code: r.status, codes, text: `${r.stdout}\n${r.stderr}` };
}

/** The finding quotes what Kestrel says: its exception message, without the type, is in the text. */
function expectQuoted(text: string, error: string | undefined) {
  const message = (error ?? '').replace(/^[\w.]+Exception: /, '').replace(/\.$/, '');
  expect(message.length).toBeGreaterThan(20);
  expect(text).toContain(message);
}

/** Whether Kestrel starts and serves with `env`; the exception line when it does not. */
async function kestrelServes(app: string, env: Record<string, string>): Promise<{ served: boolean; error?: string }> {
  try {
    await using _k = await startKestrel(app, env);
    return { served: true };
  } catch (err) {
    const line = /(\w+(?:\.\w+)*Exception): ([^\n]+)/.exec((err as Error).message);
    return { served: false, error: line ? `${line[1]}: ${line[2]}` : (err as Error).message.split('\n')[0]! };
  }
}

describe.runIf(run)('check agrees with a real Kestrel', () => {
  let app: string;
  beforeAll(() => {
    app = buildKestrelApp();
  }, 300_000);

  it.each([
    ['RSA 2048', ['-newkey', 'rsa:2048'], undefined],
    ['ECDSA P-521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521'], undefined],
    ['RSA-PSS', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'], 'UNSUPPORTED_ALGORITHM'],
    ['Ed25519', ['-newkey', 'ed25519'], 'UNSUPPORTED_ALGORITHM'],
  ])('a PEM pair with an %s key: Kestrel and check agree', async (_what, keyArgs, refusal) => {
    const src = selfSigned(tmp(), keyArgs as string[]);
    const verdict = check(['--source', src]);
    const kestrel = await kestrelServes(app, {
      ASPNETCORE_Kestrel__Certificates__Default__Path: path.join(src, 'tls.crt'),
      ASPNETCORE_Kestrel__Certificates__Default__KeyPath: path.join(src, 'tls.key'),
    });
    console.log(
      `${_what}: Kestrel ${kestrel.served ? 'served' : `failed (${kestrel.error})`}; ` +
        `check exit ${verdict.code} ${verdict.codes.join(' ')}`,
    );
    expect(verdict.code === 0).toBe(kestrel.served);
    if (refusal) {
      expect(verdict.codes).toContain(refusal);
      expectQuoted(verdict.text, kestrel.error);
    }
  });

  it.each([
    ['an openssl CN=localhost certificate (no development extension)', 'openssl', false],
    ['a dotnet dev-certs export', 'dotnet', true],
  ])('the Development layout with %s: Kestrel and check agree', async (_what, producer, expected) => {
    // The layout made by hand, as Visual Studio would, so that Kestrel judges the certificate itself.
    const d = tmp();
    const pfx = path.join(d, 'appdata', 'ASP.NET', 'https', 'Api.pfx');
    fs.mkdirSync(path.dirname(pfx), { recursive: true });
    let source: string;
    if (producer === 'openssl') {
      const src = selfSigned(tmp(), ['-newkey', 'rsa:2048']);
      execFileSync('openssl', [
        'pkcs12',
        '-export',
        '-in',
        path.join(src, 'tls.crt'),
        '-inkey',
        path.join(src, 'tls.key'),
        '-passout',
        'pass:pw',
        '-out',
        pfx,
      ]);
      source = pfx;
    } else {
      execFileSync('openssl', [
        'pkcs12',
        '-in',
        path.join(FIXTURES, 'dotnet-devcert.pfx'),
        '-passin',
        'pass:fixture-Pa55',
        '-nodes',
        '-out',
        path.join(d, 'dev.pem'),
      ]);
      execFileSync('openssl', [
        'pkcs12',
        '-export',
        '-in',
        path.join(d, 'dev.pem'),
        '-passout',
        'pass:pw',
        '-out',
        pfx,
      ]);
      source = path.join(FIXTURES, 'dotnet-devcert.pfx');
    }
    const secrets = path.join(d, 'appdata', 'Microsoft', 'UserSecrets', USER_SECRETS_ID, 'secrets.json');
    fs.mkdirSync(path.dirname(secrets), { recursive: true });
    fs.writeFileSync(secrets, JSON.stringify({ 'Kestrel:Certificates:Development:Password': 'pw' }));
    const kestrel = await kestrelServes(app, {
      APPDATA: path.join(d, 'appdata'),
      ASPNETCORE_ENVIRONMENT: 'Development',
    });
    const verdict = check(['--source', source, '--app-name', 'Api', '--user-secrets-id', USER_SECRETS_ID], {
      KCS_PASSWORD: producer === 'openssl' ? 'pw' : 'fixture-Pa55',
    });
    console.log(
      `Development layout, ${_what}: Kestrel ` +
        `${kestrel.served ? 'served' : `failed (${kestrel.error})`}; check exit ` +
        `${verdict.code} ${verdict.codes.join(' ')}`,
    );
    expect(kestrel.served).toBe(expected);
    expect(verdict.code === 0).toBe(kestrel.served);
    if (!expected) {
      expect(verdict.codes).toContain('NOT_DEV_CERT');
      expectQuoted(verdict.text, kestrel.error);
    }
  });
});
