// The entry point, dist/kestrel-cert-sidecar.mjs. It starts a key for `init` without a source (the
// slowest step of a generated certificate), then loads the program (see loader.ts) and runs it.
import { startEarlyKeygen } from './generate/early-key.js';
import { load, saveCodeCaches } from './loader.js';
import type { Runtime } from './main.js';

type Main = (argv: string[], env: NodeJS.ProcessEnv, io: undefined, runtime: Runtime) => Promise<number>;

const argv = process.argv.slice(2);
const earlyKey = startEarlyKeygen(argv, process.env);
const main = load('core').main as Main;
process.exitCode = await main(argv, process.env, undefined, earlyKey ? { earlyKey } : {});
saveCodeCaches();
