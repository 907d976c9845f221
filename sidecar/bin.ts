// The entry point. It turns on Node's compile cache before the rest of the program is loaded, so a
// second start skips compiling the bundle (the cache lives in NODE_COMPILE_CACHE or the OS temp
// dir; where it cannot be written, Node runs without it).
//
// The bundle is compiled eagerly (--no-lazy) while it loads. Node caches the code V8 produces when
// a module is compiled, and lazily compiled functions are compiled only when first called, so they
// never reach the cache: every start would compile the whole init path again (~6 ms). Compiled
// eagerly, all of it is in the cache. The flag is set back once the bundle has loaded.
import module from 'node:module';
import v8 from 'node:v8';
import { startEarlyKeygen } from './generate/early-key.js';

v8.setFlagsFromString('--no-lazy');
module.enableCompileCache?.();
startEarlyKeygen(process.argv.slice(2), process.env);
const { main } = await import('./main.js');
v8.setFlagsFromString('--lazy');
process.exitCode = await main(process.argv.slice(2), process.env);
