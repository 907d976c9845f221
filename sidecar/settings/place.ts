// Where the sidecar runs (KCS_RUNS_IN), and what follows from it: the default home of the development
// CA, and which guidance fits (host paths and trust commands on a host; the app's view and how to get the
// CA to the host in a container). The image sets KCS_RUNS_IN=container; anything else is a host. Not
// guessed from /.dockerenv: a dev container or a CI sandbox is a container whose user works as on a host.
import fs from 'node:fs';
import path from 'node:path';

export const PLACES = ['host', 'container'] as const;
export type Place = (typeof PLACES)[number];

const APP = 'kestrel-cert-sidecar';

/**
 * The per-user data directory, as mkcert keeps its CAROOT: $XDG_DATA_HOME or ~/.local/share on Linux,
 * ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows. Undefined when the environment
 * names no home.
 */
export function userDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | undefined {
  if (platform === 'win32') return env.LOCALAPPDATA ? path.win32.join(env.LOCALAPPDATA, APP) : undefined;
  if (platform === 'darwin')
    return env.HOME ? path.posix.join(env.HOME, 'Library', 'Application Support', APP) : undefined;
  if (env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME)) return path.posix.join(env.XDG_DATA_HOME, APP);
  return env.HOME ? path.posix.join(env.HOME, '.local', 'share', APP) : undefined;
}

/** The image's place for the CA. */
export const CONTAINER_STATE = '/state';

/** True when `dir` is a mount point (another device than /): a volume, so it outlives the container. */
function isMounted(dir: string): boolean {
  try {
    return fs.statSync(dir).dev !== fs.statSync('/').dev;
  } catch {
    return false;
  }
}

/**
 * Where the CA lives when KCS_STATE is unset. On a host: the per-user data directory. In a container:
 * /state when a volume is mounted there (the image's own /state lives and dies with the container, and
 * a read-only root file system cannot take it), else nowhere: a CA for this run only (CA_EPHEMERAL).
 */
export function defaultState(
  place: Place,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  mounted: (dir: string) => boolean = isMounted,
): string | undefined {
  if (place === 'container') return mounted(CONTAINER_STATE) ? CONTAINER_STATE : undefined;
  return userDataDir(platform, env);
}

/** What a host runs to trust a CA that lives in a container's volume. */
export const HOST_TRUST_STEPS =
  'docker compose run --rm <service> trust --print > ca.crt, ' +
  'then on your machine: npx kestrel-cert-sidecar trust --install --ca ca.crt';
