// `probe`: connect over TLS with undici and confirm the server serves the published certificate.
// Reads only what publish wrote (manifest.json, ca.crt), through publish/published.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import type { Config } from '../settings/config.js';
import { ExitCode, KcsError, fail } from '../findings.js';
import { readPublished } from '../publish/published.js';

export interface ProbeOptions {
  url: string;
  expectSha256: string;
  /** PEM trust anchors; undefined with insecure. */
  ca?: string;
  insecure: boolean;
  waitMs: number;
  timeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  url: string;
  expected: string;
  served?: string;
  attempts: number;
  error?: string;
}

const norm = (fp: string) => fp.replace(/[^0-9a-f]/gi, '').toUpperCase();

/** One TLS connection and one request; resolves with the served certificate's SHA-256. */
async function probeOnce(opts: ProbeOptions): Promise<string> {
  let served: string | undefined;
  const timeout = opts.timeoutMs ?? 5000;
  const tls = { rejectUnauthorized: !opts.insecure, ...(opts.ca ? { ca: opts.ca } : {}), timeout };
  const connector = buildConnector(tls);
  const agent = new Agent({
    connect: (o, cb) =>
      connector(o, (err, socket) => {
        if (socket && 'getPeerCertificate' in socket)
          served = (socket as TLSSocket).getPeerCertificate().fingerprint256;
        cb(err as Error & null, socket as never);
      }),
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  try {
    const res = await request(opts.url, { dispatcher: agent, method: 'GET', signal: AbortSignal.timeout(timeout) });
    await res.body.dump();
  } finally {
    await agent.destroy();
  }
  if (!served) throw new Error('the server did not present a certificate');
  return served;
}

export async function probe(opts: ProbeOptions): Promise<ProbeResult> {
  const deadline = Date.now() + opts.waitMs;
  const result: ProbeResult = { ok: false, url: opts.url, expected: opts.expectSha256, attempts: 0 };
  for (;;) {
    result.attempts++;
    try {
      result.served = await probeOnce(opts);
      delete result.error;
      if (norm(result.served) === norm(opts.expectSha256)) return { ...result, ok: true };
    } catch (err) {
      const e = err as Error & { cause?: Error; code?: string };
      result.error = `${e.cause?.message ?? e.message}${e.code ? ` (${e.code})` : ''}`;
      delete result.served;
    }
    if (Date.now() + 500 > deadline) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function optionsFrom(cfg: Config): ProbeOptions {
  const { url, expectSha256, ca, insecure, waitMs } = cfg.probe;
  if (!url) fail('CONFIG_INVALID', 'probe needs --url', 'run probe --url https://api:8081');
  if (!/^https:\/\//i.test(url))
    fail(
      'CONFIG_INVALID',
      `probe --url \`${url}\` is not an https:// URL`,
      'give the HTTPS endpoint of the app, such as https://api:8081',
    );
  // What is published is read through the volume's reader, as the app sees it (through ..data, no
  // link followed inside the generation); --ca is a file of the user's.
  const published = readPublished(cfg.output, ['manifest.json', 'ca.crt']).files;
  const missing = (file: string, what: string, why: string): never =>
    fail(
      'SOURCE_NOT_FOUND',
      `cannot read ${what} ${file}: ${why}`,
      'run init first, or pass --expect-sha256 and --ca (or --insecure)',
      file,
    );
  let expected = expectSha256;
  if (!expected) {
    const file = path.join(cfg.output, 'manifest.json');
    const data = published.get('manifest.json');
    if (!data) missing(file, 'the manifest', 'nothing is published there');
    try {
      expected = JSON.parse(data!.toString('utf8')).sha256 as string;
    } catch (err) {
      fail('FILE_CORRUPT', `cannot read ${file}: it is not valid JSON`, 'run init again to republish', undefined, err);
    }
    if (typeof expected !== 'string') missing(file, 'the manifest', 'it names no sha256');
  }
  if (!/^[0-9a-f:]{64,95}$/i.test(expected!) || norm(expected!).length !== 64)
    fail(
      'CONFIG_INVALID',
      `--expect-sha256 \`${expected}\` is not a SHA-256 fingerprint`,
      'give 64 hex digits, with or without colons',
    );
  const anchors = insecure ? undefined : ca !== undefined ? readCa(ca) : published.get('ca.crt')?.toString('utf8');
  if (!insecure && anchors === undefined)
    missing(path.join(cfg.output, 'ca.crt'), 'the CA file', 'nothing is published there');
  return { url, expectSha256: expected!, insecure, waitMs, ...(anchors ? { ca: anchors } : {}) };
}

function readCa(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KcsError(
      {
        code: 'SOURCE_NOT_FOUND',
        message: `cannot read the CA file ${file}: ${(err as NodeJS.ErrnoException).code}`,
        hint: 'run init first, or pass --expect-sha256 and --ca (or --insecure)',
        file,
      },
      { cause: err },
    );
  }
}

export async function runProbe(
  cfg: Config,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const opts = optionsFrom(cfg);
  const r = await probe(opts);
  if (cfg.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
  if (r.ok) {
    if (!cfg.json) io.out(`ok ${opts.url} serves ${r.served}\n`);
    return ExitCode.ok;
  }
  const f = r.served
    ? new KcsError({
        code: 'PROBE_MISMATCH',
        message: `${opts.url} serves ${r.served}, not the published ${opts.expectSha256}`,
        hint: opts.waitMs
          ? 'Kestrel reloads the certificate within about 4 s of a change; ' +
            'check that the app mounts this volume and reads kestrel.env'
          : 'retry with --wait 30s to allow for Kestrel reloading',
      })
    : new KcsError({
        code: 'PROBE_UNREACHABLE',
        message: `cannot connect to ${opts.url}: ${r.error}`,
        hint: /certificate|self.signed|verify/i.test(r.error ?? '')
          ? 'trust the published ca.crt (the default), pass --ca FILE, or --insecure for a self-signed source'
          : 'check that the app is running and listens on that address; --wait 30s retries while it starts',
      });
  throw f;
}
