// The entry of dist/app/trust.cjs: `trust` and the trust stores.
export * from '../../trust/index.js';
