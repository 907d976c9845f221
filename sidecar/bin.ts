// The entry point, dist/kestrel-cert-sidecar.mjs. It starts a key for `init` without a source (the
// slowest step of a generated certificate), then loads the program (see loader.ts) and runs it.
import url from 'node:url';
import { startEarlyKeygen } from './generate/early-key.js';
import { load, saveCodeCaches } from './loader.js';
import type { Runtime } from './main.js';

type Main = (argv: string[], env: NodeJS.ProcessEnv, io: undefined, runtime: Runtime) => Promise<number>;

const argv = process.argv.slice(2);
const earlyKey = startEarlyKeygen(argv, process.env);
const main = load('cli').main as Main;
const publishWorker = url.fileURLToPath(new URL('./publish-worker.mjs', import.meta.url));
process.exitCode = await main(argv, process.env, undefined, { publishWorker, ...(earlyKey ? { earlyKey } : {}) });
saveCodeCaches();
