// The entry of dist/app/engine.cjs: the pipeline (see cli.ts).
export * from '../pipeline.js';
export { publishStep } from '../watch/step.js';
