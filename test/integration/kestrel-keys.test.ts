// Key files .NET does not use as they are (sidecar/load/kestrel-files.ts): a real Kestrel (this
// machine's .NET) pointed at the source files stops with the exception the finding quotes, and serves
// the set init published from them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, cleanEnv, ENABLE, missingAspNet, needs } from './support/env.js';
import { buildKestrelApp, startKestrel } from './support/kestrel.js';

const run = needs('Kestrel key files', missingAspNet(), ENABLE.dotnet);
const PASS = 'fixture-Pa55';

function sidecar(command: 'check' | 'init', source: string, extra: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, command, '--source', source, ...extra], {
    env: cleanEnv(env),
    encoding: 'utf8',
  });
  return { code: r.status, text: `${r.stdout}\n${r.stderr}` };
}

/** Whether Kestrel serves Path + KeyPath (+ Password); the innermost exception message when it does not. */
async function kestrelWith(cert: string, key: string, password?: string) {
  try {
    await using _k = await startKestrel(buildKestrelApp(), {
      ASPNETCORE_Kestrel__Certificates__Default__Path: cert,
      ASPNETCORE_Kestrel__Certificates__Default__KeyPath: key,
      ...(password !== undefined ? { ASPNETCORE_Kestrel__Certificates__Default__Password: password } : {}),
    });
    return { served: true, error: '' };
  } catch (err) {
    const messages = [...(err as Error).message.matchAll(/\w+Exception: ([^\n]+)/g)].map((m) => m[1]!);
    return { served: false, error: messages.at(-1) ?? (err as Error).message };
  }
}

describe.runIf(run)('Kestrel and the key files it cannot use as they are', () => {
  beforeAll(() => {
    buildKestrelApp();
  }, 300_000);

  it.each([
    ['an EC key with explicit curve parameters', 'key-explicit-ec', 'tls.crt', 'tls.key', undefined, 'KEY_REENCODED'],
    ['a key under traditional Proc-Type encryption', 'key-traditional', 'cert.pem', 'key.pem', PASS, 'KEY_REENCODED'],
    ['a bundle that starts with the root', 'pem-reversed', 'cert.pem', 'key.pem', undefined, 'LEAF_NOT_FIRST'],
  ])(
    '%s: the source stops Kestrel as the finding says; the published set is served',
    async (_what, dir, crt, key, password, code) => {
      const source = path.join(FIXTURES, dir);
      const env: Record<string, string> = password !== undefined ? { KCS_PASSWORD: password } : {};
      const direct = await kestrelWith(path.join(source, crt), path.join(source, key), password);
      expect(direct.served).toBe(false);
      const check = sidecar('check', source, [], env);
      expect(check.code).toBe(0);
      const line = check.text.split('\n').find((l) => l.includes(code))!;
      // The finding quotes Kestrel's own exception message (without "(Parameter ...)" and the sentence after).
      const quoted = direct.error.replace(/ \(Parameter '\w+'\)$/, '').replace(/\. Check that .*$/, '');
      expect(line).toContain(quoted);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-keys-out-'));
      expect(sidecar('init', source, ['--output', out], env).code).toBe(0);
      const published = await kestrelWith(path.join(out, 'tls.crt'), path.join(out, 'tls.key'));
      expect(published).toEqual({ served: true, error: '' });
    },
    180_000,
  );
});
