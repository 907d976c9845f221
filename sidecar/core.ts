// The entry of dist/app/core.cjs, the bundle every command loads: the CLI, init, check and watch.
// probe (undici) is a bundle of its own, loaded only by `probe`; it takes these findings helpers from
// this bundle, so both share one KcsError class.
export { main, type Runtime } from './main.js';
export { ExitCode, KcsError, fail } from './findings.js';
