import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KcsError } from '../../sidecar/findings.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/files');
export const fixture = (name: string) => path.join(FIXTURES, name);
export const readFixture = (name: string) => readFileSync(fixture(name));
/** A new directory under the temp dir (its real path) holding these files: a fixture's name, or the bytes. */
export function fixtureDir(files: Record<string, string | Buffer>, prefix = 'kcs-fixtures-'): string {
  const d = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  for (const [name, from] of Object.entries(files))
    writeFileSync(path.join(d, name), Buffer.isBuffer(from) ? from : readFixture(from));
  return d;
}
/** The named fixtures' bytes, one after another. */
export const catFixtures = (...names: string[]) => Buffer.concat(names.map((n) => readFixture(n)));
export const PASS = 'fixture-Pa55';
export const UNICODE_PASS = 'pässwörd-🔐-测试';

/** Waits until `fn` returns something truthy, checking every 20 ms; fails after `ms`. */
export async function until<T>(fn: () => T | undefined | false, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The SHA-256 of the published leaf, as manifest.json says, or undefined while there is none. */
export function publishedSha(out: string): string | undefined {
  try {
    return JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).sha256 as string;
  } catch {
    return undefined;
  }
}

/** The KcsError `fn` throws; anything else it throws is thrown on, and throwing nothing fails. */
export function failure(fn: () => unknown): KcsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KcsError) return err;
    throw err;
  }
  throw new Error('expected a KcsError');
}
