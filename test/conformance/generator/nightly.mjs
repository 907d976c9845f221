// `npm run generate:conformance -- --cases 5000 [--seed N]`: a nightly-size generator run, by hand. Without
// --seed it starts at a random seed, so each run searches new ground; the seed is printed, and every
// disagreement is added to seeds.json (commit it with the fix). GENERATOR_CASES and GENERATOR_SEED work too.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({ options: { cases: { type: 'string' }, seed: { type: 'string' } } });
const cases = values.cases ?? process.env.GENERATOR_CASES ?? '5000';
const seed = values.seed ?? process.env.GENERATOR_SEED ?? String(crypto.randomInt(1, 2 ** 31));
console.log(`generator: ${cases} cases from seed ${seed}`);
const r = spawnSync(
  path.join(ROOT, 'node_modules/.bin/vitest'),
  ['run', '--project', 'integration', 'test/conformance/generator.test.ts'],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, GENERATOR_CASES: cases, GENERATOR_SEED: seed } },
);
process.exit(r.status ?? 1);
