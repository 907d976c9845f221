#!/usr/bin/env node
// npm run compose:example: brings compose.example.yml up (certs, then api and web), with the official
// base images when a registry gives them, else with the local stand-ins; waits for web; gets the CA with
// `trust --print`; proves web -> api over verified HTTPS; and prints the commands to do the same by hand.
// `npm run compose:example -- --down` takes it down again, volumes included; `-- --no-build` uses the images
// already built (npm run image, and kcs-example-api), as the tests do after building them once.
// On any engine and compose tool (scripts/engine.mjs): `--engine podman` runs it with podman-compose,
// `--engine podman --compose docker` with Compose v2 against Podman's API socket.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { OFFICIAL, ROOT, STANDINS, appImageArgs, buildImage, run } from './image.mjs';
import { containerEngine, engineName } from './engine.mjs';

const down = process.argv.includes('--down');
const log = (m) => console.log(m);
const engine = containerEngine(engineName());
const tool = engine.compose;
/** podman-compose 1.0.3 ignores the file's `name:` and COMPOSE_PROJECT_NAME: the project is always given. */
const project = process.env.COMPOSE_PROJECT_NAME || 'kcs-example';
const noBuild = process.argv.includes('--no-build');
/**
 * The base images: those the sidecar image is built from now (official, else stand-ins), or, with --no-build,
 * the official ones if they are here, else the stand-ins.
 */
function baseImages() {
  if (down) return {};
  if (!noBuild) return buildImage({ log, engine }).images;
  const here = (img) => spawnSync(engine.cli, ['image', 'inspect', img], { stdio: 'ignore' }).status === 0;
  return Object.values(OFFICIAL).every(here) ? OFFICIAL : STANDINS;
}
const images = baseImages();
const kind = images.NODE_IMAGE === STANDINS.NODE_IMAGE ? 'stand-ins' : 'official';
const certs = process.env.KCS_TEST_CERTS ?? path.join(ROOT, 'certs');
const files = [
  '-f',
  'compose.example.yml',
  ...(kind === 'stand-ins' ? ['-f', 'test/integration/docker/compose.standins.yml'] : []),
];
const env = { ...process.env, ...images, ...tool.env, CERTS_DIR: certs };

const compose = (args, opts = {}) => run(tool.cmd, [...tool.args, '-p', project, ...files, ...args], { env, ...opts });

/** The PEM blocks of a command's output: podman-compose prints the podman commands it runs on stdout too. */
const pemBlocks = (out) =>
  `${(out.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).join('\n')}\n`;

function get(url, ca) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject)
      .on('timeout', function () {
        this.destroy(new Error('timed out'));
      });
  });
}

/**
 * Builds the app image with the engine itself (host network for npm and NuGet): every compose
 * tool then finds them (podman-compose ignores `build.network`).
 */
function buildAppImage() {
  run(engine.cli, appImageArgs(engine, images, 'kcs-example-api'));
}

/**
 * podman-compose prints its own lines around the PEM: this keeps the PEM. Its `run` without --no-deps brings up
 * (and builds) every service first, profiles or not, and without -T it gives a TTY (CRLF line ends).
 */
const PEM_ONLY = "sed -n '/BEGIN/,/END/p'";

/** The line a user types to get the CA with this compose tool. */
function caCommand() {
  if (tool.tool === 'podman-compose')
    return (
      `podman-compose -p ${project} -f compose.example.yml run --rm --no-deps -T certs trust --print ` +
      `| ${PEM_ONLY} > ca.crt`
    );
  const host = tool.env.DOCKER_HOST ? `DOCKER_HOST=${tool.env.DOCKER_HOST} ` : '';
  return `${host}${tool.line} -f compose.example.yml run --rm certs trust --print > ca.crt`;
}

/** The flags that chose this engine and tool, for the printed `--down` line. */
const toolFlags = () =>
  engine.name === 'docker' ? '' : ` --engine podman${tool.tool === 'podman-compose' ? '' : ` --compose ${tool.tool}`}`;

function downCommand() {
  const host = tool.env.DOCKER_HOST ? `DOCKER_HOST=${tool.env.DOCKER_HOST} ` : '';
  if (tool.tool === 'podman-compose') return `podman-compose -p ${project} -f compose.example.yml down -v`;
  return `${host}${tool.line} -f compose.example.yml down -v`;
}

async function main() {
  if (down) {
    // podman-compose knows no profiles (it sees every service) and no --remove-orphans.
    const args =
      tool.tool === 'podman-compose' ? ['down', '-v'] : ['--profile', 'sidecar', 'down', '-v', '--remove-orphans'];
    compose(args, { stdio: 'inherit' });
    return;
  }
  if (!fs.existsSync(certs)) {
    fs.mkdirSync(certs, { recursive: true, mode: 0o755 });
    log(`made ${certs} (empty: the sidecar generates certificates; put a PFX and password.txt there to use yours)`);
  }
  if (!fs.existsSync(path.join(certs, 'password.txt')))
    fs.writeFileSync(path.join(certs, 'password.txt'), '', { mode: 0o644 });
  if (!noBuild) {
    log(`building the app image with ${engine.name}`);
    buildAppImage();
  }
  log(`starting certs, then api and web, with ${tool.line}`);
  compose(['up', '-d', 'certs', 'api', 'web']);
  const ca = pemBlocks(compose(['run', '--rm', '--no-deps', '-T', 'certs', 'trust', '--print']));
  const caFile = path.join(ROOT, '.cache', 'compose-example-ca.crt');
  fs.mkdirSync(path.dirname(caFile), { recursive: true });
  fs.writeFileSync(caFile, ca);
  const url = 'https://localhost:8082/call?url=https://api:8081/';
  const end = Date.now() + 120_000;
  let last;
  for (;;) {
    try {
      last = await get(url, ca);
      if (last.status === 200) break;
    } catch (err) {
      last = { status: 0, body: err.message };
    }
    if (Date.now() > end)
      throw new Error(
        `web did not answer within 120 s: ${last.status} ${last.body}\n${compose(['logs', '--tail', '20'])}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`web -> api over HTTPS, verified against the sidecar's CA: ${last.body}`);
  log(`
do it yourself:
  ${caCommand()}
  curl --cacert ca.crt "${url}"
trust that CA on this machine: npx kestrel-cert-sidecar trust --install --ca ca.crt
take it down: npm run compose:example -- --down${toolFlags()}   (${downCommand()})`);
}

main().catch((err) => {
  console.error(`compose:example: ${err.message}`);
  process.exit(1);
});
