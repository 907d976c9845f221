// `npm run bench`: the figures the issues ask for, each beside its baseline, measured in this run
// on this Node. Wall times are medians and 95th percentiles of repeated child-process runs; peak RSS
// is the child's own maxRSS, reported at exit.
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(root, 'dist/kestrel-cert-sidecar.mjs');
const FIX = path.join(root, 'test/fixtures/files');
const PASS = 'fixture-Pa55';
const RUNS = Number(process.env.BENCH_RUNS ?? 41);
const node = process.execPath;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-bench-'));
// Measure as a container runs: a machine-wide NODE_EXTRA_CA_CERTS makes every Node start parse it.
delete process.env.NODE_EXTRA_CA_CERTS;

function time(cmd, args, opts = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: q(0.5), p95: q(0.95) };
}

/** Runs the measured command RUNS times (plus 2 warm-up runs, discarded). */
function measure(label, make) {
  return measureTogether([[label, make]])[0];
}

/**
 * Runs several commands in turns, round after round (the order alternating), so that each sees the
 * same machine: on a shared or virtual machine the speed drifts over seconds, and a baseline timed
 * in another window than what it is compared with would skew the ratio.
 */
function measureTogether(entries) {
  const samples = entries.map(() => []);
  for (let i = 0; i < RUNS + 2; i++) {
    const order = i % 2 ? [...entries.keys()].reverse() : [...entries.keys()];
    for (const j of order) {
      const { cmd, args, env } = entries[j][1]();
      const ms = time(cmd, args, { env: { ...process.env, ...env } });
      if (i >= 2) samples[j].push(ms);
    }
  }
  return entries.map(([label], j) => ({ label, ...stats(samples[j]) }));
}

/** The child's own peak RSS (ru_maxrss at exit), in MB. */
function peakRss(args, env) {
  const hook =
    'data:text/javascript,import fs from "node:fs"; ' +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal in the child's source, not ours
    'process.on("exit", () => fs.writeSync(2, `\\nMAXRSS ${process.resourceUsage().maxRSS}\\n`));';
  const r = spawnSync(node, ['--import', hook, BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  return m ? Number(m[1]) / 1024 : NaN;
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;
const rows = [];
const row = (what, value, baseline, ratio, target) => rows.push({ what, value, baseline, ratio, target });

if (!fs.existsSync(BIN)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

// ---- issue 2: init on a PFX and on a PEM pair, beside bare Node and the openssl pipeline ----
const pfxEnv = { KCS_SOURCE: path.join(FIX, 'openssl3-default.pfx'), KCS_PASSWORD: PASS, KCS_OUTPUT_PASSWORD: PASS };
const pemEnv = { KCS_SOURCE: path.join(FIX, 'pem-pkcs8'), KCS_OUTPUT_PASSWORD: PASS };
const [bare, initPfx, initPem] = measureTogether([
  ['bare node -e 0', () => ({ cmd: node, args: ['-e', '0'] })],
  ['init, RSA-2048 PFX', () => ({ cmd: node, args: [BIN, 'init', '--output', path.join(tmp(), 'out')], env: pfxEnv })],
  ['init, PEM pair', () => ({ cmd: node, args: [BIN, 'init', '--output', path.join(tmp(), 'out')], env: pemEnv })],
]);
const sslDir = tmp();
const [opensslPipeline, bash] = measureTogether([
  [
    'openssl pkcs12 PFX -> PEM -> PFX',
    () => ({
      cmd: 'bash',
      args: [
        '-c',
        `openssl pkcs12 -in "${FIX}/openssl3-default.pfx" -nodes -passin pass:${PASS} -out "${sslDir}/all.pem" ` +
          '2>/dev/null && ' +
          `openssl pkcs12 -export -in "${sslDir}/all.pem" -out "${sslDir}/out.pfx" -passout pass:${PASS}`,
      ],
    }),
  ],
  ['bash -c true', () => ({ cmd: 'bash', args: ['-c', 'true'] })],
]);
const rssPfx = peakRss(['init', '--output', path.join(tmp(), 'out')], pfxEnv);
const rssPem = peakRss(['init', '--output', path.join(tmp(), 'out')], pemEnv);
const rssBare = (() => {
  const r = spawnSync(node, ['-e', 'process.stderr.write("MAXRSS " + process.resourceUsage().maxRSS)'], {
    encoding: 'utf8',
    env: process.env,
  });
  return Number(/MAXRSS (\d+)/.exec(r.stderr)[1]) / 1024;
})();

for (const [m, rss] of [
  [initPfx, rssPfx],
  [initPem, rssPem],
]) {
  row(
    `${m.label}: wall median / p95`,
    `${fmt(m.median)} / ${fmt(m.p95)}`,
    `bare node ${fmt(bare.median)} / ${fmt(bare.p95)}`,
    `${(m.median / bare.median).toFixed(2)}x`,
    '< 2x bare node',
  );
  row(
    `${m.label}: peak RSS`,
    `${rss.toFixed(1)} MB`,
    `bare node ${rssBare.toFixed(1)} MB`,
    `${(rss / rssBare).toFixed(2)}x`,
    '< 100 MB',
  );
}
row(
  'openssl pipeline (2 processes, in bash): wall median / p95',
  `${fmt(opensslPipeline.median)} / ${fmt(opensslPipeline.p95)}`,
  `bash -c true ${fmt(bash.median)}`,
  `init PFX is ${(initPfx.median / opensslPipeline.median).toFixed(2)}x of it`,
  'reference',
);

// ---- issue 3: generation, cold (new CA) and warm (CA reused), beside mkcert ----
const names = ['localhost', '127.0.0.1', '::1', 'api'];
const coldInit = [
  'init generating, cold (new CA + leaf)',
  () => {
    const d = tmp();
    return {
      cmd: node,
      args: [
        BIN,
        'init',
        '--output',
        path.join(d, 'out'),
        '--state',
        path.join(d, 'state'),
        '--hostnames',
        names.join(','),
      ],
    };
  },
];
const warmState = path.join(tmp(), 'state');
spawnSync(node, [BIN, 'init', '--output', path.join(tmp(), 'out'), '--state', warmState]);
const warmInit = [
  'init generating, warm (CA reused, new leaf)',
  () => ({
    cmd: node,
    args: [BIN, 'init', '--output', path.join(tmp(), 'out'), '--state', warmState, '--hostnames', names.join(',')],
  }),
];
const warmEcInit = [
  'init generating, warm, ECDSA P-256',
  () => ({
    cmd: node,
    args: [
      BIN,
      'init',
      '--output',
      path.join(tmp(), 'out'),
      '--state',
      warmState,
      '--hostnames',
      names.join(','),
      '--key-type',
      'ecdsa-p256',
    ],
  }),
];
let mkcertRows = false;
let warm;
if (spawnSync('mkcert', ['-help']).status !== null) {
  const caroot = tmp();
  spawnSync('mkcert', ['-cert-file', path.join(caroot, 'c.pem'), '-key-file', path.join(caroot, 'k.pem'), 'x'], {
    env: { ...process.env, CAROOT: caroot },
  });
  const mkcert = (label, ...flags) => [
    label,
    () => {
      const d = tmp();
      return {
        cmd: 'mkcert',
        args: [...flags, '-cert-file', path.join(d, 'c.pem'), '-key-file', path.join(d, 'k.pem'), ...names],
        env: { CAROOT: caroot },
      };
    },
  ];
  const [cold, mkCold] = measureTogether([
    coldInit,
    [
      'mkcert, cold (new CA + leaf)',
      () => {
        const d = tmp();
        return {
          cmd: 'mkcert',
          args: ['-cert-file', path.join(d, 'c.pem'), '-key-file', path.join(d, 'k.pem'), ...names],
          env: { CAROOT: d },
        };
      },
    ],
  ]);
  const [warmRsa, mkWarm] = measureTogether([warmInit, mkcert('mkcert, warm (CA reused)')]);
  const [warmEc, mkWarmEc] = measureTogether([warmEcInit, mkcert('mkcert -ecdsa, warm', '-ecdsa')]);
  warm = warmRsa;
  row(
    'init generating, cold: wall median / p95',
    `${fmt(cold.median)} / ${fmt(cold.p95)}`,
    `mkcert cold ${fmt(mkCold.median)}`,
    `${(cold.median / mkCold.median).toFixed(2)}x`,
    'reference',
  );
  row(
    'init generating RSA-2048, warm: wall median / p95',
    `${fmt(warm.median)} / ${fmt(warm.p95)}`,
    `mkcert warm ${fmt(mkWarm.median)} / ${fmt(mkWarm.p95)}`,
    `${(warm.median / mkWarm.median).toFixed(2)}x`,
    '<= 1x mkcert',
  );
  row(
    'init generating ECDSA P-256, warm: wall median / p95',
    `${fmt(warmEc.median)} / ${fmt(warmEc.p95)}`,
    `mkcert -ecdsa warm ${fmt(mkWarmEc.median)}`,
    `${(warmEc.median / mkWarmEc.median).toFixed(2)}x`,
    '<= 1x mkcert',
  );
  mkcertRows = true;
} else warm = measure(...warmInit);
if (!mkcertRows)
  row(
    'init generating, warm',
    `${fmt(warm.median)} / ${fmt(warm.p95)}`,
    'mkcert not installed (apt-get install mkcert)',
    '-',
    '<= 1x mkcert',
  );

// ---- issue 4: rotation latency and idle footprint of watch ----
const extra = await import('./watch-bench.mjs')
  .then((m) => m.benchWatch({ BIN, FIX, PASS, node, tmp, stats, fmt }))
  .catch((err) => [
    { what: 'watch benchmarks', value: `not run: ${err.message}`, baseline: '-', ratio: '-', target: '-' },
  ]);
rows.push(...extra);

// ---- issue 10: rotation end to end, through a real Kestrel ----
const kestrelRows = await import('./kestrel-rotation.mjs')
  .then((m) => m.benchKestrelRotation({ BIN, FIX, node, tmp, stats, fmt, root }))
  .catch((err) => [
    { what: 'rotation end to end (Kestrel)', value: `not run: ${err.message}`, baseline: '-', ratio: '-', target: '-' },
  ]);
rows.push(...kestrelRows);

const header = `Node ${process.version}, ${os.cpus().length} cores, ${RUNS} runs each (medians and p95 of wall time)`;
const table = [
  '| measurement | value | baseline (same run) | ratio | target |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.what} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} |`),
].join('\n');
console.log(`${header}\n\n${table}`);
