import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tidyOutput } from '../../../sidecar/publish/published.js';
import { set, t0, tmpDir, writeAtomically } from '../../support/publish.js';

describe('relink', () => {
  it('replaces every top-level link with a fresh one pointing at the same name', () => {
    const dir = tmpDir();
    writeAtomically(dir, () => set('a'), { now: t0, digest: 'a' });
    const before = fs.lstatSync(path.join(dir, 'tls.crt')).ino;
    expect(tidyOutput(dir, 'relink')).toEqual({ busy: false });
    expect(fs.lstatSync(path.join(dir, 'tls.crt')).ino).not.toBe(before);
    expect(fs.readlinkSync(path.join(dir, 'tls.crt'))).toBe('..data/tls.crt');
    expect(fs.readFileSync(path.join(dir, 'tls.crt'), 'utf8')).toBe('cert a');
  });
});
