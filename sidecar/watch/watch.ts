// `watch`: init, then keep the published set current. It re-runs the pipeline when the source
// changes (chokidar on the directory, since Kubernetes swaps ..data symlinks rather than writing
// files), when a 60 s rescan finds the files changed, and when a generated certificate reaches
// two-thirds of its lifetime. An invalid source never replaces the live set: the failure is logged
// with its code, /readyz reports degraded, and it is retried with capped exponential backoff and jitter.
//
// The sidecar idles for days between rotations, so the process that waits stays small: the file
// watcher, the timers and the health server. The CLI runs each publish in a short-lived worker
// process (publish-worker), which loads node:crypto, node-forge and the pipeline, publishes, reports
// back and exits, returning its memory. A worker that crashes is a failed attempt, retried like any.
// The library (startWatch without a publisher) publishes in-process, for test harnesses.
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { Config } from '../settings/config.js';
import { ExitCode, formatFinding, type Finding } from '../findings.js';
import { startHealthServer, type HealthState } from './health.js';
import type { OutputPassword } from '../pipeline.js';
import { fingerprint, outputFingerprint } from './fingerprint.js';
import { inProcess, type Publisher } from './publishers.js';
import type { StepResult } from './step.js';
import { Dir } from '../publish/dir.js';
import type { Out } from '../out.js';

export { fingerprint, outputFingerprint } from './fingerprint.js';
export { WORKER_TIMEOUT_MS, inProcess, workerPublisher, type Publisher } from './publishers.js';
import { cleanupIn, relinkIn } from '../publish/atomic-writer.js';
import { readManifest } from '../publish/live-set.js';
import { lockOutput } from '../publish/output.js';

/** Events come in bursts (a copy, a ..data swap): wait this long for quiet... */
export const DEBOUNCE_MS = 100;
/** ...but never longer than this after the first event of a burst. */
export const MAX_WAIT_MS = 1000;
/** After a publish, the links are replaced once more this much later (see relink). */
export const RELINK_AFTER_MS = 2000;
/** A full rescan catches events the watcher missed (network file systems, overlay quirks). */
export const RESCAN_MS = 60_000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

type Io = Out;

/** Test seams: each is called at the start of its path, so a test can make that path throw. */
export type FaultPoint = 'cleanup' | 'relink' | 'rescan' | 'renewal' | 'retry' | 'health';

export interface Watcher {
  state: HealthState;
  /** Runs the pipeline now (what a file event triggers after the debounce). */
  trigger(reason: string): Promise<void>;
  stop(): Promise<void>;
  server?: net.Server;
}

function log(cfg: Config, io: Io, level: 'info' | 'warning' | 'error', msg: string, f?: Finding): void {
  if (cfg.logFormat === 'json') io.err(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...(f ?? {}) })}\n`);
  else io.err(`${new Date().toISOString()} ${f ? formatFinding(f).replace(/\n/g, ' | ') : `${level}: ${msg}`}\n`);
}

export interface WatchOptions {
  health?: boolean;
  publisher?: Publisher;
  /** Test seams only: makes a path throw, to prove the process stays up. */
  faults?: Partial<Record<FaultPoint, () => void>>;
  /** The rescan interval (RESCAN_MS unless a test asks for a shorter one). */
  rescanMs?: number;
}

export async function startWatch(cfg: Config, io: Io, opts: WatchOptions = {}): Promise<Watcher> {
  const publisher = opts.publisher ?? inProcess;
  const faults = opts.faults ?? {};
  const manifest = readManifest(cfg.output);
  const state: HealthState = { publishes: 0, failures: 0, degraded: false };
  if (manifest) Object.assign(state, { generation: manifest.generation, sha256: manifest.sha256, notAfter: new Date(manifest.notAfter), manifest });
  // Kestrel read the password at start; the first publish reports the one it used (a generated one
  // is read back from the volume), and every later one is made with it, even when the input password changes.
  let pinned: OutputPassword | undefined;
  const paths = [cfg.source, cfg.passwordFile, cfg.userSecrets, cfg.outputPasswordFile].filter((p): p is string => p !== undefined).map((p) => path.resolve(p));
  let lastGood: string | undefined;
  let rescanTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let cleanupTimer: NodeJS.Timeout | undefined;
  let relinkTimer: NodeJS.Timeout | undefined;
  let backoff = BACKOFF_MIN_MS;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  /** Every timer and callback runs through this: nothing it throws may end the process (a volume
   *  remounted read-only, a full disk, a directory where a link was). It is logged and counted. */
  const guarded = (what: FaultPoint, fn: () => void) => () => {
    try {
      faults[what]?.();
      fn();
    } catch (err) {
      state.failures++;
      log(cfg, io, 'warning', `${what}: ${(err as Error).message}; the sidecar keeps running`);
    }
  };
  const schedule = (what: FaultPoint, fn: () => void, ms: number) => {
    const t = setTimeout(guarded(what, fn), Math.min(ms, 2 ** 31 - 1));
    t.unref?.();
    return t;
  };
  /** Tidying of the output (clean-up, relink) runs under its lock, so it never races a publish;
   *  when another writer holds it, it is tried again a second later. */
  const tidy = (what: 'cleanup' | 'relink', fn: (out: Dir) => void) =>
    Dir.using(cfg.output, (out) => {
      const release = lockOutput(out, { wait: false });
      if (!release) {
        if (what === 'cleanup') cleanupTimer = schedule('cleanup', () => tidy('cleanup', fn), 1000);
        else relinkTimer = schedule('relink', () => tidy('relink', fn), 1000);
        return;
      }
      try {
        fn(out);
      } finally {
        release();
      }
    });

  const applied = (r: Extract<StepResult, { ok: true }>, seen: string) => {
    lastGood = seen;
    state.generation = r.generation;
    state.sha256 = r.sha256;
    state.notAfter = new Date(r.notAfter);
    state.lastSuccess = new Date();
    state.degraded = false;
    if (r.changed || !state.manifest) state.manifest = readManifest(cfg.output);
    pinned ??= r.outputPassword;
    state.renewAt = r.renewAt ? new Date(r.renewAt) : undefined;
    if (r.changed) {
      state.publishes++;
      clearTimeout(relinkTimer);
      relinkTimer = schedule('relink', () => tidy('relink', relinkIn), RELINK_AFTER_MS);
      log(cfg, io, 'info', `published ${r.generation}: ${r.subject}, sha256 ${r.sha256}, expires ${r.notAfter}`);
    }
    clearTimeout(renewTimer);
    if (r.renewAt) renewTimer = schedule('renewal', () => void trigger('renewal'), Date.parse(r.renewAt) - Date.now() + 1000);
    clearTimeout(cleanupTimer);
    if (r.cleanupAt) cleanupTimer = schedule('cleanup', () => tidy('cleanup', (out) => cleanupIn(out, new Date())), Date.parse(r.cleanupAt) - Date.now() + 50);
    for (const f of r.warnings ?? []) log(cfg, io, 'warning', f.message, f);
  };

  const failed = (reason: string, findings: Finding[], broken?: Error) => {
    state.failures++;
    state.degraded = state.generation !== undefined;
    if (findings[0]) state.lastFinding = findings[0];
    for (const f of findings) log(cfg, io, 'error', `${reason}: kept the last good set`, f);
    if (broken) log(cfg, io, 'error', `${reason}: ${broken.message}; kept the last good set`);
    // Capped exponential backoff with full jitter; a file event retries sooner anyway.
    const delay = Math.round(backoff / 2 + (Math.random() * backoff) / 2);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    clearTimeout(retryTimer);
    retryTimer = schedule('retry', () => void trigger('retry'), delay);
  };

  const runOnce = async (reason: string) => {
    // Taken before the publish: a change while it runs then differs from it, and is not skipped.
    const seen = fingerprint(paths);
    let r: StepResult;
    try {
      r = await publisher({ cfg, ...(pinned ? { pinned } : {}) });
    } catch (err) {
      failed(reason, [], err as Error);
      return;
    }
    if (!r.ok) {
      failed(reason, r.findings);
      return;
    }
    applied(r, `${seen}\n${outputFingerprint(cfg.output)}`);
    backoff = BACKOFF_MIN_MS;
    clearTimeout(retryTimer);
  };

  const trigger = (reason: string): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await runOnce(reason);
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // First: a health port in use is a configuration error, said before anything is published.
  const server = opts.health === false ? undefined : await startHealthServer(cfg.healthPort, () => state, cfg.healthAddress, faults.health);
  await trigger('start');

  // Debounce: a trailing window, bounded by a maximum wait from the first event.
  let first = 0;
  let debounce: NodeJS.Timeout | undefined;
  const onEvent = () => {
    const now = Date.now();
    if (!debounce) first = now;
    clearTimeout(debounce);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, first + MAX_WAIT_MS - now));
    debounce = setTimeout(() => {
      debounce = undefined;
      void trigger('change');
    }, wait);
  };

  let watcher: FSWatcher | undefined;
  if (paths.length) {
    // The directory, not single files: Kubernetes replaces ..data, and a file watch would stay on the old inode.
    const dirs = paths.map((p) => (fs.existsSync(p) && fs.statSync(p).isDirectory() ? p : path.dirname(p)));
    watcher = chokidarWatch([...new Set(dirs)], { ignoreInitial: true, followSymlinks: true, depth: 2, awaitWriteFinish: false });
    watcher.on('all', onEvent);
    watcher.on('error', (e) => log(cfg, io, 'warning', `file watcher: ${(e as Error).message}`));
    await new Promise<void>((r) => watcher!.once('ready', () => r()));
  }
  // The rescan publishes only when a file changed since the last good publish (or while failing).
  const rescan = guarded('rescan', () => {
    if (lastGood === undefined || `${fingerprint(paths)}\n${outputFingerprint(cfg.output)}` !== lastGood) void trigger('rescan');
  });
  // Once now: a change made between the first publish and the watcher's start (which reports no
  // initial events) would otherwise wait for the first rescan, 60 s later.
  if (lastGood !== undefined) rescan();
  rescanTimer = setInterval(rescan, opts.rescanMs ?? RESCAN_MS);
  rescanTimer.unref?.();

  return {
    state,
    trigger,
    ...(server ? { server } : {}),
    async stop() {
      stopped = true;
      clearTimeout(debounce);
      clearTimeout(retryTimer);
      clearTimeout(renewTimer);
      clearTimeout(cleanupTimer);
      clearTimeout(relinkTimer);
      clearInterval(rescanTimer);
      await Promise.all([watcher?.close(), server ? new Promise((r) => server.close(() => r(undefined))) : undefined, running]);
    },
  };
}

export async function runWatch(cfg: Config, io: Io, publisher?: Publisher): Promise<number> {
  // Handlers first: a signal during start-up must still end the process cleanly, with exit code 0.
  let signalled: string | undefined;
  let onSignal: (sig: string) => void = (sig) => (signalled = sig);
  const handler = (sig: NodeJS.Signals) => onSignal(sig);
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  const w = await startWatch(cfg, io, publisher ? { publisher } : {});
  const port = (w.server?.address() as { port?: number } | null)?.port ?? cfg.healthPort;
  const where = cfg.healthAddress === undefined ? 'every address; set KCS_HEALTH_ADDRESS=127.0.0.1 to keep it on this host' : `address ${cfg.healthAddress}`;
  log(cfg, io, 'info', `watching ${cfg.source ?? '(generated certificate)'}; health on :${port} (${where})`);
  await new Promise<void>((resolve) => {
    onSignal = (sig: string) => {
      log(cfg, io, 'info', `${sig}: stopping`);
      // A publish in progress finishes (it takes milliseconds; a generation is swapped in whole or
      // not at all), then the process ends.
      const force = setTimeout(() => resolve(), 1500);
      force.unref();
      void w.stop().then(() => resolve());
    };
    if (signalled) onSignal(signalled);
  });
  return ExitCode.ok;
}
