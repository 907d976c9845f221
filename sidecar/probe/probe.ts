// `probe`: connect over TLS with undici and confirm the server serves the published certificate.
// Reads only what publish wrote (manifest.json, ca.crt), through publish/published.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import type { Config } from '../settings/config.js';
import { ExitCode, fail, raise } from '../findings.js';
import { messages } from '../messages/index.js';
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
  if (!url) fail(messages.CONFIG_INVALID.probeNoUrl());
  if (!/^https:\/\//i.test(url)) fail(messages.CONFIG_INVALID.probeNotHttps({ url }));
  // What is published is read through the volume's reader, as the app sees it (through ..data, no
  // link followed inside the generation); --ca is a file of the user's.
  const published = readPublished(cfg.output, ['manifest.json', 'ca.crt']).files;
  const missing = (file: string, what: string, why: string): never =>
    fail(messages.SOURCE_NOT_FOUND.notPublished({ what, file, why }), file);
  let expected = expectSha256;
  if (!expected) {
    const file = path.join(cfg.output, 'manifest.json');
    const data = published.get('manifest.json');
    if (!data) missing(file, 'the manifest', 'nothing is published there');
    try {
      expected = JSON.parse(data!.toString('utf8')).sha256 as string;
    } catch (err) {
      fail(messages.FILE_CORRUPT.manifest({ file }), undefined, err);
    }
    if (typeof expected !== 'string') missing(file, 'the manifest', 'it names no sha256');
  }
  if (!/^[0-9a-f:]{64,95}$/i.test(expected!) || norm(expected!).length !== 64)
    fail(messages.CONFIG_INVALID.probeNotSha256({ value: expected }));
  const anchors = insecure ? undefined : ca !== undefined ? readCa(ca) : published.get('ca.crt')?.toString('utf8');
  if (!insecure && anchors === undefined)
    missing(path.join(cfg.output, 'ca.crt'), 'the CA file', 'nothing is published there');
  return { url, expectSha256: expected!, insecure, waitMs, ...(anchors ? { ca: anchors } : {}) };
}

function readCa(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw raise(messages.SOURCE_NOT_FOUND.probeCa({ file, errno: (err as NodeJS.ErrnoException).code }), file, err);
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
  const { url, expectSha256: expected, waitMs } = opts;
  if (r.served) fail(messages.PROBE_MISMATCH.mismatch({ url, served: r.served, expected, waited: Boolean(waitMs) }));
  const untrusted = /certificate|self.signed|verify/i.test(r.error ?? '');
  fail(messages.PROBE_UNREACHABLE.unreachable({ url, error: r.error, untrusted }));
}
