// The conformance matrix: `check` exits 0 if and only if the material is usable, which the real
// consumers decide. For every input made by a real producer (producers.ts):
//   - Kestrel (.NET 10, in-process in the judge) is given the source in its best faithful form and
//     must start and serve;
//   - five strict clients trusting only the input's trust anchor must complete a handshake for
//     `localhost`: OpenSSL 3 s_client -verify_return_error -verify_hostname, curl, Node tls.connect,
//     Python ssl, and .NET HttpClient trusting only SSL_CERT_FILE;
//   - where check accepts, what init publishes is served, with the same leaf, in every Kestrel mode
//     that fits it (PEM Path + KeyPath; an endpoint declared in configuration; cert.pfx with Path +
//     Password when there are no intermediates; the Development layout when it is published), and
//     cert.pfx opens in `openssl pkcs12` (no -legacy) and `keytool -list`.
// The run writes the table docs/compatibility.md; CI fails when a fresh run disagrees with the
// committed one (UPDATE_COMPATIBILITY=1 rewrites it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, cleanEnv, ENABLE, missing, missingAspNet, needsAll } from '../integration/support/env.js';
import { buildJudge, type ServeCase, serve } from './judge/run.js';
import { makeInputs, type Input } from './producers.js';

const run = needsAll('conformance matrix', [
  [missingAspNet(), ENABLE.dotnet],
  [
    missing('keytool', ['-help']) ??
      missing('certtool', ['--version']) ??
      missing('mkcert', ['-help']) ??
      missing(process.env.MATRIX_PYTHON ?? 'python3', ['-c', 'import cryptography']),
    ENABLE.producers,
  ],
]);
const TABLE = path.join(ROOT, 'docs', 'compatibility.md');
const USER_SECRETS_ID = 'kcs-matrix-1';

type Verdict = boolean;
/** The strict clients, each trusting only `anchor`, connecting to 127.0.0.1:port as localhost. */
async function clients(judge: string, port: number, anchor: string): Promise<Record<string, Verdict>> {
  const s = spawnSync(
    'openssl',
    [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'localhost',
      '-verify_return_error',
      '-verify_hostname',
      'localhost',
      '-CAfile',
      anchor,
    ],
    { input: '', encoding: 'utf8', timeout: 20_000 },
  );
  const curl = spawnSync(
    'curl',
    [
      '-sS',
      '--max-time',
      '10',
      '--cacert',
      anchor,
      '--resolve',
      `localhost:${port}:127.0.0.1`,
      `https://localhost:${port}/`,
    ],
    { encoding: 'utf8', env: cleanEnv({ CURL_CA_BUNDLE: anchor }) },
  );
  const node = await new Promise<boolean>((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(anchor) },
      () => {
        socket.end();
        resolve(true);
      },
    );
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
  const py = spawnSync(
    process.env.MATRIX_PYTHON ?? 'python3',
    [
      '-c',
      'import socket, ssl, sys\n' +
        'ctx = ssl.create_default_context(cafile=sys.argv[1])\n' +
        "sock = socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=10)\n" +
        "ctx.wrap_socket(sock, server_hostname='localhost').close()",
      anchor,
      String(port),
    ],
    { encoding: 'utf8' },
  );
  const dotnet = spawnSync('dotnet', [judge, 'get', `https://localhost:${port}/`, 'localhost'], {
    encoding: 'utf8',
    env: cleanEnv({ SSL_CERT_FILE: anchor, SSL_CERT_DIR: path.join(os.tmpdir(), 'kcs-no-cert-dir') }),
    timeout: 30_000,
  });
  return {
    openssl: s.status === 0 && s.stdout.includes('Verify return code: 0 (ok)'),
    curl: curl.status === 0,
    node,
    python: py.status === 0,
    dotnet: dotnet.stdout.startsWith('ok'),
  };
}

/** The SHA-256 of the leaf served at 127.0.0.1:port, whatever its trust. */
function servedLeaf(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256);
      socket.end();
    });
    socket.on('error', () => resolve(undefined));
  });
}

function check(input: Input) {
  const args = [
    'check',
    '--source',
    input.source,
    '--hostnames',
    'localhost',
    ...(input.dev ? ['--app-name', 'Api', '--user-secrets-id', USER_SECRETS_ID] : []),
  ];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: cleanEnv(input.password !== undefined ? { KCS_PASSWORD: input.password } : {}),
    encoding: 'utf8',
  });
  const findings = [...`${r.stdout}\n${r.stderr}`.matchAll(/^\s*(warning: |info: )?([A-Z_]{6,}) /gm)].map((m) => ({
    code: m[2]!,
    severity: m[1] === 'warning: ' ? 'warning' : m[1] === 'info: ' ? 'info' : 'error',
  }));
  return {
    ok: r.status === 0,
    code: r.status,
    text: `${r.stdout}\n${r.stderr}`,
    errors: findings.filter((f) => f.severity === 'error').map((f) => f.code),
    warnings: [...new Set(findings.filter((f) => f.severity === 'warning').map((f) => f.code))],
  };
}

const CLIENTS = ['openssl', 'curl', 'node', 'python', 'dotnet'] as const;
const mark = (v: boolean | undefined) => (v === undefined ? '—' : v ? '✓' : '✗');

describe.runIf(run)('the conformance matrix', () => {
  it('check accepts exactly what Kestrel serves and strict clients accept', async () => {
    const judge = buildJudge();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-matrix-'));
    const inputs = makeInputs(work, judge);
    expect(inputs.length).toBeGreaterThanOrEqual(50);
    expect(new Set(inputs.map((i) => i.producer)).size).toBeGreaterThanOrEqual(7);

    // 1. check, on the source.
    const verdicts = new Map(inputs.map((i) => [i.id, check(i)]));

    // 2. Kestrel, given each source in its best faithful form.
    const sourceCases: ServeCase[] = inputs
      .filter((i) => i.best)
      .map((i) => ({
        id: i.id,
        mode: i.best!.mode,
        path: i.best!.path,
        ...(i.best!.keyPath ? { keyPath: i.best!.keyPath } : {}),
        ...(i.best!.password !== undefined ? { password: i.best!.password } : {}),
      }));
    const source = await serve(judge, sourceCases);
    const kestrel = new Map<
      string,
      { ok: boolean; error?: string; served?: string; clients?: Record<string, Verdict> }
    >();
    try {
      for (const i of inputs) {
        const r = source.results.get(i.id);
        if (!r?.port) {
          kestrel.set(i.id, { ok: false, error: r?.error ?? 'no form Kestrel can load' });
          continue;
        }
        const served = await servedLeaf(r.port);
        kestrel.set(i.id, { ok: true, ...(served ? { served } : {}), clients: await clients(judge, r.port, i.anchor) });
      }
    } finally {
      await source.stop();
    }

    // 3. What init publishes, for the inputs check accepts.
    const published = new Map<string, Record<string, boolean | undefined>>();
    const publishCases: ServeCase[] = [];
    const expectSha = new Map<string, string>();
    for (const i of inputs.filter((x) => verdicts.get(x.id)!.ok)) {
      const out = path.join(work, 'published', i.id);
      const args = [
        'init',
        '--source',
        i.source,
        '--output',
        out,
        '--hostnames',
        'localhost',
        ...(i.dev ? ['--app-name', 'Api', '--user-secrets-id', USER_SECRETS_ID] : []),
      ];
      const r = spawnSync(process.execPath, [BIN, ...args], {
        env: cleanEnv(i.password !== undefined ? { KCS_PASSWORD: i.password } : {}),
        encoding: 'utf8',
      });
      if (r.status !== 0) {
        published.set(i.id, { init: false });
        continue;
      }
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        sha256: string;
        chain: unknown[];
      };
      expectSha.set(i.id, manifest.sha256);
      const pfxPassword = fs.existsSync(path.join(out, 'cert.password'))
        ? fs.readFileSync(path.join(out, 'cert.password'), 'utf8')
        : (i.password ?? '');
      publishCases.push({
        id: `${i.id}/pem`,
        mode: 'pem-urls',
        path: path.join(out, 'tls.crt'),
        keyPath: path.join(out, 'tls.key'),
      });
      publishCases.push({
        id: `${i.id}/config`,
        mode: 'pem-config',
        path: path.join(out, 'tls.crt'),
        keyPath: path.join(out, 'tls.key'),
      });
      if (manifest.chain.length === 1)
        publishCases.push({
          id: `${i.id}/pfx`,
          mode: 'pfx-urls',
          path: path.join(out, 'cert.pfx'),
          password: pfxPassword,
        });
      if (i.dev) {
        const secrets = JSON.parse(
          fs.readFileSync(path.join(out, 'appdata/Microsoft/UserSecrets', USER_SECRETS_ID, 'secrets.json'), 'utf8'),
        ) as Record<string, string>;
        publishCases.push({
          id: `${i.id}/dev`,
          mode: 'dev',
          appdata: path.join(out, 'appdata'),
          password: secrets['Kestrel:Certificates:Development:Password']!,
        });
      }
      const opensslPfx = spawnSync(
        'openssl',
        ['pkcs12', '-in', path.join(out, 'cert.pfx'), '-nodes', '-passin', `pass:${pfxPassword}`],
        { encoding: 'utf8' },
      );
      const keytool = spawnSync(
        'keytool',
        ['-list', '-keystore', path.join(out, 'cert.pfx'), '-storetype', 'PKCS12', '-storepass', pfxPassword],
        { encoding: 'utf8' },
      );
      published.set(i.id, {
        init: true,
        pfxOpenssl: opensslPfx.status === 0,
        pfxKeytool: keytool.status === 0 && /PrivateKeyEntry/.test(keytool.stdout),
      });
    }
    const pub = await serve(judge, publishCases);
    try {
      for (const c of publishCases) {
        const [id, mode] = c.id.split('/') as [string, string];
        const port = pub.results.get(c.id)?.port;
        const input = inputs.find((x) => x.id === id)!;
        let ok = false;
        if (port) {
          const sha = await servedLeaf(port);
          const trusted = await clients(judge, port, input.anchor);
          ok =
            sha === expectSha.get(id) && trusted.openssl === true && trusted.dotnet === true && trusted.node === true;
        }
        published.get(id)![mode] = ok;
      }
    } finally {
      await pub.stop();
    }

    // 4. The verdicts side by side, and where check disagrees with the consumers.
    const disagreements: string[] = [];
    const rows: string[] = [];
    for (const i of inputs) {
      const v = verdicts.get(i.id)!;
      const k = kestrel.get(i.id)!;
      const usable = k.ok && CLIENTS.every((c) => k.clients?.[c]);
      // A keystore with several entries: the finding names the entry Kestrel itself serves.
      if (
        v.errors.includes('SOURCE_AMBIGUOUS') &&
        k.served &&
        !new RegExp(`Kestrel itself would load the last one, [^\\n]*sha256 ${k.served}`).test(v.text)
      ) {
        disagreements.push(`${i.id}: SOURCE_AMBIGUOUS does not name the entry Kestrel serves (sha256 ${k.served})`);
      }
      if (i.issuerIsRoot !== undefined) {
        // The source lacks the leaf's issuer: check cannot know whether it is a root, and says so.
        if (!v.ok || !v.warnings.includes('CHAIN_BROKEN'))
          disagreements.push(`${i.id}: the leaf's issuer is missing, and check does not accept it with CHAIN_BROKEN`);
        if (usable !== i.issuerIsRoot)
          disagreements.push(
            `${i.id}: the material is ${usable ? '' : 'not '}usable, though its missing ` +
              `issuer is ${i.issuerIsRoot ? '' : 'not '}a root`,
          );
      } else if (v.ok !== usable) {
        const kestrelSaid = k.ok ? 'served' : `failed: ${k.error}`;
        disagreements.push(
          `${i.id}: check ${v.ok ? 'accepts' : `refuses (${v.errors.join(', ')})`}, but the material is ` +
            (usable ? 'usable' : `not usable (Kestrel ${kestrelSaid}; clients ${JSON.stringify(k.clients ?? {})})`),
        );
      }
      const p = published.get(i.id);
      if (v.ok && i.issuerIsRoot !== false) {
        for (const mode of ['init', 'pem', 'config', 'pfx', 'dev', 'pfxOpenssl', 'pfxKeytool'])
          if (p?.[mode] === false) disagreements.push(`${i.id}: check accepts, but the published set fails ${mode}`);
      }
      const warned = v.warnings.length ? ` (${v.warnings.join(', ')})` : '';
      const checkCell =
        (i.issuerIsRoot === undefined ? '' : '(issuer missing) ') +
        (v.ok ? `✓${warned}` : `✗ ${v.errors[0] ?? `exit ${v.code}`}`);
      const cells = [
        i.id,
        i.producer,
        i.what,
        checkCell,
        mark(k.ok),
        ...CLIENTS.map((c) => mark(k.clients?.[c])),
        ...['pem', 'config', 'pfx', 'dev'].map((m) => mark(p?.[m])),
        mark(p?.pfxOpenssl),
        mark(p?.pfxKeytool),
      ];
      rows.push(`| ${cells.join(' | ')} |`);
    }
    const table = [
      '# Compatibility: what `check` says, and what the consumers do',
      '',
      'Written by the conformance matrix (`test/conformance/matrix.test.ts`, in `npm test`): every input is',
      'made by its producer at test time; CI fails when a fresh run disagrees with this file. `check` must',
      'accept exactly the inputs that Kestrel serves (given the source in its best faithful form: PEM as it',
      'is but with the leaf first, as `init` publishes it; a keystore as its key and certificates in PEM; a',
      'keystore with several entries as Kestrel loads it)',
      "and that every strict client accepts, trusting only the input's own root. Where it accepts, the set",
      '`init` publishes must be served with the same leaf in each Kestrel mode that fits it, and `cert.pfx`',
      'must open in OpenSSL 3 (no `-legacy`) and Java keytool. A source that lacks the issuer of its leaf is',
      'usable only when that issuer is a root the clients trust, which no tool can tell from the source:',
      '`check` accepts it with a `CHAIN_BROKEN` warning that says so, marked "(issuer missing)" below.',
      '',
      'Columns: **check** (✓ exit 0, with its warnings; ✗ and the first error); **Kestrel** serving the',
      "source; the clients trusting the source's root (**OpenSSL** `s_client -verify_return_error",
      '-verify_hostname`, **curl**, **Node** `tls.connect`, **Python** `ssl`, **.NET** `HttpClient` with only',
      '`SSL_CERT_FILE`); the published set in Kestrel: **PEM** (`Path` + `KeyPath`), **config** (an endpoint',
      'declared in configuration), **PFX** (`cert.pfx`, only without intermediates: see `KESTREL_PFX_CHAIN`),',
      '**Dev** (the Development layout through `APPDATA`); `cert.pfx` in **openssl pkcs12** and **keytool**.',
      '— : does not apply.',
      '',
      '| input | producer | what it exercises | check | Kestrel | OpenSSL | curl | Node | ' +
        'Python | .NET | PEM | config | PFX | Dev | openssl pkcs12 | keytool |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `${inputs.length} inputs from ${new Set(inputs.map((i) => i.producer)).size} producers.`,
      '',
    ].join('\n');
    // The generator's section ("## Generated chains", test/conformance/generator.test.ts) ends the file and
    // is held by its own test: kept as it is.
    const committed = fs.readFileSync(TABLE, 'utf8');
    const at = committed.indexOf('\n## Generated chains\n');
    const rest = at < 0 ? '' : committed.slice(at);
    if (process.env.UPDATE_COMPATIBILITY === '1') fs.writeFileSync(TABLE, table + rest);
    console.log(table);
    expect(disagreements).toEqual([]);
    expect(fs.readFileSync(TABLE, 'utf8')).toBe(table + rest);
  }, 2_400_000);
});
