// The entry point. It turns on Node's compile cache before the rest of the program is loaded, so
// a second start skips most of the JavaScript compilation (the cache lives in the OS temp dir; on a
// read-only file system Node simply runs without it).
import module from 'node:module';
import { startEarlyKeygen } from './generate/early-key.js';

module.enableCompileCache?.();
startEarlyKeygen(process.argv.slice(2), process.env);
const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2), process.env);
