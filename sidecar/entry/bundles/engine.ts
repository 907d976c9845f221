// The entry of dist/app/engine.cjs: the pipeline (node:crypto, node-forge), for init, check and each
// publish of watch.
export * from '../../pipeline.js';
export * from '../../watch/step.js';
