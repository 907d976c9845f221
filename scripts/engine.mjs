// The container engine the scripts and the tests drive: `docker` or `podman`.
//
// Named with `--engine docker|podman` (npm run image, npm run compose:example) or CONTAINER_ENGINE; else
// found: Docker when its daemon answers, else Podman when it runs. Not a KCS_* variable: the sidecar
// refuses KCS_* names it does not know, and a user who exported one for the scripts would break the CLI.
//
// The compose tool is named the same way (`--compose` or CONTAINER_COMPOSE): `docker compose`,
// `podman-compose`, or `podman compose` (Podman 4.7+); on Podman the default is `podman-compose`.
// Compose v2 against Podman's API socket is `--engine podman --compose docker` (DOCKER_HOST is set to the socket).
import { spawnSync } from 'node:child_process';

export const ENGINES = ['docker', 'podman'];
export const COMPOSE_TOOLS = ['docker', 'podman-compose', 'podman'];
/** Podman's API socket, as test/integration/docker/setup-podman.sh starts it (rootful). */
export const PODMAN_SOCKET = 'unix:///run/podman/podman.sock';

const answers = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  return !r.error && r.status === 0;
};

/** The value of `--name value` or `--name=value` in argv. */
export function flag(argv, name) {
  const at = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return argv[at].includes('=') ? argv[at].slice(name.length + 3) : argv[at + 1];
}

/** docker or podman: named (flag, then CONTAINER_ENGINE), else the first that answers. */
export function engineName({ argv = process.argv, env = process.env } = {}) {
  const named = flag(argv, 'engine') ?? env.CONTAINER_ENGINE;
  if (named !== undefined && named !== '') {
    if (!ENGINES.includes(named)) throw new Error(`unknown engine ${named}: use docker or podman`);
    return named;
  }
  if (answers('docker', ['info'])) return 'docker';
  if (answers('podman', ['info'])) return 'podman';
  throw new Error(
    'no container engine answers: start Docker (`docker info`) or install Podman ' +
      '(sudo bash test/integration/docker/setup-podman.sh), or name one with --engine',
  );
}

/**
 * What to run for an engine: its CLI, the build flags that keep a HEALTHCHECK (Podman and buildah write OCI
 * images by default, and OCI has no HEALTHCHECK; `--format docker` keeps it), and the compose tool.
 */
export function containerEngine(name = engineName(), { argv = process.argv, env = process.env } = {}) {
  const tool = flag(argv, 'compose') ?? env.CONTAINER_COMPOSE ?? (name === 'podman' ? 'podman-compose' : 'docker');
  if (!COMPOSE_TOOLS.includes(tool)) throw new Error(`unknown compose tool ${tool}: use ${COMPOSE_TOOLS.join(', ')}`);
  // Compose v2 on Podman talks to its API socket; the classic builder there (no BuildKit behind the socket).
  const composeEnv =
    name === 'podman' && tool === 'docker'
      ? { DOCKER_HOST: env.DOCKER_HOST ?? PODMAN_SOCKET, DOCKER_BUILDKIT: '0', COMPOSE_DOCKER_CLI_BUILD: '0' }
      : {};
  const compose = {
    tool,
    cmd: tool === 'podman-compose' ? 'podman-compose' : tool,
    args: tool === 'podman-compose' ? [] : ['compose'],
    env: composeEnv,
    /** The line users type, for messages: `docker compose`, `podman-compose`, `podman compose`. */
    line: tool === 'podman-compose' ? 'podman-compose' : `${tool} compose`,
  };
  return {
    name,
    cli: name,
    buildFlags: name === 'podman' ? ['--format', 'docker'] : [],
    compose,
  };
}
