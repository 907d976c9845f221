// The entry of dist/app/cli.cjs: the command line, loaded by every command. The other bundles load
// on demand: app/engine.cjs (the pipeline: node:crypto and node-forge) for init, check and each
// publish of watch; app/watch.cjs (chokidar, the health server); app/probe.cjs (undici). They take
// the findings from this bundle, so all share one KcsError class.
export { main, usedStreams, type Runtime } from '../cli/main.js';
export * from '../findings.js';
