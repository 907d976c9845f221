// The entry of dist/app/probe.cjs: `probe`, on undici.
export * from '../../probe/probe.js';
