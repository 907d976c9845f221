// The last thing `npm test` prints: which suites were skipped, why, and the command that enables each.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = process.env.KCS_TEST_SKIPS_FILE ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/test-skips.jsonl');
let skips = [];
try {
  skips = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // no skip was recorded
}
const seen = new Map();
for (const s of skips) seen.set(`${s.suite}\0${s.reason}`, s);
const unique = [...seen.values()];
if (unique.length === 0) {
  console.log('\nskipped suites: none');
} else {
  const lines = [`\n== ${unique.length} skipped suite${unique.length > 1 ? 's' : ''}: the tests passed without them ==`];
  for (const s of unique) lines.push(`  ${s.suite}: ${s.reason}`, `    to run it: ${s.enable}`);
  lines.push('Then run `npm test` again. CI sets REQUIRE_INTEGRATION_TESTS=1, which fails on any skip instead.');
  console.log(lines.join('\n'));
}
