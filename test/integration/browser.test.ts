// Trust proven in a real browser: Debian's Chromium, headless, with a fresh HOME, loads a page that a real
// Kestrel serves from the published set. It fails with a certificate error before `trust --install`
// (the negative control), loads the app's page after it, and fails again after `trust --uninstall`.
// Nothing outside the temporary HOME changes but the system store (as root), which is restored.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, ENABLE, missing, missingAspNet, needsAll } from './support/env.js';
import { buildKestrelApp, startKestrel, type RunningApp } from './support/kestrel.js';

const run = needsAll('browser (trust proven in Chromium)', [
  [missing('chromium', ['--version']), ENABLE.browser],
  [
    missing('sh', ['-c', 'command -v certutil || { echo "certutil (libnss3-tools) is not installed" >&2; exit 1; }']),
    ENABLE.browser,
  ],
  [missingAspNet(), ENABLE.dotnet],
]);
const ARTEFACTS = path.join(ROOT, 'test-results');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const sha = (f: string) =>
  fs.existsSync(f) ? crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex') : 'none';

describe.runIf(run)('trust, proven in headless Chromium', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-browser-home-'));
  const out = path.join(home, 'out');
  const env = cleanEnv({ HOME: home });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  const bundleBefore = sha(SYSTEM_BUNDLE);
  let app: RunningApp;
  let url: string;

  /** Loads `url` in a fresh profile; the page's DOM and Chromium's log. */
  function chromium(extra: string[] = []) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-chromium-'));
    const r = spawnSync(
      'chromium',
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...extra,
        url,
      ],
      { env, encoding: 'utf8', timeout: 60_000 },
    );
    fs.rmSync(profile, { recursive: true, force: true });
    return { dom: r.stdout, log: r.stderr };
  }

  beforeAll(async () => {
    const init = cli('init', '--output', out, '--hostnames', 'localhost');
    expect(init.status, init.stderr).toBe(0);
    app = await startKestrel(
      buildKestrelApp(),
      {
        ASPNETCORE_Kestrel__Certificates__Default__Path: path.join(out, 'tls.crt'),
        ASPNETCORE_Kestrel__Certificates__Default__KeyPath: path.join(out, 'tls.key'),
      },
      'the trusted app',
    );
    url = `https://localhost:${app.port}/`;
  }, 300_000);

  afterAll(async () => {
    cli('trust', '--uninstall'); // restores the system store if a test stopped half-way
    await app?.[Symbol.asyncDispose]();
    expect(sha(SYSTEM_BUNDLE)).toBe(bundleBefore);
  });

  it('before trust --install: a certificate error (the negative control)', () => {
    const r = chromium(['--dump-dom']);
    expect(r.log).toContain('net::ERR_CERT_AUTHORITY_INVALID');
    expect(r.dom).not.toContain('hello from');
  });

  it("after trust --install: the page is the app's response, and a screenshot shows it", () => {
    const install = cli('trust', '--install');
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);
    expect(install.stdout).toMatch(new RegExp(`^NSS for Chromium \\(${home}/\\.pki/nssdb\\): installed$`, 'm'));
    if (process.getuid?.() === 0) expect(install.stdout).toMatch(/^system store \(.*\): installed$/m);
    const status = cli('trust', '--status');
    expect(status.stdout).toMatch(/^NSS for Chromium .*: trusted$/m);
    const r = chromium(['--dump-dom']);
    expect(r.log).not.toContain('ERR_CERT');
    expect(r.dom).toContain('hello from the trusted app');
    fs.mkdirSync(ARTEFACTS, { recursive: true });
    const shot = path.join(ARTEFACTS, 'browser-trusted.png');
    fs.rmSync(shot, { force: true });
    chromium([`--screenshot=${shot}`, '--window-size=800,300']);
    expect(fs.readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    console.log(`screenshot of the trusted page: ${shot}`);
  });

  it('after trust --uninstall: the certificate error again, and the system store as it was', () => {
    const un = cli('trust', '--uninstall');
    expect(un.status).toBe(0);
    expect(un.stdout).toMatch(/^NSS for Chromium .*: removed$/m);
    expect(cli('trust', '--status').stdout).toMatch(/^NSS for Chromium .*: not trusted$/m);
    const r = chromium(['--dump-dom']);
    expect(r.log).toContain('net::ERR_CERT_AUTHORITY_INVALID');
    expect(r.dom).not.toContain('hello from');
    expect(sha(SYSTEM_BUNDLE)).toBe(bundleBefore);
  });
});
