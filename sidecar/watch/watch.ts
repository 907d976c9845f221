// `watch`: init, then keep the published set current. It re-runs the pipeline when the source
// changes (chokidar on the directory, since Kubernetes swaps ..data symlinks rather than writing
// files; on a mount that delivers no inotify events, a stat of the same files every 2 s: mounts.ts), when a 60 s rescan
// finds the files changed, and when a generated certificate reaches
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
import { ExitCode } from '../findings.js';
import type { Config } from '../settings/config.js';
import type { Out } from '../out.js';
import { startHealthServer, type HealthState } from './health.js';
import { RESCAN_MS, WatchLoop, log, type WatchOptions } from './loop.js';
import { fingerprint } from './fingerprint.js';
import { POLL_MS, watchMode, type WatchMode } from './mounts.js';
import type { Publisher } from './publishers.js';

export { fingerprint, outputFingerprint } from './fingerprint.js';
export { POLL_MS, mountOf, parseMountinfo, watchMode, type WatchMode } from './mounts.js';
export { WORKER_TIMEOUT_MS, inProcess, workerPublisher, type Publisher } from './publishers.js';

export {
  DEBOUNCE_MS,
  MAX_WAIT_MS,
  RELINK_AFTER_MS,
  RESCAN_MS,
  log,
  type FaultPoint,
  type WatchOptions,
} from './loop.js';

export interface Watcher {
  state: HealthState;
  /** Runs the pipeline now (what a file event triggers after the debounce). */
  trigger(reason: string): Promise<void>;
  stop(): Promise<void>;
  server?: net.Server;
  /** Events or polling, and why. */
  mode: WatchMode;
}

export async function startWatch(cfg: Config, io: Out, opts: WatchOptions = {}): Promise<Watcher> {
  const loop = new WatchLoop(cfg, io, opts);
  // First: a health port in use is a configuration error, said before anything is published.
  const server =
    opts.health === false
      ? undefined
      : await startHealthServer(cfg.healthPort, () => loop.state, cfg.healthAddress, opts.faults?.health);
  await loop.trigger('start');

  const mode = watchMode(cfg.watchMode, loop.paths);
  let watcher: FSWatcher | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  if (loop.paths.length && mode.poll) {
    // The same stat of every entry as the rescan (cheap: a few lstat calls), compared with the
    // previous poll's, not with the last good publish: a change is an event, as inotify would give.
    let last = fingerprint(loop.paths);
    pollTimer = setInterval(
      loop.guarded('rescan', () => {
        const now = fingerprint(loop.paths);
        if (now !== last) loop.onEvent();
        last = now;
      }),
      POLL_MS,
    );
    pollTimer.unref?.();
  } else if (loop.paths.length) {
    // The directory, not single files: Kubernetes replaces ..data, and a file watch would stay on the old inode.
    const dirs = loop.paths.map((p) => (fs.existsSync(p) && fs.statSync(p).isDirectory() ? p : path.dirname(p)));
    watcher = chokidarWatch([...new Set(dirs)], {
      ignoreInitial: true,
      followSymlinks: true,
      depth: 2,
      awaitWriteFinish: false,
    });
    watcher.on('all', () => loop.onEvent());
    watcher.on('error', (e) => log(cfg, io, 'warning', `file watcher: ${(e as Error).message}`));
    await new Promise<void>((r) => watcher!.once('ready', () => r()));
  }
  // Once now: a change made between the first publish and the watcher's start (which reports no
  // initial events) would otherwise wait for the first rescan, 60 s later.
  if (loop.published) loop.rescan();
  const rescanTimer = setInterval(loop.rescan, opts.rescanMs ?? RESCAN_MS);
  rescanTimer.unref?.();

  return {
    state: loop.state,
    trigger: (reason) => loop.trigger(reason),
    ...(server ? { server } : {}),
    mode,
    async stop() {
      clearInterval(rescanTimer);
      clearInterval(pollTimer);
      await Promise.all([
        loop.stop(),
        watcher?.close(),
        server ? new Promise((r) => server.close(() => r(undefined))) : undefined,
      ]);
    },
  };
}

export async function runWatch(cfg: Config, io: Out, publisher?: Publisher): Promise<number> {
  // Handlers first: a signal during start-up must still end the process cleanly, with exit code 0.
  let signalled: string | undefined;
  let onSignal: (sig: string) => void = (sig) => (signalled = sig);
  const handler = (sig: NodeJS.Signals) => onSignal(sig);
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  const w = await startWatch(cfg, io, publisher ? { publisher } : {});
  const port = (w.server?.address() as { port?: number } | null)?.port ?? cfg.healthPort;
  const where =
    cfg.healthAddress === undefined
      ? 'every address; set KCS_HEALTH_ADDRESS=127.0.0.1 to keep it on this host'
      : `address ${cfg.healthAddress}`;
  const how = w.mode.poll && cfg.source !== undefined ? ` by polling every ${POLL_MS / 1000}s: ${w.mode.why}` : '';
  log(cfg, io, 'info', `watching ${cfg.source ?? '(generated certificate)'}${how}; health on :${port} (${where})`);
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
