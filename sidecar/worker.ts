// dist/publish-worker.mjs: one publish for `watch`, in a process of its own (see watch.ts). The
// request (settings, pinned output password) arrives on stdin, the result leaves on stdout as JSON.
import './node-version.js';
import fs from 'node:fs';
import { load, saveCodeCaches } from './loader.js';
import type { StepRequest, StepResult } from './step.js';

const req = JSON.parse(fs.readFileSync(0, 'utf8')) as StepRequest;
const publishStep = load('engine').publishStep as (r: StepRequest) => StepResult;
const result = publishStep(req);
fs.writeFileSync(1, JSON.stringify(result));
saveCodeCaches();
