// Runs vitest with the arguments given (`npm test` and its variants), then prints the last thing a run
// shows: which suites were skipped, why, and the command that enables each (test/support/skips.ts
// records them). Exits with vitest's own exit code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = process.env.KCS_TEST_SKIPS_FILE ?? path.join(root, '.cache', 'test-skips.jsonl');
fs.rmSync(file, { force: true });
const run = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

let skips = [];
try {
  skips = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
} catch {
  // no skip was recorded
}
const seen = new Map();
for (const s of skips) seen.set(`${s.suite}\0${s.reason}`, s);
const unique = [...seen.values()];
if (unique.length === 0) {
  console.log('\nskipped suites: none');
} else {
  const lines = [
    `\n== ${unique.length} skipped suite${unique.length > 1 ? 's' : ''}: the tests passed without them ==`,
  ];
  for (const s of unique) lines.push(`  ${s.suite}: ${s.reason}`, `    to run it: ${s.enable}`);
  lines.push('Then run `npm test` again. CI sets REQUIRE_INTEGRATION_TESTS=1, which fails on any skip instead.');
  console.log(lines.join('\n'));
}
process.exit(run.status ?? 1);
