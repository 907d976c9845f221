// The loop of `watch` (see watch.ts): its state, its timers, and one publish at a time.
import path from 'node:path';
import type { Finding } from '../findings.js';
import type { OutputPassword } from '../pipeline.js';
import { readManifest, tidyOutput } from '../publish/published.js';
import type { Config } from '../settings/config.js';
import { fingerprint, outputFingerprint } from './fingerprint.js';
import type { HealthState } from './health.js';
import { inProcess, type Publisher } from './publishers.js';
import type { StepResult } from './step.js';
import { record, type Level, type Out } from '../out.js';

/** Events come in bursts (a copy, a ..data swap): wait this long for quiet... */
export const DEBOUNCE_MS = 100;
/** ...but never longer than this after the first event of a burst. */
export const MAX_WAIT_MS = 1000;
/** After a publish, the links are replaced once more this much later (see relink). */
export const RELINK_AFTER_MS = 2000;
/** A full rescan catches events the watcher missed (network file systems, overlay quirks). */
export const RESCAN_MS = 60_000;

/** Test seams: each is called at the start of its path, so a test can make that path throw. */
export type FaultPoint = 'cleanup' | 'relink' | 'rescan' | 'renewal' | 'retry' | 'health';

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

/** One line of the log of `watch`, stamped with its time. */
export function log(cfg: Config, io: Out, level: Level, msg: string, f?: Finding): void {
  io.err(record(cfg.logFormat, { level, msg, ...(f ? { finding: f } : {}) }, new Date()));
}

export interface WatchOptions {
  health?: boolean;
  publisher?: Publisher;
  /** Test seams only: makes a path throw, to prove the process stays up. */
  faults?: Partial<Record<FaultPoint, () => void>>;
  /** The rescan interval (RESCAN_MS unless a test asks for a shorter one). */
  rescanMs?: number;
}

/** The timers of the loop, by name: each runs guarded, and stop() clears them all at once. */
type TimerName = 'retry' | 'renewal' | 'cleanup' | 'relink' | 'debounce';

/**
 * The loop: its state (what /status shows, the pinned output password, the fingerprint of the last
 * good publish, the backoff), its timers, and one publish at a time (a trigger while one runs asks
 * for exactly one more). Each event source calls trigger(); every timer runs guarded.
 */
export class WatchLoop {
  readonly state: HealthState = { publishes: 0, failures: 0, degraded: false };
  private readonly publisher: Publisher;
  private readonly faults: Partial<Record<FaultPoint, () => void>>;
  /** What the file watcher and the rescan look at. */
  readonly paths: string[];
  /** Kestrel read the password at start; the first publish reports the one it used (a generated one is
   *  read back from the volume), and every later one is made with it, even when the input password changes. */
  private pinned: OutputPassword | undefined;
  /** The source and output fingerprints at the last good publish: the rescan publishes only when they differ. */
  private lastGood: string | undefined;
  private backoff = BACKOFF_MIN_MS;
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** When the first event of the current burst came (the debounce's maximum wait counts from it). */
  private burstStart = 0;

  constructor(
    private readonly cfg: Config,
    private readonly io: Out,
    opts: WatchOptions,
  ) {
    this.publisher = opts.publisher ?? inProcess;
    this.faults = opts.faults ?? {};
    const manifest = readManifest(cfg.output);
    if (manifest)
      Object.assign(this.state, {
        generation: manifest.generation,
        sha256: manifest.sha256,
        notAfter: new Date(manifest.notAfter),
        manifest,
      });
    this.paths = [cfg.source, cfg.passwordFile, cfg.userSecrets, cfg.outputPasswordFile]
      .filter((p): p is string => p !== undefined)
      .map((p) => path.resolve(p));
  }

  private log(level: Level, msg: string, f?: Finding): void {
    log(this.cfg, this.io, level, msg, f);
  }

  /** Every timer and callback runs through this: nothing it throws may end the process (a volume
   *  remounted read-only, a full disk, a directory where a link was). It is logged and counted. */
  guarded(what: FaultPoint | 'debounce', fn: () => void): () => void {
    return () => {
      try {
        if (what !== 'debounce') this.faults[what]?.();
        fn();
      } catch (err) {
        this.state.failures++;
        this.log('warning', `${what}: ${(err as Error).message}; the sidecar keeps running`);
      }
    };
  }

  /** (Re)sets the named timer. */
  private schedule(name: TimerName, what: FaultPoint | 'debounce', fn: () => void, ms: number): void {
    clearTimeout(this.timers.get(name));
    const t = setTimeout(this.guarded(what, fn), Math.min(Math.max(0, ms), 2 ** 31 - 1));
    t.unref?.();
    this.timers.set(name, t);
  }

  private clear(name: TimerName): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  /** Tidying of the output (clean-up, relink) runs under its lock, so it never races a publish;
   *  when another writer holds it, it is tried again a second later. */
  private tidy(what: 'cleanup' | 'relink'): void {
    if (tidyOutput(this.cfg.output, what).busy) this.schedule(what, what, () => this.tidy(what), 1000);
  }

  private applied(r: Extract<StepResult, { ok: true }>, seen: string): void {
    const { state } = this;
    this.lastGood = seen;
    Object.assign(state, {
      generation: r.generation,
      sha256: r.sha256,
      notAfter: new Date(r.notAfter),
      lastSuccess: new Date(),
      degraded: false,
    });
    if (r.changed || !state.manifest) state.manifest = readManifest(this.cfg.output);
    this.pinned ??= r.outputPassword;
    state.renewAt = r.renewAt ? new Date(r.renewAt) : undefined;
    if (r.changed) {
      state.publishes++;
      this.schedule('relink', 'relink', () => this.tidy('relink'), RELINK_AFTER_MS);
      this.log('info', `published ${r.generation}: ${r.subject}, sha256 ${r.sha256}, expires ${r.notAfter}`);
    }
    if (r.renewAt)
      this.schedule(
        'renewal',
        'renewal',
        () => void this.trigger('renewal'),
        Date.parse(r.renewAt) - Date.now() + 1000,
      );
    else this.clear('renewal');
    if (r.cleanupAt)
      this.schedule('cleanup', 'cleanup', () => this.tidy('cleanup'), Date.parse(r.cleanupAt) - Date.now() + 50);
    else this.clear('cleanup');
    for (const f of r.warnings ?? []) this.log('warning', f.message, f);
  }

  private failed(reason: string, findings: Finding[], broken?: Error): void {
    this.state.failures++;
    this.state.degraded = this.state.generation !== undefined;
    if (findings[0]) this.state.lastFinding = findings[0];
    for (const f of findings) this.log('error', `${reason}: kept the last good set`, f);
    if (broken) this.log('error', `${reason}: ${broken.message}; kept the last good set`);
    // Capped exponential backoff with full jitter; a file event retries sooner anyway.
    const delay = Math.round(this.backoff / 2 + (Math.random() * this.backoff) / 2);
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.schedule('retry', 'retry', () => void this.trigger('retry'), delay);
  }

  /** The source's and the output's fingerprints, as the rescan compares them. */
  private seen(source = fingerprint(this.paths)): string {
    return `${source}\n${outputFingerprint(this.cfg.output)}`;
  }

  private async runOnce(reason: string): Promise<void> {
    // Taken before the publish: a change while it runs then differs from it, and is not skipped.
    const source = fingerprint(this.paths);
    let r: StepResult;
    try {
      r = await this.publisher({ cfg: this.cfg, ...(this.pinned ? { pinned: this.pinned } : {}) });
    } catch (err) {
      this.failed(reason, [], err as Error);
      return;
    }
    if (!r.ok) {
      this.failed(reason, r.findings);
      return;
    }
    this.applied(r, this.seen(source));
    this.backoff = BACKOFF_MIN_MS;
    this.clear('retry');
  }

  /** Publishes now, or once more right after the publish that runs. */
  trigger(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.runOnce(reason);
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** A file event. Debounce: a trailing window, bounded by a maximum wait from the first event. */
  onEvent(): void {
    const now = Date.now();
    if (!this.timers.has('debounce')) this.burstStart = now;
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, this.burstStart + MAX_WAIT_MS - now));
    this.schedule(
      'debounce',
      'debounce',
      () => {
        this.timers.delete('debounce');
        void this.trigger('change');
      },
      wait,
    );
  }

  /** The rescan publishes only when a file changed since the last good publish (or while failing). */
  readonly rescan = this.guarded('rescan', () => {
    if (this.lastGood === undefined || this.seen() !== this.lastGood) void this.trigger('rescan');
  });

  /** True when a good publish happened (the rescan has something to compare with). */
  get published(): boolean {
    return this.lastGood !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.running;
  }
}
