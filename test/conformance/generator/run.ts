// One generator run: make each seed's case (produce.ts), judge it, and set `check` beside the truth.
// The truth: the material is usable when Kestrel (the judge, .NET 10) serves tls.crt + tls.key as
// they are, and every strict client trusting only ca.crt completes a handshake for `localhost`:
// OpenSSL 3 `s_client -verify_return_error -verify_hostname` and Node's `tls.connect`. `check`
// (the built CLI, as users run it) must exit 0 exactly for the usable ones.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BIN, cleanEnv, ROOT } from '../../integration/support/env.js';
import { type ServeCase, serve } from '../judge/run.js';
import { keyPool, pool, produce } from './produce.js';
import { type CaseSpec, caseFor, describeCase } from './space.js';

const exec = promisify(execFile);
/** Kestrels started by one judge process: bounded so that a big run does not hold thousands of listeners. */
const SERVE_BATCH = 100;
const WIDTH = Math.max(2, os.availableParallelism());
/** In-process checks share this thread: one at a time; CLI checks run beside each other. */
const CHECK_WIDTH = process.env.GENERATOR_CHECK === 'cli' ? WIDTH : 1;
/** Kestrel's file watchers (configuration and certificate reload) cost ~80 ms of CPU per start and are not
 *  what is judged: loading and serving the certificate is the same code either way. */
const JUDGE_ENV = { DOTNET_hostBuilder__reloadConfigOnChange: 'false' };

export interface CaseResult {
  seed: number;
  spec: CaseSpec;
  description: string;
  /** OpenSSL could not make the case: it is reported, never judged. */
  unproducible?: string;
  kestrel?: { ok: boolean; error?: string };
  clients?: { openssl: boolean; opensslError?: string; node: boolean; nodeError?: string };
  check?: { exit: number; ok: boolean; errors: string[]; text: string };
  usable?: boolean;
  agrees?: boolean;
}

/** OpenSSL 3 s_client, trusting only `anchor`, asking for `localhost`. */
async function opensslClient(port: number, anchor: string): Promise<{ ok: boolean; error?: string }> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'];
  args.push('-verify_return_error', '-verify_hostname', 'localhost', '-CAfile', anchor);
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = execFile('openssl', args, { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}\n${stderr}` }),
    );
    child.stdin?.end();
  });
  if (r.code === 0 && r.out.includes('Verify return code: 0 (ok)')) return { ok: true };
  const why = /verify error:num=\d+:([^\n]+)/.exec(r.out)?.[1] ?? /Verify return code: ([^\n]+)/.exec(r.out)?.[1];
  return { ok: false, error: why ?? r.out.trim().split('\n').slice(-1)[0] ?? `exit ${r.code}` };
}

/** Node's tls.connect with the default checks, trusting only `anchor`. */
function nodeClient(port: number, anchor: string): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(anchor) },
      () => {
        socket.end();
        resolve({ ok: true });
      },
    );
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, error: e.code ?? e.message }));
  });
}

type Main = (
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: { out: (s: string) => void; err: (s: string) => void },
) => Promise<number>;
let libraryMain: Promise<Main> | undefined;

/** `check --json` on the source directory: the CLI's own main() from the built library (dist/lib), in this
 *  process (a child process each costs ~0.15 s of CPU), or the built CLI itself with GENERATOR_CHECK=cli. */
async function check(source: string): Promise<NonNullable<CaseResult['check']>> {
  const argv = ['check', '--source', source, '--hostnames', 'localhost', '--json'];
  let exit = 0;
  let stdout = '';
  let stderr = '';
  if (process.env.GENERATOR_CHECK === 'cli') {
    try {
      ({ stdout, stderr } = await exec(process.execPath, [BIN, ...argv], { env: cleanEnv(), maxBuffer: 1 << 22 }));
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      exit = typeof e.code === 'number' ? e.code : -1;
      stdout = e.stdout ?? '';
      stderr = e.stderr ?? '';
    }
  } else {
    libraryMain ??= import(pathToFileURL(path.join(ROOT, 'dist/lib/index.mjs')).href).then((m) => m.main as Main);
    const main = await libraryMain;
    exit = await main(argv, cleanEnv(), { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  }
  let errors: string[] = [];
  try {
    const report = JSON.parse(stdout) as { findings?: { code: string; severity: string }[] };
    errors = (report.findings ?? []).filter((f) => f.severity === 'error').map((f) => f.code);
  } catch {
    errors = [...`${stdout}\n${stderr}`.matchAll(/^([A-Z_]{6,}) /gm)].map((m) => m[1]!);
  }
  return { exit, ok: exit === 0, errors, text: `${stdout}\n${stderr}`.trim() };
}

/** Judges `seeds`: producing, serving in batches, the clients and `check`, a few at a time. */
export async function judgeSeeds(
  judge: string,
  seeds: number[],
  work: string = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-generator-')),
  log: (line: string) => void = () => {},
): Promise<CaseResult[]> {
  const keys = await keyPool(path.join(ROOT, '.cache', 'generator-keys'));
  const results: CaseResult[] = [];
  for (let start = 0; start < seeds.length; start += SERVE_BATCH) {
    const batch = seeds.slice(start, start + SERVE_BATCH);
    const t0 = Date.now();
    const made = await pool(batch, WIDTH, async (seed) => {
      const spec = caseFor(seed);
      const p = await produce(work, spec, keys);
      return { seed, spec, description: describeCase(spec), p };
    });
    const cases: ServeCase[] = made
      .filter((m) => !m.p.error)
      .map((m) => ({
        id: String(m.seed),
        mode: 'pem-urls',
        path: path.join(m.p.dir, 'tls.crt'),
        keyPath: path.join(m.p.dir, 'tls.key'),
      }));
    const t1 = Date.now();
    const [served, checked] = await Promise.all([
      serve(judge, cases, JUDGE_ENV).then((s) => {
        log(`  kestrel: ${Date.now() - t1} ms`);
        return s;
      }),
      pool(made, CHECK_WIDTH, (m) => (m.p.error ? Promise.resolve(undefined) : check(m.p.dir))).then((c) => {
        log(`  check: ${Date.now() - t1} ms`);
        return c;
      }),
    ]);
    const t2 = Date.now();
    try {
      const judged = await pool(made, WIDTH, async (m, i): Promise<CaseResult> => {
        const base = { seed: m.seed, spec: m.spec, description: m.description };
        if (m.p.error) return { ...base, unproducible: m.p.error };
        const r = served.results.get(String(m.seed));
        const anchor = path.join(m.p.dir, 'ca.crt');
        const kestrel = r?.port ? { ok: true } : { ok: false, error: r?.error ?? 'no answer from the judge' };
        let clients: CaseResult['clients'];
        if (r?.port) {
          const [o, n] = await Promise.all([opensslClient(r.port, anchor), nodeClient(r.port, anchor)]);
          clients = {
            openssl: o.ok,
            node: n.ok,
            ...(o.error ? { opensslError: o.error } : {}),
            ...(n.error ? { nodeError: n.error } : {}),
          };
        }
        const usable = kestrel.ok && !!clients?.openssl && !!clients?.node;
        const c = checked[i]!;
        return { ...base, kestrel, ...(clients ? { clients } : {}), check: c, usable, agrees: c.ok === usable };
      });
      results.push(...judged);
    } finally {
      await served.stop();
    }
    log(
      `judged ${results.length}/${seeds.length}: made in ${t1 - t0} ms, served and checked in ${t2 - t1} ms, clients in ${Date.now() - t2} ms`,
    );
  }
  return results;
}

/** One line a person can act on, for a case where `check` and the consumers disagree. */
export function explain(r: CaseResult): string {
  const said = r.check!.ok
    ? 'check: valid'
    : `check: exit ${r.check!.exit} ${r.check!.errors.join(',') || r.check!.text.split('\n')[0]}`;
  const k = r.kestrel!.ok ? 'Kestrel serves' : `Kestrel refuses (${r.kestrel!.error})`;
  const c = r.clients
    ? `OpenSSL ${r.clients.openssl ? 'accepts' : `refuses (${r.clients.opensslError})`}, Node ${r.clients.node ? 'accepts' : `refuses (${r.clients.nodeError})`}`
    : 'clients not asked';
  // The case's directory changes from run to run; the file name is enough.
  return `seed ${r.seed}: ${r.description} | ${said} | ${k}; ${c}`.replace(
    /\S*kcs-generator-[^/]+\/\d+\/source\//g,
    '',
  );
}
