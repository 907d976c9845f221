// The entry of dist/app/cli.cjs: the command line, loaded by every command. Each file of this folder
// is one bundle, named by the file; the modules it re-exports belong to it, and every other bundle
// reaches them through `require('kcs:<name>')` (scripts/build.mjs). The findings live here, so all
// bundles share one KcsError class, and so does the catalogue of their words, so no bundle holds a copy.
export * from '../../cli/main.js';
export * from '../../findings.js';
export * from '../../messages/index.js';
