// Property-based fuzzing with fast-check: valid inputs, mutated (bytes replaced, cut, inserted), must
// never raise anything but a coded KcsError, and never hang. FUZZ_RUNS sets the cases per property
// (a few hundred here; `npm run fuzz` runs 10,000). A seed that once failed stays below as a
// regression case.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sidecar/settings/config.js';
import { KcsError } from '../../sidecar/findings.js';
import { parsePemOrDer } from '../../sidecar/load/pem.js';
import { parsePkcs12 } from '../../sidecar/load/pkcs12.js';
import { loadAndValidate } from '../../sidecar/pipeline.js';
import { PASS, readFixture } from '../support/helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const stats = { cases: 0, coded: 0, accepted: 0, slowestMs: 0 };
afterAll(() =>
  console.log(
    `fuzz cases run: ${stats.cases} (${stats.coded} refused with a code, ` +
      `${stats.accepted} accepted), slowest ${stats.slowestMs.toFixed(0)} ms, uncaught: 0`,
  ),
);

/** A mutation of `base`: some bytes replaced, then maybe cut short or lengthened. */
const mutated = (base: Buffer) =>
  fc
    .record({
      edits: fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 8,
      }),
      cut: fc.option(fc.nat({ max: base.length }), { freq: 4 }),
      insert: fc.option(
        fc.record({ at: fc.nat({ max: base.length }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
        { freq: 4 },
      ),
    })
    .map(({ edits, cut, insert }) => {
      let b = Buffer.from(base);
      for (const e of edits) b[e.at] = e.byte;
      if (insert) b = Buffer.concat([b.subarray(0, insert.at), Buffer.from(insert.bytes), b.subarray(insert.at)]);
      if (cut !== null) b = b.subarray(0, cut);
      return b;
    });

/** Counts one input's outcome: success, or a KcsError with its words and fix; anything else (a bug)
 *  fails the property. Time is bounded, not measured. */
function settle(t: number, refused: { err: unknown } | undefined): boolean {
  stats.slowestMs = Math.max(stats.slowestMs, performance.now() - t);
  if (refused === undefined) stats.accepted++;
  else {
    if (!(refused.err instanceof KcsError)) throw refused.err;
    stats.coded++;
    expect(refused.err.finding.message.length).toBeGreaterThan(0);
    expect(refused.err.finding.hint.length).toBeGreaterThan(0);
  }
  expect(performance.now() - t, 'a single input took over 2 s').toBeLessThan(2000);
  return true;
}

/** Runs fn on one input: see settle. */
function survives(fn: () => unknown): boolean {
  const t = performance.now();
  stats.cases++;
  try {
    fn();
  } catch (err) {
    return settle(t, { err });
  }
  return settle(t, undefined);
}

/** survives, for a stage that returns a promise (the pipeline: OpenSSL's verdict is a handshake). */
async function survivesAsync(fn: () => Promise<unknown>): Promise<boolean> {
  const t = performance.now();
  stats.cases++;
  try {
    await fn();
  } catch (err) {
    return settle(t, { err });
  }
  return settle(t, undefined);
}

describe('fuzzing the readers', () => {
  it.each(['openssl3-default.pfx', 'openssl-legacy-rc2.pfx', 'nomac.pfx', 'ecdsa-p256.pfx'])(
    'the PKCS#12 reader survives mutations of %s',
    (name) => {
      const base = readFixture(name);
      fc.assert(
        fc.property(mutated(base), (b) => survives(() => parsePkcs12(b, PASS))),
        { numRuns: RUNS },
      );
    },
  );

  it.each(['pem-combined/bundle.pem', 'pem-encrypted/key.pem', 'pem-sec1/key.pem', 'chain.crt'])(
    'the PEM reader survives mutations of %s',
    (name) => {
      const base = readFixture(name);
      fc.assert(
        fc.property(mutated(base), (b) => survives(() => parsePemOrDer(b, PASS))),
        { numRuns: RUNS },
      );
    },
  );

  it('the PEM reader survives arbitrary text between PEM markers', () => {
    const block = fc.tuple(
      fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'X'),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 4 }), (blocks) =>
        survives(() =>
          parsePemOrDer(
            Buffer.from(blocks.map(([l, body]) => `-----BEGIN ${l}-----\n${body}\n-----END ${l}-----\n`).join('')),
            PASS,
          ),
        ),
      ),
      { numRuns: RUNS },
    );
  });
});

describe('fuzzing the whole check pipeline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-fuzz-'));
  it.each(['openssl3-default.pfx', 'pem-combined/bundle.pem'])('check survives mutations of %s', async (name) => {
    const base = readFixture(name);
    const file = path.join(dir, path.basename(name));
    const cfg = loadConfig({ KCS_SOURCE: file, KCS_PASSWORD: PASS, KCS_OUTPUT: path.join(dir, 'out') }, ['check']);
    await fc.assert(
      fc.asyncProperty(mutated(base), async (b) => {
        fs.writeFileSync(file, b);
        return survivesAsync(() => loadAndValidate(cfg, new Date()));
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 2)) },
    );
  });
});
