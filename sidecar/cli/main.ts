// The CLI: parse the command, run the stage, print once, return the exit code.
import fs from 'node:fs';
import { COMMANDS, describeSettings, loadConfig, type Config } from '../settings/config.js';
import { ExitCode, KcsError, exitCodeOf, fail, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import { startLeafKey } from '../generate/early-key.js';
import { VERSION, helpText } from './help.js';
import { checkJson, checkText, publishJson, publishText } from './report.js';
import { record, type Out } from '../out.js';

let viaStream = false;
/** True once some output went through process.stdout or process.stderr: it may still be in flight. */
export const usedStreams = () => viaStream;

/**
 * Writes straight to fd 1 and 2. process.stdout and process.stderr are streams whose first use loads
 * Node's stream modules, and node:net where stdout is a pipe, as in a container: measured, `init` with
 * its stdout a pipe took +10 ms of CPU through the streams (docs/performance.md). A descriptor opened
 * non-blocking by someone else can refuse a write (EAGAIN); the rest then goes through the stream.
 */
function writer(fd: 1 | 2): (s: string) => void {
  return (s) => {
    let buf = Buffer.from(s, 'utf8');
    if (!viaStream) {
      try {
        while (buf.length > 0) buf = buf.subarray(fs.writeSync(fd, buf));
        return;
      } catch (err) {
        // A reader that went away (EPIPE) or a closed descriptor: the output has nowhere to go.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        viaStream = true;
      }
    }
    (fd === 1 ? process.stdout : process.stderr).write(buf);
  };
}
const std: Out = { out: writer(1), err: writer(2) };

function printFindings(findings: readonly Finding[], cfg: Config | undefined, io: Out): void {
  for (const f of findings) io.err(record(cfg?.logFormat ?? 'text', { finding: f }));
}

// The pipeline (node:crypto, node-forge) is loaded only by the commands that run it: `watch` runs
// it in a worker process of its own, so the long-running process never loads either.
const pipeline = () => import('../pipeline.js');

async function runCheck(cfg: Config, io: Out): Promise<number> {
  const { loadAndValidate } = await pipeline();
  const now = new Date();
  if (cfg.source === undefined) {
    // Without a source, check what is published: the output has the Kubernetes TLS layout.
    if (!fs.existsSync(cfg.output)) {
      fail(messages.SOURCE_NOT_FOUND.nothingToCheck({ output: cfg.output }), cfg.output);
    }
    cfg = { ...cfg, source: cfg.output };
  }
  let result: Awaited<ReturnType<typeof loadAndValidate>>;
  try {
    result = await loadAndValidate(cfg, now);
  } catch (err) {
    if (cfg.json && err instanceof KcsError) {
      io.out(`${JSON.stringify({ ok: false, findings: [err.finding] }, null, 2)}\n`);
      return err.exitCode;
    }
    throw err;
  }
  io.out(cfg.json ? checkJson(result, now) : checkText(result, now));
  return exitCodeOf(result.findings);
}

async function runInit(cfg: Config, io: Out): Promise<number> {
  // A generated leaf needs a key: it is made on a libuv thread while the pipeline loads.
  const early = cfg.source === undefined ? startLeafKey(cfg.keyType) : undefined;
  const { publish } = await pipeline();
  const leafKey = await early;
  const now = new Date();
  const r = await publish(cfg, { now, ...(leafKey ? { leafKey } : {}) });
  printFindings(r.findings, cfg, io);
  io.out(
    cfg.logFormat === 'json'
      ? publishJson(r, now)
      : publishText(
          r,
          {
            runsIn: cfg.runsIn,
            mountPath: cfg.mountPath,
            format: cfg.kestrelFormat,
            endpoints: { https: cfg.kestrelEndpoint, http: cfg.kestrelHttpEndpoint },
            stateDefaulted: cfg.state !== undefined && !cfg.given.includes('state'),
            ...(cfg.appName !== undefined ? { appName: cfg.appName } : {}),
          },
          now,
        ),
  );
  return ExitCode.ok;
}

/** What the entry point hands over: the publish worker of `watch`. */
export interface Runtime {
  /** The publish worker (dist/publish-worker.mjs): `watch` publishes through it. Without one, in-process. */
  publishWorker?: string;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: Out = std,
  runtime: Runtime = {},
): Promise<number> {
  let cfg: Config | undefined;
  const verbose = argv.includes('--verbose');
  try {
    cfg = loadConfig(env, argv);
    if (cfg.version) {
      io.out(`kestrel-cert-sidecar ${VERSION} (Node.js ${process.version}, ${process.platform}-${process.arch})\n`);
      return ExitCode.ok;
    }
    if (cfg.help) {
      io.out(`${helpText(argv.find((a) => (COMMANDS as readonly string[]).includes(a)))}\n`);
      return ExitCode.ok;
    }
    if (cfg.verbose) io.err(`settings ${JSON.stringify(describeSettings(cfg))}\n`);
    switch (cfg.command) {
      case 'init':
        return await runInit(cfg, io);
      case 'check':
        return await runCheck(cfg, io);
      case 'watch': {
        // Loaded only here, so init and check do not pay for chokidar and the health server.
        const { runWatch, workerPublisher } = await import('../watch/watch.js');
        return await runWatch(cfg, io, runtime.publishWorker ? workerPublisher(runtime.publishWorker) : undefined);
      }
      case 'probe': {
        const { runProbe } = await import('../probe/probe.js');
        return await runProbe(cfg, io);
      }
      case 'trust': {
        const { runTrust } = await import('../trust/index.js');
        return runTrust(cfg, io);
      }
    }
  } catch (err) {
    if (err instanceof KcsError) {
      // A source that failed validation carries every finding: all are printed, the first error decides the exit code.
      printFindings(err.findings ?? [err.finding], cfg, io);
      if (verbose && err.cause instanceof Error) io.err(`cause: ${err.cause.stack ?? err.cause.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    io.err(
      `internal error: ${e?.message ?? String(err)}\n` +
        (verbose ? `${e?.stack ?? ''}\n` : 'run again with --verbose for the stack trace, and report it as a bug\n'),
    );
    return ExitCode.internal;
  }
}
