// dist/publish-worker.mjs: one publish for `watch`, in a process of its own (see watch.ts). The
// request (settings, pinned output password) arrives on stdin, the result leaves on stdout as JSON.
import './node-version.js';
import fs from 'node:fs';
import { load, saveCodeCaches } from './loader.js';
import type { StepRequest, StepResult } from '../watch/step.js';

const req = JSON.parse(fs.readFileSync(0, 'utf8')) as StepRequest;
try {
  const publishStep = load('engine').publishStep as (r: StepRequest) => Promise<StepResult>;
  fs.writeFileSync(1, JSON.stringify(await publishStep(req)));
  saveCodeCaches();
} catch (err) {
  // Invalid input is a result, so this is a bug: one line (the stack with --verbose), and no report,
  // which `watch` counts as a failed attempt and retries.
  const e = err as Error;
  fs.writeSync(
    2,
    `internal error in the publish worker: ${e?.message ?? String(err)}\n` +
      (req.cfg.verbose ? `${e?.stack ?? ''}\n` : ''),
  );
  process.exitCode = 1;
}
