// No password or key material in any output: every command, --verbose, JSON logs, failure paths and
// the health endpoints run with distinctive passwords and a known key; then all stdout, stderr, HTTP
// bodies and the published non-secret files are searched for them in plain text, base64 and hex.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/helpers.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const INPUT_PW = 'Sx9-Distinctive-Input-Pw';
const OUTPUT_PW = 'Qz7-Distinctive-Output-Pw';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every form a secret could leak in: plain, base64, hex, and for the key, windows of its encodings. */
function needles(): { what: string; text: string }[] {
  const out: { what: string; text: string }[] = [];
  for (const pw of [INPUT_PW, OUTPUT_PW]) {
    out.push({ what: `password ${pw}`, text: pw });
    out.push({ what: `password ${pw} (base64)`, text: Buffer.from(pw).toString('base64').replace(/=+$/, '') });
    out.push({ what: `password ${pw} (hex)`, text: Buffer.from(pw).toString('hex') });
  }
  const der = crypto.createPrivateKey(fs.readFileSync(fixture('rsa2048.key'))).export({ type: 'pkcs8', format: 'der' });
  const b64 = der.toString('base64');
  const hex = der.toString('hex');
  for (let at = 40; at + 48 < b64.length; at += 97)
    out.push({ what: `key base64 @${at}`, text: b64.slice(at, at + 48) });
  for (let at = 64; at + 64 < hex.length; at += 211) out.push({ what: `key hex @${at}`, text: hex.slice(at, at + 64) });
  return out;
}

describe('secrets never reach any output', () => {
  it('is true for every command, with --verbose, JSON logs, failures and the health endpoints', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-secrets-'));
    const src = path.join(dir, 'src');
    fs.mkdirSync(src);
    const pfx = path.join(src, 'api.pfx');
    spawnSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      fixture('rsa2048.key'),
      '-in',
      fixture('rsa2048.crt'),
      '-certfile',
      fixture('chain.crt'),
      '-out',
      pfx,
      '-passout',
      `pass:${INPUT_PW}`,
    ]);
    const pwFile = path.join(dir, 'password');
    fs.writeFileSync(pwFile, `${INPUT_PW}\n`);
    const out = path.join(dir, 'out');
    const base = {
      PATH: process.env.PATH!,
      KCS_SOURCE: src,
      KCS_OUTPUT: out,
      KCS_OWNER: `${process.getuid!()}:${process.getgid!()}`,
    };
    const transcripts: string[] = [];
    const cli = (args: string[], env: Record<string, string>) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...base, ...env }, encoding: 'utf8' });
      // Not the arguments: one of them is a password on purpose.
      transcripts.push(`$ run ${transcripts.length}\n${r.stdout}${r.stderr}`);
      return r;
    };

    expect(cli(['init', '--verbose'], { KCS_PASSWORD_FILE: pwFile, KCS_OUTPUT_PASSWORD: OUTPUT_PW }).status).toBe(0);
    expect(
      cli(['init', '--verbose', '--log-format', 'json', '--kestrel-format', 'pem'], { KCS_PASSWORD: INPUT_PW }).status,
    ).toBe(0);
    expect(cli(['check', '--verbose'], { KCS_PASSWORD: INPUT_PW }).status).toBe(0);
    expect(cli(['check', '--json', '--verbose'], { KCS_PASSWORD: INPUT_PW }).status).toBe(0);
    expect(cli(['check', '--json'], { KCS_PASSWORD: `${INPUT_PW}-wrong` }).status).toBe(4);
    expect(cli(['init', '--verbose'], { KCS_PASSWORD: `${INPUT_PW}x` }).status).toBe(4);
    expect(cli(['init', '--verbose', '--log-format', 'json'], { KCS_PASSWORD: `x${INPUT_PW}` }).status).toBe(4);
    expect(cli(['init', '--password', INPUT_PW], {}).status).toBe(2); // refused, and not echoed back
    expect(cli(['probe', '--url', 'https://127.0.0.1:1/', '--verbose'], { KCS_PASSWORD: INPUT_PW }).status).toBe(6);
    expect(cli(['--help'], { KCS_PASSWORD: INPUT_PW }).status).toBe(0);
    const verbose = transcripts[0]!;
    expect(verbose).toContain('"KCS_OUTPUT_PASSWORD":"***"');
    expect(transcripts[2]).toContain('"KCS_PASSWORD":"***"');

    // watch, its logs, and every health endpoint
    const w = spawn(process.execPath, [BIN, 'watch', '--verbose', '--log-format', 'json', '--health-port', '0'], {
      env: { ...base, KCS_PASSWORD_FILE: pwFile, KCS_OUTPUT_PASSWORD: OUTPUT_PW },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let wlog = '';
    w.stdout.on('data', (d) => (wlog += d));
    w.stderr.on('data', (d) => (wlog += d));
    for (let i = 0; i < 100 && !/health on :(\d+)/.test(wlog); i++) await sleep(50);
    const port = /health on :(\d+)/.exec(wlog)?.[1];
    expect(port).toBeDefined();
    for (const p of ['/healthz', '/readyz', '/metrics', '/status'])
      transcripts.push(`GET ${p}\n${await (await fetch(`http://127.0.0.1:${port}${p}`)).text()}`);
    fs.writeFileSync(pwFile, 'now-wrong\n'); // a failure path inside watch
    for (let i = 0; i < 100 && !/PASSWORD_WRONG/.test(wlog); i++) await sleep(50);
    transcripts.push(`GET /status (degraded)\n${await (await fetch(`http://127.0.0.1:${port}/status`)).text()}`);
    w.kill('SIGTERM');
    await new Promise((r) => w.on('exit', r));
    transcripts.push(wlog);
    expect(wlog).toContain('PASSWORD_WRONG');

    // the published files that are not secrets
    for (const f of ['tls.crt', 'ca.crt', 'manifest.json', 'kestrel.env', 'kestrel.json', 'trust/ca-bundle.crt'])
      transcripts.push(`${f}\n${fs.readFileSync(path.join(out, f), 'utf8')}`);

    const all = transcripts.join('\n');
    const hits = needles()
      .filter((n) => all.includes(n.text))
      .map((n) => `${n.what} in: ${transcripts.find((t) => t.includes(n.text))!.slice(0, 300)}`);
    console.log(`secret scan: ${transcripts.length} outputs, ${needles().length} needles, ${hits.length} hits`);
    expect(hits).toEqual([]);
  });
});
