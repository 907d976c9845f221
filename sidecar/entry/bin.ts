// The entry point, dist/kestrel-cert-sidecar.mjs: loads the program (see loader.ts) and runs it.
import './node-version.js';
import url from 'node:url';
import { load, saveCodeCaches } from './loader.js';
import type { main as Main } from '../cli/main.js';

const argv = process.argv.slice(2);
const cli = load('cli');
const main = cli.main as typeof Main;
const publishWorker = url.fileURLToPath(new URL('./publish-worker.mjs', import.meta.url));
process.exitCode = await main(argv, process.env, undefined, { publishWorker });
saveCodeCaches();
// Everything is written (synchronously) and nothing is left to do: exiting now skips the tear-down
// of a clean exit (measured: +14 ms of CPU for `init` without this line, docs/performance.md).
// Output that had to go through a stream is left to drain first.
if (!(cli.usedStreams as () => boolean)()) process.exit();
