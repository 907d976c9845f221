// `watch`: init, then keep the published set current. It re-runs the same pipeline when the source
// changes (chokidar on the directory, since Kubernetes swaps ..data symlinks rather than writing
// files), on a 60 s rescan, and when a generated certificate reaches two-thirds of its lifetime.
// An invalid source never replaces the live set: the failure is logged with its code, /readyz
// reports degraded, and it is retried with capped exponential backoff and jitter.
import path from 'node:path';
import fs from 'node:fs';
import type net from 'node:net';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { Config } from './config.js';
import { ExitCode, KcsError, formatFinding, type Finding } from './findings.js';
import { startHealthServer, type HealthState } from './health.js';
import { InvalidMaterial, publish, type OutputPassword, type PublishResult } from './pipeline.js';
import { cleanup, relink } from './publish/atomic-writer.js';
import { readLive, readManifest } from './publish/live.js';

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

type Io = { out: (s: string) => void; err: (s: string) => void };

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

export async function startWatch(cfg: Config, io: Io, opts: { health?: boolean } = {}): Promise<Watcher> {
  const live = readLive(cfg.output);
  const state: HealthState = { publishes: 0, failures: 0, degraded: false };
  if (live.manifest) Object.assign(state, { generation: live.manifest.generation, sha256: live.manifest.sha256, notAfter: new Date(live.manifest.notAfter), manifest: live.manifest });
  // Kestrel read the password at start; keep the one that is live for the life of the app, even
  // when the input password changes. A generated one already on the volume is the one Kestrel has.
  let pinned: OutputPassword | undefined = live.generatedPassword !== undefined && cfg.outputPassword === undefined && cfg.outputPasswordFile === undefined ? { password: live.generatedPassword, origin: 'generated' } : undefined;
  let rescanTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let cleanupTimer: NodeJS.Timeout | undefined;
  let relinkTimer: NodeJS.Timeout | undefined;
  let backoff = BACKOFF_MIN_MS;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const schedule = (fn: () => void, ms: number) => {
    const t = setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
    t.unref?.();
    return t;
  };

  const applied = (r: PublishResult) => {
    state.generation = r.generation;
    state.sha256 = r.material.leaf.fingerprint256;
    state.notAfter = r.material.leaf.validToDate;
    state.lastSuccess = new Date();
    state.degraded = false;
    if (r.changed || !state.manifest) state.manifest = readManifest(cfg.output);
    pinned ??= r.outputPassword;
    state.renewAt = r.renewAt;
    if (r.changed) {
      state.publishes++;
      clearTimeout(relinkTimer);
      relinkTimer = schedule(() => {
        try {
          relink(cfg.output);
        } catch (err) {
          log(cfg, io, 'warning', `re-linking the published names: ${(err as Error).message}`);
        }
      }, RELINK_AFTER_MS);
      log(cfg, io, 'info', `published ${r.generation}: ${r.material.leaf.subject.replace(/\n/g, ', ')}, sha256 ${r.material.leaf.fingerprint256}, expires ${r.material.leaf.validToDate.toISOString()}`);
    }
    clearTimeout(renewTimer);
    if (r.renewAt) renewTimer = schedule(() => void trigger('renewal'), r.renewAt.getTime() - Date.now() + 1000);
    clearTimeout(cleanupTimer);
    if (r.cleanupAt) cleanupTimer = schedule(() => cleanup(cfg.output, new Date()), r.cleanupAt.getTime() - Date.now() + 50);
  };

  const runOnce = async (reason: string) => {
    try {
      applied(publish(cfg, pinned ? { pinnedOutputPassword: pinned } : {}));
      backoff = BACKOFF_MIN_MS;
      clearTimeout(retryTimer);
    } catch (err) {
      if (!(err instanceof KcsError)) throw err;
      state.failures++;
      state.degraded = state.generation !== undefined;
      const findings = err instanceof InvalidMaterial ? err.result.findings.filter((f) => f.severity === 'error') : [err.finding];
      state.lastFinding = findings[0];
      for (const f of findings) log(cfg, io, 'error', `${reason}: kept the last good set`, f);
      // Capped exponential backoff with full jitter; a file event retries sooner anyway.
      const delay = Math.round(backoff / 2 + (Math.random() * backoff) / 2);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      clearTimeout(retryTimer);
      retryTimer = schedule(() => void trigger('retry'), delay);
    }
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

  const paths = [cfg.source, cfg.passwordFile, cfg.userSecrets, cfg.outputPasswordFile].filter((p): p is string => p !== undefined).map((p) => path.resolve(p));
  let watcher: FSWatcher | undefined;
  if (paths.length) {
    // The directory, not single files: Kubernetes replaces ..data, and a file watch would stay on the old inode.
    const dirs = paths.map((p) => (fs.existsSync(p) && fs.statSync(p).isDirectory() ? p : path.dirname(p)));
    watcher = chokidarWatch([...new Set(dirs)], { ignoreInitial: true, followSymlinks: true, depth: 2, awaitWriteFinish: false });
    watcher.on('all', onEvent);
    watcher.on('error', (e) => log(cfg, io, 'warning', `file watcher: ${(e as Error).message}`));
    await new Promise<void>((r) => watcher!.once('ready', () => r()));
  }
  rescanTimer = setInterval(() => void trigger('rescan'), RESCAN_MS);
  rescanTimer.unref?.();

  const server = opts.health === false ? undefined : await startHealthServer(cfg.healthPort, () => state);

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

export async function runWatch(cfg: Config, io: Io): Promise<number> {
  // Handlers first: a signal during start-up must still end the process cleanly, with exit code 0.
  let signalled: string | undefined;
  let onSignal: (sig: string) => void = (sig) => (signalled = sig);
  const handler = (sig: NodeJS.Signals) => onSignal(sig);
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  const w = await startWatch(cfg, io);
  log(cfg, io, 'info', `watching ${cfg.source ?? '(generated certificate)'}; health on :${(w.server?.address() as { port?: number } | null)?.port ?? cfg.healthPort}`);
  await new Promise<void>((resolve) => {
    onSignal = (sig: string) => {
      log(cfg, io, 'info', `${sig}: stopping`);
      // Publishes are synchronous, so no half-written generation can be in progress here.
      const force = setTimeout(() => resolve(), 1500);
      force.unref();
      void w.stop().then(() => resolve());
    };
    if (signalled) onSignal(signalled);
  });
  return ExitCode.ok;
}
