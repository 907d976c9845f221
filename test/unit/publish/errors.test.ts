// The fix of OUTPUT_NOT_WRITABLE as sidecar/publish/errors.ts fits it to the runtime, from /proc/self/uid_map.
import { describe, expect, it } from 'vitest';
import { inUserNamespace, permissionFix } from '../../../sidecar/publish/errors.js';

describe('the fix of OUTPUT_NOT_WRITABLE fits the runtime', () => {
  it.each([
    [
      'rootless Podman (a user namespace)',
      '         0       1000          1\n         1     100000      65536\n',
      true,
    ],
    ['the host, or rootful Docker', '         0          0 4294967295\n', false],
  ])('%s', (_what, uidMap, userns) => {
    expect(inUserNamespace(uidMap)).toBe(userns);
    const fix = permissionFix('/srv/certs', 'EACCES', uidMap);
    if (userns)
      expect(fix).toMatch(
        /^in a user namespace .*:U \(-v DIR:\/srv\/certs:U\), or run `podman unshare chown \d+:\d+ DIR`/,
      );
    else expect(fix).toMatch(/^make \/srv\/certs writable by uid \d+/);
  });
});
