// One generator run: make each seed's case (produce.ts), judge it, and set `check` beside the truth.
// The truth: the material is usable when Kestrel (the judge, .NET 10) serves tls.crt + tls.key in the
// order `init` publishes them (the leaf first: produce.ts writes served.crt), and every strict client
// trusting only ca.crt completes a handshake for `localhost` (clients.ts: OpenSSL 3 s_client, curl, Node tls,
// Python ssl, .NET HttpClient, as in the matrix).
// `check` (the CLI's main, as users run it) must exit 0 exactly for the usable ones.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BIN, cleanEnv, ROOT } from '../../integration/support/env.js';
import { type ServeCase, serve } from '../judge/run.js';
import {
  CLIENTS,
  type Client,
  curlClient,
  dotnetClients,
  nodeClient,
  opensslClient,
  pythonClients,
  type Target,
  type Verdict,
} from './clients.js';
import { keyPool, pool, type Produced, produce } from './produce.js';
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
  kestrel?: Verdict;
  /** Asked only when Kestrel serves. */
  clients?: Record<Client, Verdict>;
  check?: { exit: number; ok: boolean; errors: string[]; text: string };
  usable?: boolean;
  agrees?: boolean;
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
  const make = (from: number) =>
    pool(seeds.slice(from, from + SERVE_BATCH), WIDTH, async (seed) => {
      const spec = caseFor(seed);
      return { seed, spec, description: describeCase(spec), p: await produce(work, spec, keys) };
    });
  const results: CaseResult[] = [];
  // The next batch is made while this one is judged: judging waits on handshakes and the judge's starts.
  let next = make(0);
  for (let start = 0; start < seeds.length; start += SERVE_BATCH) {
    const t0 = Date.now();
    const made = await next;
    if (start + SERVE_BATCH < seeds.length) next = make(start + SERVE_BATCH);
    results.push(...(await judgeBatch(judge, made)));
    log(`judged ${results.length}/${seeds.length} (${Date.now() - t0} ms)`);
  }
  return results;
}

async function judgeBatch(
  judge: string,
  made: { seed: number; spec: CaseSpec; description: string; p: Produced }[],
): Promise<CaseResult[]> {
  const producible = made.filter((m) => !m.p.error);
  const cases: ServeCase[] = producible.map((m) => ({
    id: String(m.seed),
    mode: 'pem-urls',
    path: m.p.served!,
    keyPath: path.join(m.p.dir, 'tls.key'),
  }));
  const [served, checked] = await Promise.all([
    serve(judge, cases, JUDGE_ENV),
    pool(producible, CHECK_WIDTH, (m) => check(m.p.dir)),
  ]);
  const checks = new Map(producible.map((m, i) => [m.seed, checked[i]!]));
  try {
    const targets: Target[] = producible.flatMap((m) => {
      const port = served.results.get(String(m.seed))?.port;
      return port ? [{ id: String(m.seed), port, anchor: path.join(m.p.dir, 'ca.crt') }] : [];
    });
    const [python, dotnet, each] = await Promise.all([
      pythonClients(targets),
      dotnetClients(judge, targets),
      pool(targets, WIDTH, async (t) => {
        const [openssl, curl, node] = await Promise.all([opensslClient(t), curlClient(t), nodeClient(t)]);
        return { openssl, curl, node };
      }),
    ]);
    const byId = new Map(targets.map((t, i) => [t.id, each[i]!]));
    return made.map((m): CaseResult => {
      const base = { seed: m.seed, spec: m.spec, description: m.description };
      if (m.p.error) return { ...base, unproducible: m.p.error };
      const id = String(m.seed);
      const r = served.results.get(id);
      const kestrel: Verdict = r?.port ? { ok: true } : { ok: false, error: r?.error ?? 'no answer from the judge' };
      const c = checks.get(m.seed)!;
      if (!r?.port) return { ...base, kestrel, check: c, usable: false, agrees: !c.ok };
      const missing = { ok: false, error: 'no answer' };
      const clients = {
        ...byId.get(id)!,
        python: python.get(id) ?? missing,
        dotnet: dotnet.get(id) ?? missing,
      };
      const usable = CLIENTS.every((k) => clients[k].ok);
      return { ...base, kestrel, clients, check: c, usable, agrees: c.ok === usable };
    });
  } finally {
    await served.stop();
  }
}

/** The class of a disagreement, in words that stay the same from case to case: what check said, and the
 *  first consumer's reason on the other side (no thumbprints, no paths). */
export function classOf(r: CaseResult): string {
  const clean = (t: string) =>
    t
      .replace(/\b[0-9A-F]{40}\b/g, '<thumbprint>')
      .replace(/'[^']*\/(tls\.\w+)'/g, "'$1'")
      .replace(/ \(_ssl\.c:\d+\)/, '')
      .slice(0, 160);
  if (r.usable) {
    const said =
      [...new Set(r.check!.errors)].join(', ') || `exit ${r.check!.exit}: ${clean(r.check!.text.split('\n')[0] ?? '')}`;
    return `check refuses (${said}) what Kestrel and every client accept`;
  }
  if (!r.kestrel!.ok) return `check accepts what Kestrel refuses: ${clean(r.kestrel!.error ?? '')}`;
  const [who, v] = Object.entries(r.clients!).find(([, x]) => !x.ok)!;
  return `check accepts what ${who} refuses: ${clean(v.error ?? '')}`;
}

/** One line a person can act on, for a case where `check` and the consumers disagree. */
export function explain(r: CaseResult): string {
  const said = r.check!.ok
    ? 'check: valid'
    : `check: exit ${r.check!.exit} ${r.check!.errors.join(',') || r.check!.text.split('\n')[0]}`;
  const k = r.kestrel!.ok ? 'Kestrel serves' : `Kestrel refuses (${r.kestrel!.error})`;
  const c = r.clients
    ? CLIENTS.map((n) => `${n} ${r.clients![n].ok ? 'accepts' : `refuses (${r.clients![n].error})`}`).join(', ')
    : 'clients not asked';
  // The case's directory changes from run to run; the file name is enough.
  return `seed ${r.seed}: ${r.description} | ${said} | ${k}; ${c}`.replace(
    /\S*kcs-generator-[^/]+\/\d+\/source\//g,
    '',
  );
}
