// The generator: `check` against Kestrel and the strict clients on generated chains (generator/space.ts
// says what a seed makes, generator/run.ts what is judged). Every run judges the regression seeds
// (generator/seeds.json: every seed that ever disagreed) and GENERATOR_CASES fresh seeds (500 by default)
// from GENERATOR_SEED on (1 by default, so CI is the same every time; a run by hand with
// `npm run generate:conformance` starts at a random seed and searches new ground). GENERATOR_SEEDS=1,2,3
// judges just those. Every disagreement fails the run with its seed; outside CI it is also added to
// seeds.json, to be committed with the fix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENABLE, missing, missingAspNet, needsAll, ROOT } from '../integration/support/env.js';
import { type Regression, renderSection, SECTION_HEADING } from './generator/docs.js';
import { type CaseResult, classOf, explain, judgeSeeds } from './generator/run.js';
import { caseFor, describeCase } from './generator/space.js';
import { buildJudge } from './judge/run.js';

const run = needsAll('conformance generator', [
  [missingAspNet(), ENABLE.dotnet],
  [missing('openssl', ['version']), ENABLE.producers],
]);
const SEEDS_FILE = path.join(ROOT, 'test/conformance/generator/seeds.json');
const DOC = path.join(ROOT, 'docs', 'compatibility.md');
const regressions = () => JSON.parse(fs.readFileSync(SEEDS_FILE, 'utf8')) as Regression[];

describe('the generator section of docs/compatibility.md', () => {
  it('shows the generated space and the regression seeds (UPDATE_COMPATIBILITY=1 rewrites it)', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    const at = doc.indexOf(`\n${SECTION_HEADING}\n`);
    const section = renderSection(regressions());
    if (process.env.UPDATE_COMPATIBILITY === '1')
      fs.writeFileSync(DOC, `${at < 0 ? `${doc.trimEnd()}\n` : doc.slice(0, at)}\n${section}`);
    const now = fs.readFileSync(DOC, 'utf8');
    expect(now.slice(now.indexOf(`\n${SECTION_HEADING}\n`) + 1)).toBe(section);
  });

  it('names the same chain by each regression seed as when it was found (a change to space.ts must keep them)', () => {
    const drifted = regressions().filter(
      (r) => r.found.split(' | ')[0] !== `seed ${r.seed}: ${describeCase(caseFor(r.seed))}`,
    );
    expect(drifted.map((r) => `${r.seed}: was ${r.found.split(' | ')[0]}`)).toEqual([]);
  });
});

function seedsToJudge(regressions: Regression[]): number[] {
  if (process.env.GENERATOR_SEEDS)
    return process.env.GENERATOR_SEEDS.split(',').map((s) => Number.parseInt(s.trim(), 10));
  const count = Number.parseInt(process.env.GENERATOR_CASES ?? '500', 10);
  const base = Number.parseInt(process.env.GENERATOR_SEED ?? '1', 10);
  const fresh = Array.from({ length: count }, (_, i) => (base + i) >>> 0);
  return [...new Set([...regressions.map((r) => r.seed), ...fresh])];
}

describe.runIf(run)('the conformance generator', () => {
  it('check accepts exactly the generated chains that Kestrel serves and strict clients accept', async () => {
    const known = regressions();
    const seeds = seedsToJudge(known);
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-generator-'));
    const results = await judgeSeeds(buildJudge(), seeds, work, (l) => console.log(l));
    const unproducible = results.filter((r) => r.unproducible);
    const judged = results.filter((r) => !r.unproducible);
    const disagreements = judged.filter((r) => !r.agrees);
    const usable = judged.filter((r) => r.usable).length;
    console.log(
      `${judged.length} cases judged in ${Math.round((Date.now() - started) / 1000)} s: ${usable} usable, ` +
        `${judged.length - usable} not; ${disagreements.length} disagreements; ${unproducible.length} that OpenSSL ` +
        'would not make',
    );
    for (const r of unproducible) console.log(`OpenSSL would not make seed ${r.seed}: ${r.unproducible}`);
    const families = coverage(judged);
    console.log(`changes judged: ${[...families].map(([f, n]) => `${f} ${n.cases} (${n.usable} usable)`).join(', ')}`);
    fs.mkdirSync(path.join(ROOT, '.cache'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, '.cache', 'generator-last.json'), JSON.stringify(results, null, 1));
    if (disagreements.length > 0 && process.env.CI !== 'true') record(known, disagreements);
    // A full run (500 seeds or more) exercises every kind of change, on usable and unusable cases alike:
    // the space cannot shrink unseen.
    if (seeds.length >= 500)
      expect(
        [...FAMILIES].filter((f) => !(families.get(f)?.usable && families.get(f)!.usable < families.get(f)!.cases)),
      ).toEqual([]);
    // Producible is the rule: a case OpenSSL refuses to make is a generator bug, not a verdict.
    expect(unproducible.map((r) => `${r.seed}: ${r.unproducible}`)).toEqual([]);
    expect(judged.length).toBeGreaterThanOrEqual(Math.min(seeds.length, 500));
    if (disagreements.length > 0)
      console.log(
        `the cases are in ${work}/<seed>/source; to judge them again: ` +
          `GENERATOR_SEEDS=${disagreements.map((r) => r.seed).join(',')} ` +
          'npx vitest run --project integration test/conformance/generator.test.ts',
      );
    else fs.rmSync(work, { recursive: true, force: true });
    expect(disagreements.map(explain)).toEqual([]);
  }, 3_600_000);
});

/** The kinds of change space.ts makes, as the first word of each change's phrase (role names dropped). */
const FAMILIES = new Set([
  'v1',
  'basicConstraints',
  'keyUsage',
  'extendedKeyUsage',
  'nsCertType',
  'nameConstraints',
  'key',
  'signed',
  'subject',
  'subjectAltName',
  'bundle',
  'anchor',
]);

function coverage(results: CaseResult[]): Map<string, { cases: number; usable: number }> {
  const out = new Map<string, { cases: number; usable: number }>();
  for (const r of results)
    for (const f of new Set(r.spec.mutations.map((m) => m.replace(/^(root|inter\d|leaf) /, '').split(/[ :]/)[0]!))) {
      const n = out.get(f) ?? { cases: 0, usable: 0 };
      n.cases++;
      if (r.usable) n.usable++;
      out.set(f, n);
    }
  return out;
}

/** Adds the seeds that disagreed to seeds.json, so that they stay as regression cases once fixed. */
function record(regressions: Regression[], disagreements: CaseResult[]): void {
  const known = new Set(regressions.map((r) => r.seed));
  const added = disagreements
    .filter((r) => !known.has(r.seed))
    .map((r) => ({ seed: r.seed, class: classOf(r), found: explain(r) }));
  if (added.length === 0) return;
  fs.writeFileSync(SEEDS_FILE, `${JSON.stringify([...regressions, ...added], null, 2)}\n`);
}
