// The entry of dist/app/watch.cjs: the loop of `watch`, chokidar and the health server.
export * from '../../watch/watch.js';
