// Where the development CA lives when KCS_STATE is unset (sidecar/settings/place.ts), per platform.
import { describe, expect, it } from 'vitest';
import { defaultState, userDataDir } from '../../../sidecar/settings/place.js';

describe('userDataDir, as mkcert keeps its CAROOT', () => {
  it.each([
    ['linux', { HOME: '/home/dev' }, '/home/dev/.local/share/kestrel-cert-sidecar'],
    ['linux', { HOME: '/home/dev', XDG_DATA_HOME: '/data' }, '/data/kestrel-cert-sidecar'],
    // The XDG Base Directory spec: a relative path in XDG_DATA_HOME is invalid and ignored.
    ['linux', { HOME: '/home/dev', XDG_DATA_HOME: 'data' }, '/home/dev/.local/share/kestrel-cert-sidecar'],
    ['linux', { XDG_DATA_HOME: '/data' }, '/data/kestrel-cert-sidecar'],
    ['linux', {}, undefined],
    ['linux', { HOME: '' }, undefined],
    ['darwin', { HOME: '/Users/dev' }, '/Users/dev/Library/Application Support/kestrel-cert-sidecar'],
    ['darwin', { XDG_DATA_HOME: '/data' }, undefined],
    [
      'win32',
      { LOCALAPPDATA: 'C:\\Users\\dev\\AppData\\Local' },
      'C:\\Users\\dev\\AppData\\Local\\kestrel-cert-sidecar',
    ],
    ['win32', { HOME: '/home/dev' }, undefined],
  ] as const)('on %s with %j: %s', (platform, env, dir) => {
    expect(userDataDir(platform, env)).toBe(dir);
  });
});

describe('defaultState', () => {
  it('is /state in a container with a volume mounted there, and nowhere without one', () => {
    const asked: string[] = [];
    const mounted = (dir: string) => {
      asked.push(dir);
      return true;
    };
    expect(defaultState('container', 'linux', { HOME: '/root' }, mounted)).toBe('/state');
    expect(asked).toEqual(['/state']);
    expect(defaultState('container', 'linux', { HOME: '/root' }, () => false)).toBeUndefined();
  });
  it("is the user's data directory on a host, mounted or not", () => {
    expect(defaultState('host', 'linux', { HOME: '/home/dev' }, () => true)).toBe(
      '/home/dev/.local/share/kestrel-cert-sidecar',
    );
  });
  it('reads the real mounts by default: / is not a mount of its own, so /state is not either here', () => {
    expect(defaultState('container', 'linux', {})).toBeUndefined();
  });
});

describe("the CA lives where a user's CA lives", () => {
  it('per platform: XDG_DATA_HOME, ~/.local/share, ~/Library/Application Support, %LOCALAPPDATA%', () => {
    expect(userDataDir('linux', { HOME: '/home/you' })).toBe('/home/you/.local/share/kestrel-cert-sidecar');
    expect(userDataDir('linux', { HOME: '/home/you', XDG_DATA_HOME: '/data/you' })).toBe(
      '/data/you/kestrel-cert-sidecar',
    );
    expect(userDataDir('linux', { HOME: '/home/you', XDG_DATA_HOME: 'relative' })).toBe(
      '/home/you/.local/share/kestrel-cert-sidecar',
    ); // the XDG spec ignores a relative one
    expect(userDataDir('darwin', { HOME: '/Users/you' })).toBe(
      '/Users/you/Library/Application Support/kestrel-cert-sidecar',
    );
    expect(userDataDir('win32', { LOCALAPPDATA: 'C:\\Users\\you\\AppData\\Local' })).toBe(
      'C:\\Users\\you\\AppData\\Local\\kestrel-cert-sidecar',
    );
    expect(userDataDir('linux', {})).toBeUndefined();
  });

  it('in the image: /state when a volume is mounted there, else a CA for this run only', () => {
    expect(defaultState('container', 'linux', { HOME: '/home/app' }, () => true)).toBe('/state');
    expect(defaultState('container', 'linux', { HOME: '/home/app' }, () => false)).toBeUndefined();
    expect(defaultState('host', 'linux', { HOME: '/home/you' }, () => false)).toBe(
      '/home/you/.local/share/kestrel-cert-sidecar',
    );
  });
});
