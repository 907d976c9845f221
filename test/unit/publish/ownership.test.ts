// Least privilege on the shared volume (the ownership table of docs/threat-model.md): keys 0440
// whatever the umask; no write bit anywhere in a generation; the CA key stays in KCS_STATE. As root,
// everything published is root's, group KCS_OWNER's: the app reads the files through its group and,
// owning none, can chmod or rewrite none; it cannot add, rename or replace an entry either.
// Not root: the files are KCS_OWNER's (the sidecar's own uid).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const isRoot = process.getuid?.() === 0;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

describe('least privilege on the shared volume', () => {
  it.each([0o000, 0o077])(
    "under umask %o: keys 0440, public files 0444; files and 0555 directories the sidecar's, group KCS_OWNER",
    (umask) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-own-'));
      const owner = isRoot ? '1234:5678' : `${process.getuid!()}:${process.getgid!()}`;
      const r = spawnSync(
        'sh',
        [
          '-c',
          `umask ${umask.toString(8)} && exec "$0" "$@"`,
          process.execPath,
          BIN,
          'init',
          '--output',
          path.join(dir, 'out'),
          '--state',
          path.join(dir, 'state'),
          '--owner',
          owner,
          '--app-name',
          'Api',
          '--user-secrets-id',
          'x1',
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH! } },
      );
      expect(r.status).toBe(0);
      const gen = path.join(dir, 'out', fs.readlinkSync(path.join(dir, 'out', '..data')));
      const [uid, gid] = owner.split(':').map(Number);
      for (const p of [gen, ...walk(gen)]) {
        const st = fs.statSync(p);
        const wantUid = st.isDirectory() || isRoot ? process.getuid!() : uid;
        expect({ p, uid: st.uid, gid: st.gid }).toEqual({ p, uid: wantUid, gid });
        expect(st.mode & 0o222, `${p} has a write bit`).toBe(0);
        const name = path.basename(p);
        const want = st.isDirectory()
          ? 0o555
          : /^(tls\.key|cert\.pfx|cert\.password|Api\.pfx|secrets\.json)$/.test(name)
            ? 0o440
            : 0o444;
        expect({ p, mode: (st.mode & 0o777).toString(8) }).toEqual({ p, mode: want.toString(8) });
      }
      const outSt = fs.statSync(path.join(dir, 'out'));
      expect({ uid: outSt.uid, gid: outSt.gid, mode: (outSt.mode & 0o7777).toString(8) }).toEqual({
        uid: process.getuid!(),
        gid: isRoot ? gid : outSt.gid,
        mode: isRoot ? '755' : (outSt.mode & 0o7777).toString(8),
      });
      // The CA key never leaves KCS_STATE: nothing published holds it.
      const caKey = fs.readFileSync(path.join(dir, 'state', 'ca', 'ca.key'), 'utf8');
      const body = caKey
        .split('\n')
        .filter((l) => l && !l.startsWith('-----'))
        .join('');
      for (const p of walk(gen).filter((f) => fs.statSync(f).isFile()))
        expect(fs.readFileSync(p, 'latin1').replace(/\n/g, '')).not.toContain(body.slice(20, 80));
      expect(fs.statSync(path.join(dir, 'state', 'ca', 'ca.key')).mode & 0o777).toBe(0o400);
    },
  );
});
