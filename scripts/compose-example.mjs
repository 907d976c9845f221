#!/usr/bin/env node
// npm run compose:example: brings compose.example.yml up (certs, then api and web), with the official
// base images when a registry gives them, else with the local stand-ins; waits for web; gets the CA with
// `trust --print`; proves web -> api over verified HTTPS; and prints the commands to do the same by hand.
// `npm run compose:example -- --down` takes it down again, volumes included.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ROOT, chooseBaseImages, run } from './image.mjs';

const down = process.argv.includes('--down');
const log = (m) => console.log(m);
const { kind, images } = down ? { kind: 'any', images: {} } : chooseBaseImages({ log });
const certs = process.env.KCS_TEST_CERTS ?? path.join(ROOT, 'certs');
const files = [
  '-f',
  'compose.example.yml',
  ...(kind === 'stand-ins' ? ['-f', 'test/integration/docker/compose.standins.yml'] : []),
];
const env = { ...process.env, ...images, KCS_TEST_CERTS: certs };

const compose = (args, opts = {}) => run('docker', ['compose', ...files, ...args], { env, ...opts });

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

async function main() {
  if (down) {
    compose(['--profile', 'sidecar', 'down', '-v', '--remove-orphans'], { stdio: 'inherit' });
    return;
  }
  if (!fs.existsSync(certs)) {
    fs.mkdirSync(certs, { recursive: true, mode: 0o755 });
    log(`made ${certs} (empty: the sidecar generates certificates; put a PFX and password.txt there to use yours)`);
  }
  if (!fs.existsSync(path.join(certs, 'password.txt')))
    fs.writeFileSync(path.join(certs, 'password.txt'), '', { mode: 0o644 });
  log('building the images');
  compose(['build', 'certs', 'api', 'web']);
  log('starting certs, then api and web');
  compose(['up', '-d', 'certs', 'api', 'web']);
  const ca = compose(['run', '--rm', '--no-deps', 'certs', 'trust', '--print']);
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
  docker compose -f compose.example.yml run --rm certs trust --print > ca.crt
  curl --cacert ca.crt "${url}"
trust that CA on this machine: npx kestrel-cert-sidecar trust --install --ca ca.crt
take it down: npm run compose:example -- --down   (docker compose -f compose.example.yml down -v)`);
}

main().catch((err) => {
  console.error(`compose:example: ${err.message}`);
  process.exit(1);
});
