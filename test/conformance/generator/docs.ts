// The generator's section of docs/compatibility.md: the generated space (space.ts's DIMENSIONS) and the
// regression seeds (seeds.json), rendered here and held to the file by generator.test.ts
// (UPDATE_COMPATIBILITY=1 rewrites the section). The section is the last of the file, from its heading on.
import { DIMENSIONS } from './space.js';

export const SECTION_HEADING = '## Generated chains';

export interface Regression {
  seed: number;
  /** The class of disagreement (run.ts classOf: what check said, and the first consumer's reason against it). */
  class: string;
  /** The chain and the verdicts when it was found. */
  found: string;
}

export function renderSection(regressions: Regression[]): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  return [
    SECTION_HEADING,
    '',
    'Written by the conformance generator (`test/conformance/generator.test.ts`, in `npm test`): every run makes',
    'chains with OpenSSL 3 (`req -x509`, and `req -new` + `x509 -req` for version 1) from a seed, gives each to',
    'Kestrel as a Kubernetes TLS secret (`tls.crt` as it is, `tls.key`) and to the five strict clients above',
    'trusting only its `ca.crt`, and fails on every case where `check` does not accept exactly what Kestrel',
    'serves and every client accepts. A seed names one case: a chain every consumer accepts (a root, zero to',
    'two intermediates, a server leaf for `localhost`), then zero to four changes drawn from the dimensions',
    'below. CI judges the regression seeds and 500 seeds from 1; `npm run generate:conformance -- --cases 5000`',
    'judges 5000 from a random seed (`--seed N` to repeat one), and `GENERATOR_SEEDS=N,M` with vitest judges',
    'just those. A seed that disagrees is added to `test/conformance/generator/seeds.json` and stays there.',
    '',
    '| dimension | values |',
    '|---|---|',
    ...Object.entries(DIMENSIONS).map(([d, v]) => `| ${cell(d)} | ${v.map(cell).join('; ')} |`),
    '',
    'Regression seeds: each once showed a disagreement of its class.',
    '',
    '| class | seeds |',
    '|---|---|',
    ...[...Map.groupBy(regressions, (r) => r.class)].map(
      ([c, rs]) => `| ${cell(c)} | ${rs.map((r) => r.seed).join(', ')} |`,
    ),
    '',
  ].join('\n');
}
