// How `watch` runs one publish: in this process (the library's default), or in a short-lived worker
// process that gets the request on stdin and reports on stdout (the CLI's way: the process that waits
// never loads the crypto stack).
import childProcess from 'node:child_process';
import type { StepRequest, StepResult } from './step.js';

/** A worker that has not reported by then is stopped, and the attempt counts as failed. */
export const WORKER_TIMEOUT_MS = 120_000;
/** Runs one publish. Resolves with a result for valid and invalid sources alike; rejects when the
 *  publish itself broke (a bug, a killed worker). */
export type Publisher = (req: StepRequest) => Promise<StepResult>;

/** Publishes in this process (the library's default). */
export const inProcess: Publisher = async (req) => (await import('./step.js')).publishStep(req);

/** Publishes in a worker process: `node <worker> ` with the request on stdin and the result on stdout. */
export function workerPublisher(worker: string): Publisher {
  return (req) =>
    new Promise<StepResult>((resolve, reject) => {
      // The settings travel in the request; the worker gets none of the KCS_* variables (secrets among them).
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KCS_')));
      let child: childProcess.ChildProcess;
      try {
        // Its own process group: a Ctrl+C in a terminal (SIGINT to the whole group) reaches only this
        // process, which lets a publish in progress finish before it exits, so none is left half-written.
        child = childProcess.spawn(process.execPath, [worker], {
          stdio: ['pipe', 'pipe', 'inherit'],
          env,
          detached: true,
        });
      } catch (err) {
        reject(new Error(`cannot start the publish worker ${worker}: ${(err as Error).message}`));
        return;
      }
      // A spawn that fails (EMFILE: no descriptors left; EAGAIN: no processes) reports it here, and
      // may leave the pipes unset: the listener comes first, and the pipes are used only if present.
      const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_TIMEOUT_MS);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start the publish worker ${worker}: ${err.message}`));
      });
      const out: Buffer[] = [];
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stdout?.on('error', () => undefined);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const text = Buffer.concat(out).toString('utf8');
        if (code === 0) {
          try {
            resolve(JSON.parse(text) as StepResult);
            return;
          } catch {
            // fall through: not a report
          }
        }
        reject(new Error(`the publish worker ended with ${signal ?? `exit code ${code}`} and no report`));
      });
      // The request holds the passwords: it travels through this pipe, never the command line.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(JSON.stringify(req));
    });
}
