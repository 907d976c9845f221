// The mount table as sidecar/watch/mounts.ts reads it, and what it decides: inotify events or polling.
// A real FUSE mount without events is in test/cli/watch-poll.test.ts.
import { describe, expect, it } from 'vitest';
import { mountOf, parseMountinfo, watchMode } from '../../../sidecar/watch/mounts.js';

describe('the mount table', () => {
  const table = [
    '22 1 0:21 / / rw,relatime shared:1 - overlay overlay rw',
    '30 22 0:40 / /certs rw,relatime - 9p C:\\134 rw,trans=fd',
    '31 22 0:41 / /with\\040space rw,relatime shared:5 master:1 - fuse.bindfs /back rw,user_id=0',
    '32 22 0:42 / /srv/share rw - nfs4 host:/export rw',
  ].join('\n');
  const mounts = parseMountinfo(table);

  it('is read with escaped paths and optional fields', () => {
    expect(mounts).toEqual([
      { mountPoint: '/', fstype: 'overlay' },
      { mountPoint: '/certs', fstype: '9p' },
      { mountPoint: '/with space', fstype: 'fuse.bindfs' },
      { mountPoint: '/srv/share', fstype: 'nfs4' },
    ]);
  });

  it('gives the deepest mount holding a path, which decides events or polling', () => {
    expect(mountOf('/certs/tls.crt', mounts)?.fstype).toBe('9p');
    expect(mountOf('/certsx/tls.crt', mounts)?.fstype).toBe('overlay');
    expect(watchMode('auto', ['/with space/a.pfx'], mounts).poll).toBe(true);
    expect(watchMode('auto', ['/srv/share/x'], mounts).poll).toBe(true);
    expect(watchMode('auto', ['/srv/other'], mounts)).toEqual({ poll: false, why: 'inotify' });
    expect(watchMode('events', ['/certs'], mounts).poll).toBe(false);
    expect(watchMode('poll', ['/srv/other'], mounts).poll).toBe(true);
  });
});
