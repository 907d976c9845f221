// Plan, then commit: a bug thrown while the new set is built (here, in conversion) is a bug, exit 1,
// and never OUTPUT_NOT_WRITABLE "check the volume"; the live set stays exactly as it was. The bug
// is injected into convert/ only (the rest of the pipeline, the volume and the writer are real).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../sidecar/cli/main.js';
import { fixture } from '../support/helpers.js';

const fault = vi.hoisted(() => ({ on: false }));
vi.mock('../../sidecar/convert/index.js', async (original) => {
  const real = await original<typeof import('../../sidecar/convert/index.js')>();
  return {
    ...real,
    convert: (...args: Parameters<typeof real.convert>) => {
      if (fault.on) throw new TypeError("Cannot read properties of undefined (reading 'raw')");
      return real.convert(...args);
    },
  };
});

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { PATH: process.env.PATH }, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('a bug while the set is built', () => {
  it('exits 1 as an internal error, not OUTPUT_NOT_WRITABLE, and leaves the live set as it was', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-plan-')), 'out');
    expect((await run(['init', '--output', out, '--source', fixture('pem-pkcs8')])).code).toBe(0);
    const live = fs.readlinkSync(path.join(out, '..data'));
    const before = fs.readFileSync(path.join(out, 'tls.crt'), 'utf8');
    fault.on = true;
    try {
      const r = await run(['init', '--output', out, '--source', fixture('k8s-secret')]);
      expect(r.err).toBe(
        "internal error: Cannot read properties of undefined (reading 'raw')\n" +
          'run again with --verbose for the stack trace, and report it as a bug\n',
      );
      expect(r.code).toBe(1);
    } finally {
      fault.on = false;
    }
    expect(fs.readlinkSync(path.join(out, '..data'))).toBe(live);
    expect(fs.readFileSync(path.join(out, 'tls.crt'), 'utf8')).toBe(before);
    expect(fs.readdirSync(out).filter((n) => n.startsWith('..2'))).toEqual([live]);
  });
});
