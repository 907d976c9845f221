// Runs the bundled dist/ file as a user would, and reads back what it publishes with consumers we
// did not write: node:crypto, Node's TLS, and openssl 3 without -legacy.
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASS, UNICODE_PASS, fixture } from '../support/helpers.js';
import { ENABLE, needs } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function run(args: string[], env: Record<string, string> = {}, cwd = tmp()): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH!, HOME: os.tmpdir(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const openssl = (...args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

/** Serves the published tls.crt + tls.key over HTTPS and connects trusting only ca.crt, checking the host name. */
async function handshakeWith(
  out: string,
  servername = 'localhost',
  caFile = path.join(out, 'ca.crt'),
): Promise<string> {
  const server = https.createServer(
    { cert: fs.readFileSync(path.join(out, 'tls.crt')), key: fs.readFileSync(path.join(out, 'tls.key')) },
    (_q, s) => s.end('ok'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<string>((resolve, reject) => {
      const s = tls.connect(
        {
          host: '127.0.0.1',
          port: (server.address() as { port: number }).port,
          servername,
          ca: fs.readFileSync(caFile),
        },
        () => {
          resolve(s.getPeerCertificate().fingerprint256);
          s.end();
        },
      );
      s.on('error', reject);
    });
  } finally {
    server.close();
  }
}

/** Every independent check of a published set. */
async function expectConsumersAccept(out: string, password: string, servername = 'localhost', partial = false) {
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  const cert = new crypto.X509Certificate(fs.readFileSync(path.join(out, 'tls.crt')));
  const key = crypto.createPrivateKey(fs.readFileSync(path.join(out, 'tls.key')));
  expect(cert.checkPrivateKey(key)).toBe(true);
  expect(cert.fingerprint256).toBe(manifest.sha256);
  expect(fs.readFileSync(path.join(out, 'tls.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  const pfx = fs.readFileSync(path.join(out, 'cert.pfx'));
  expect(() => tls.createSecureContext({ pfx, passphrase: password })).not.toThrow();
  const dump = openssl('pkcs12', '-in', path.join(out, 'cert.pfx'), '-nodes', '-passin', `pass:${password}`);
  expect(dump.status).toBe(0);
  expect(dump.stdout).toContain('BEGIN PRIVATE KEY');
  const chainFile = path.join(out, 'tls.crt');
  // A source without its root publishes the top intermediate as ca.crt: OpenSSL needs -partial_chain for that.
  const verify = (...args: string[]) => openssl('verify', ...(partial ? ['-partial_chain'] : []), ...args);
  expect(verify('-CAfile', path.join(out, 'ca.crt'), '-untrusted', chainFile, chainFile).stdout).toBe(
    `${chainFile}: OK\n`,
  );
  expect(verify('-CAfile', path.join(out, 'trust/ca-bundle.crt'), '-untrusted', chainFile, chainFile).stdout).toBe(
    `${chainFile}: OK\n`,
  );
  expect(verify('-CApath', path.join(out, 'trust/certs'), '-untrusted', chainFile, chainFile).stdout).toBe(
    `${chainFile}: OK\n`,
  );
  // Node's TLS has no partial-chain trust: for a source without its root, trust the root itself.
  expect(await handshakeWith(out, servername, partial ? fixture('root.crt') : undefined)).toBe(cert.fingerprint256);
  for (const f of ['manifest.json', 'tls.crt', 'ca.crt', 'trust/ca-bundle.crt'])
    expect(fs.readFileSync(path.join(out, f), 'utf8')).not.toContain(password);
}

describe('the quick start: init with nothing mounted', () => {
  const cwd = tmp();
  const home = tmp();
  let r: Run;
  beforeAll(() => {
    r = run(['init'], { HOME: home }, cwd);
  });

  it('exits 0 and says what it published, where, and how to point Kestrel at it', () => {
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^published \\.\\.\\d{4}_\\d\\d_\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.\\d{6} to ${cwd.replace(/[.]/g, '\\.')}/out\\n`,
      ),
    );
    expect(r.stdout).toMatch(/ {2}sha256 {7}([0-9A-F]{2}:){31}[0-9A-F]{2}\n/);
    expect(r.stdout).toContain(
      '  names        localhost, 127.0.0.1, ::1, host.docker.internal, host.containers.internal\n',
    );
    expect(r.stdout).toContain(`  ASPNETCORE_Kestrel__Certificates__Default__Path=${cwd}/out/tls.crt\n`);
    expect(r.stdout).toContain(`  ASPNETCORE_Kestrel__Certificates__Default__KeyPath=${cwd}/out/tls.key\n`);
    expect(r.stdout).toContain(`, created in ${home}/.local/share/kestrel-cert-sidecar\n`);
    expect(r.stdout).toContain(
      'trust the development CA on this machine once (system store, Chromium, Firefox): ' +
        'npx kestrel-cert-sidecar trust --install\n',
    );
    expect(r.stderr).toBe('');
  });

  it('publishes files that node:crypto, Node TLS and openssl 3 (without -legacy) all accept', async () => {
    await expectConsumersAccept(path.join(cwd, 'out'), fs.readFileSync(path.join(cwd, 'out', 'cert.password'), 'utf8'));
  });

  it('publishes the documented layout with its modes', () => {
    const out = path.join(cwd, 'out');
    const names = fs
      .readdirSync(out)
      .filter((n) => !n.startsWith('..'))
      .sort();
    expect(names).toEqual([
      'ca.crt',
      'cert.password',
      'cert.pfx',
      'kestrel.env',
      'kestrel.json',
      'manifest.json',
      'tls.crt',
      'tls.key',
      'trust',
    ]);
    const mode = (f: string) => fs.statSync(path.join(out, f)).mode & 0o777;
    expect([mode('tls.key'), mode('cert.pfx'), mode('cert.password')]).toEqual([0o440, 0o440, 0o440]);
    expect([mode('tls.crt'), mode('ca.crt'), mode('kestrel.env'), mode('manifest.json')]).toEqual([
      0o444, 0o444, 0o444, 0o444,
    ]);
    expect(mode('trust')).toBe(0o555);
    // As root: root's, read by the app through KCS_OWNER's group (docs/threat-model.md).
    if (process.getuid?.() === 0) expect(fs.statSync(path.join(out, 'tls.key'))).toMatchObject({ uid: 0, gid: 1654 });
  });

  it('does not republish on a rerun with the same CA, and keeps the generated password', () => {
    const state = path.join(cwd, 'state');
    const a = run(['init', '--state', state], {}, cwd);
    const pw = fs.readFileSync(path.join(cwd, 'out', 'cert.password'), 'utf8');
    const b = run(['init', '--state', state], {}, cwd);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/^unchanged: \.\.\S+ in .* is already current \(not republished\)\n/);
    expect(fs.readFileSync(path.join(cwd, 'out', 'cert.password'), 'utf8')).toBe(pw);
    expect(b.stdout).not.toContain('trust the development CA');
  });
});

describe('init publishes every input kind, and independent readers accept the result', () => {
  it.each([
    [
      'a legacy RC2 PFX',
      { KCS_SOURCE: fixture('openssl-legacy-rc2.pfx'), KCS_PASSWORD_FILE: fixture('password.txt') },
      PASS,
    ],
    [
      'a PFX with a Unicode password',
      { KCS_SOURCE: fixture('unicode-password.pfx'), KCS_PASSWORD_FILE: fixture('unicode-password.txt') },
      UNICODE_PASS,
    ],
    [
      'a PFX whose password is in secrets.json',
      { KCS_SOURCE: fixture('windows-3des.pfx'), KCS_USER_SECRETS: fixture('secrets.json') },
      PASS,
    ],
    ['a Kubernetes TLS secret', { KCS_SOURCE: fixture('k8s-secret'), KCS_OUTPUT_PASSWORD: 'out-Pa55' }, 'out-Pa55'],
    ['an encrypted PEM key', { KCS_SOURCE: fixture('pem-encrypted'), KCS_PASSWORD: PASS }, PASS, true],
    [
      "a Let's Encrypt directory with the legacy-3des profile",
      { KCS_SOURCE: fixture('letsencrypt'), KCS_PFX_PROFILE: 'legacy-3des', KCS_OUTPUT_PASSWORD: 'out-Pa55' },
      'out-Pa55',
      true,
    ],
  ])('%s', async (_what, env, password, partial = false) => {
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--output', out], env);
    const rest = r.stderr.replace(/^info: .*\nfix: .*\n/gm, '');
    if (partial)
      expect(rest).toMatch(
        new RegExp(
          /^warning: CHAIN_BROKEN the chain ends at Fixture Intermediate CA, whose issuer CN=Fixture /.source +
            /Root CA is not in the source/.source,
        ),
      );
    else expect(rest).toBe('');
    expect(r.code).toBe(0);
    await expectConsumersAccept(out, password, 'api', partial);
  });

  it('re-encodes a 600,000-iteration PFX that .NET would refuse, and says so', () => {
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--output', out], { KCS_SOURCE: fixture('iter-600k.pfx'), KCS_PASSWORD: PASS });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: PFX_REENCODED ${fixture('iter-600k.pfx')} asks for 600,000 iterations, ` +
        `more than .NET's Pkcs12LoaderLimits allow (300,000), so Kestrel would refuse it`,
    );
    expect(
      openssl('pkcs12', '-in', path.join(out, 'cert.pfx'), '-info', '-noout', '-passin', `pass:${PASS}`).stderr,
    ).toContain('MAC: sha256, Iteration 2048');
  });

  it.each([
    // [what, source, env, published as it is]
    [
      'an OpenSSL 3 PFX (PBES2 AES-256, HMAC-SHA256, 2,048 iterations) under its own password',
      'openssl3-default.pfx',
      { KCS_PASSWORD: PASS },
      true,
    ],
    ['a Windows AES export (PBES2 AES-256, HMAC-SHA256)', 'windows-aes.pfx', { KCS_PASSWORD: PASS }, true],
    [
      'the same PFX under another output password',
      'openssl3-default.pfx',
      { KCS_PASSWORD: PASS, KCS_OUTPUT_PASSWORD: 'out-Pa55' },
      false,
    ],
    [
      'the same PFX with the legacy-3des profile',
      'openssl3-default.pfx',
      { KCS_PASSWORD: PASS, KCS_PFX_PROFILE: 'legacy-3des' },
      false,
    ],
    ['an OpenSSL -legacy PFX (RC2-40, 3DES, SHA-1 MAC)', 'openssl-legacy-rc2.pfx', { KCS_PASSWORD: PASS }, false],
    ['a Windows 3DES export', 'windows-3des.pfx', { KCS_PASSWORD: PASS }, false],
    ['a PFX without a MAC', 'nomac.pfx', { KCS_PASSWORD: PASS }, false],
    ['a PFX with 600,000 iterations', 'iter-600k.pfx', { KCS_PASSWORD: PASS }, false],
    ['a PFX with a plain key bag', 'unencrypted.pfx', { KCS_PASSWORD: PASS }, false],
    ['a Java keytool PFX (PBES2 AES-256, HMAC-SHA256, 10,000 iterations)', 'keytool.p12', { KCS_PASSWORD: PASS }, true],
  ] as const)(
    'cert.pfx from %s: published as it is only when it already has the modern profile',
    (_what, file, env, reused) => {
      const out = path.join(tmp(), 'out');
      const r = run(['init', '--output', out], { KCS_SOURCE: fixture(file), ...env });
      expect(r.code).toBe(0);
      const published = fs.readFileSync(path.join(out, 'cert.pfx'));
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
      expect(manifest.kestrel.pfx).toBe(reused ? 'source' : 'encoded');
      expect(published.equals(fs.readFileSync(fixture(file)))).toBe(reused);
      // Either way it opens with OpenSSL 3 without -legacy under the output password, with modern algorithms only.
      const password = 'KCS_OUTPUT_PASSWORD' in env ? env.KCS_OUTPUT_PASSWORD : PASS;
      const info = openssl(
        'pkcs12',
        '-in',
        path.join(out, 'cert.pfx'),
        '-info',
        '-nokeys',
        '-passin',
        `pass:${password}`,
      );
      expect(info.status).toBe(0);
      if ('KCS_PFX_PROFILE' in env) expect(info.stderr).toContain('MAC: sha1, Iteration 2048');
      else {
        expect(info.stderr).toMatch(/^MAC: sha256, Iteration (\d+)$/m);
        expect(info.stderr).not.toMatch(/RC2|3DES|TripleDES|sha1/i);
        for (const [, n] of info.stderr.matchAll(/Iteration (\d+)/g)) expect(Number(n)).toBeGreaterThanOrEqual(2048);
        for (const [, n] of info.stderr.matchAll(/Iteration (\d+)/g)) expect(Number(n)).toBeLessThanOrEqual(300_000);
      }
    },
  );

  it('re-encodes a PFX with modern algorithms but fewer than 2,048 iterations', () => {
    const dir = tmp();
    const src = path.join(dir, 'weak.pfx');
    const chain = path.join(dir, 'chain.pem');
    fs.writeFileSync(
      chain,
      Buffer.concat([fs.readFileSync(fixture('inter.crt')), fs.readFileSync(fixture('root.crt'))]),
    );
    const made = openssl(
      'pkcs12',
      '-export',
      '-in',
      fixture('rsa2048.crt'),
      '-inkey',
      fixture('rsa2048.key'),
      '-certfile',
      chain,
      '-iter',
      '1000',
      '-out',
      src,
      '-passout',
      `pass:${PASS}`,
    );
    expect(made.status).toBe(0);
    expect(openssl('pkcs12', '-in', src, '-info', '-noout', '-passin', `pass:${PASS}`).stderr).toContain(
      'AES-256-CBC, Iteration 1000',
    );
    const out = path.join(dir, 'out');
    expect(run(['init', '--output', out], { KCS_SOURCE: src, KCS_PASSWORD: PASS }).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).kestrel.pfx).toBe('encoded');
    const info = openssl(
      'pkcs12',
      '-in',
      path.join(out, 'cert.pfx'),
      '-info',
      '-noout',
      '-passin',
      `pass:${PASS}`,
    ).stderr;
    expect(info).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256');
    expect(info).not.toContain('Iteration 1000');
  });

  it('points kestrel.env at cert.pfx with its password when KCS_KESTREL_FORMAT=pfx, and makes it 0440', () => {
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--output', out, '--mount-path', '/https', '--kestrel-format', 'pfx'], {
      KCS_SOURCE: fixture('pem-pkcs8'),
      KCS_OUTPUT_PASSWORD: 'out-Pa55',
    });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8')).toBe(
      'ASPNETCORE_Kestrel__Certificates__Default__Path=/https/cert.pfx\n' +
        'ASPNETCORE_Kestrel__Certificates__Default__Password=out-Pa55\n',
    );
    expect(JSON.parse(fs.readFileSync(path.join(out, 'kestrel.json'), 'utf8'))).toEqual({
      Kestrel: { Certificates: { Default: { Path: '/https/cert.pfx', Password: 'out-Pa55' } } },
    });
    expect(fs.statSync(path.join(out, 'kestrel.env')).mode & 0o777).toBe(0o440);
    expect(r.stdout).not.toContain('out-Pa55');
  });
});

describe('failures exit with their code, say what and why and how to fix it, and lose nothing', () => {
  it('a wrong password: exit 4, the exact two lines, and the live set untouched', () => {
    const out = path.join(tmp(), 'out');
    expect(
      run(['init', '--output', out], { KCS_SOURCE: fixture('openssl3-default.pfx'), KCS_PASSWORD: PASS }).code,
    ).toBe(0);
    const before = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    const r = run(['init', '--output', out], {
      KCS_SOURCE: fixture('openssl3-default.pfx'),
      KCS_PASSWORD: 'Wr0ng-Secret-Value',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `PASSWORD_WRONG cannot open ${fixture('openssl3-default.pfx')}: the password does ` +
        `not match (the PKCS#12 integrity check failed)\nfix: set KCS_PASSWORD_FILE to ` +
        `the file holding the password this PFX was exported with\n`,
    );
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(fs.readdirSync(out).filter((n) => /^\.\.\d/.test(n))).toHaveLength(1);
  });

  it.each([
    [
      'a missing source',
      ['init'],
      { KCS_SOURCE: '/nonexistent/certs' },
      3,
      /^SOURCE_NOT_FOUND cannot open the source \/nonexistent\/certs: it does not exist\nfix: /,
    ],
    [
      'an expired certificate',
      ['init'],
      { KCS_SOURCE: fixture('expired.crt'), KCS_KEY_FILE: fixture('expired.key') },
      4,
      /^CERT_EXPIRED the certificate expired expired on 2020-01-31T00:00:00\.000Z \(\d+ days ago\)\nfix: renew/,
    ],
    [
      'an unknown variable',
      ['init'],
      { KCS_PFX_PROFIL: 'modern' },
      2,
      /^CONFIG_INVALID unknown setting KCS_PFX_PROFIL \(did you mean KCS_PFX_PROFILE\?\)\nfix: /,
    ],
    [
      'a misspelt value',
      ['init'],
      { KCS_PFX_PROFILE: 'morden' },
      2,
      new RegExp(
        /^CONFIG_INVALID KCS_PFX_PROFILE `morden` is not valid: use one of modern, legacy-3des \(did /.source +
          /you mean modern\?\)\nfix: /.source,
      ),
    ],
    [
      'a password on the command line',
      ['init', '--password', 'hunter2'],
      {},
      2,
      /^CONFIG_INVALID unknown option --password .*secrets are never taken from flags/,
    ],
    [
      'an unknown flag',
      ['init', '--sorce', 'x'],
      {},
      2,
      /^CONFIG_INVALID unknown option --sorce \(did you mean --source\?\)/,
    ],
    [
      'an internationalized host name',
      ['init', '--hostnames', 'bücher.example'],
      {},
      2,
      new RegExp(
        /^CONFIG_INVALID KCS_HOSTNAMES name `bücher\.example` is not ASCII: .*\nfix: write it as /.source +
          /xn--bcher-kva\.example\n$/.source,
      ),
    ],
    [
      '101 host names',
      ['init', '--hostnames', Array.from({ length: 101 }, (_, i) => `svc${i}`).join(',')],
      {},
      2,
      /^CONFIG_INVALID KCS_HOSTNAMES lists 101 names, more than 100\nfix: /,
    ],
    [
      'a host name that starts with a hyphen',
      ['init', '--hostnames=-bad.example'],
      {},
      2,
      /^CONFIG_INVALID KCS_HOSTNAMES name `-bad\.example` is not a DNS name or IP address\nfix: /,
    ],
    [
      'an output that is a file',
      ['init', '--output', fixture('rsa2048.crt')],
      {},
      5,
      /^OUTPUT_NOT_WRITABLE cannot publish to .*rsa2048\.crt: creating the output directory failed \(EEXIST\)\nfix: /,
    ],
    ['no command', [], {}, 2, /^CONFIG_INVALID no command given\nfix: run one of: init, watch, check, probe/],
  ])('%s exits %s', (_what, args, env, code, stderr) => {
    const r = run(args as string[], env as Record<string, string>);
    expect(r.stderr).toMatch(stderr as RegExp);
    expect(r.code).toBe(code);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('never prints a password, even with --verbose', () => {
    const secret = 'Zq9-distinctive-Pa55word';
    const out = path.join(tmp(), 'out');
    const runs = [
      run(['init', '--output', out, '--verbose'], { KCS_SOURCE: fixture('pem-pkcs8'), KCS_OUTPUT_PASSWORD: secret }),
      run(['check', '--verbose', '--json'], { KCS_SOURCE: fixture('openssl3-default.pfx'), KCS_PASSWORD: secret }),
      run(['init', '--output', out, '--verbose', '--kestrel-format', 'pfx'], {
        KCS_SOURCE: fixture('pem-pkcs8'),
        KCS_OUTPUT_PASSWORD: secret,
      }),
    ];
    for (const r of runs) {
      const all = r.stdout + r.stderr;
      for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')])
        expect(all).not.toContain(form);
    }
    expect(runs[0]!.stderr).toContain('"KCS_OUTPUT_PASSWORD":"***"');
    expect(runs[1]!.code).toBe(4);
  });
});

describe('check', () => {
  it('shows the chain as a tree, leaf to root, and the findings', () => {
    const r = run(['check'], { KCS_SOURCE: fixture('k8s-secret') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'chain\n└─ CN=rsa2048  [leaf]\n     names    localhost, api, *.example.test, ' +
        '127.0.0.1, ::1\n     key      RSA 2048\n',
    );
    expect(r.stdout).toContain('   └─ CN=Fixture Intermediate CA  [intermediate]\n');
    expect(r.stdout).toContain('      └─ CN=Fixture Root CA  [ca.crt, self-signed]\n');
    expect(r.stdout).toMatch(/findings none\nresult {3}valid\n$/);
  });

  it('--json prints ok, findings and the certificate summary, and exits 4 when invalid', () => {
    const r = run(['check', '--json', '--hostnames', 'web'], { KCS_SOURCE: fixture('pem-pkcs8') });
    expect(r.code).toBe(4);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'HOSTNAME_NOT_COVERED',
        severity: 'error',
        file: fixture('pem-pkcs8/server.crt'),
        hint: expect.stringMatching(/^issue it with subjectAltName entries for web/),
      }),
      expect.objectContaining({ code: 'CHAIN_BROKEN', severity: 'warning' }),
    ]);
    expect(report.certificate).toMatchObject({
      subject: 'CN=rsa2048',
      issuer: 'CN=Fixture Intermediate CA',
      key: 'RSA 2048',
      sans: ['localhost', 'api', '*.example.test', '127.0.0.1', '::1'],
    });
    expect(report.certificate.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('--json reports a load failure as a finding too', () => {
    const r = run(['check', '--json'], { KCS_SOURCE: fixture('openssl3-default.pfx') });
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      findings: [expect.objectContaining({ code: 'PASSWORD_REQUIRED', severity: 'error' })],
    });
  });

  it('checks the published set when no source is given', () => {
    const cwd = tmp();
    expect(run(['init'], {}, cwd).code).toBe(0);
    const r = run(['check'], {}, cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('source   kubernetes-tls: ');
  });
});

describe('several services, one CA', () => {
  it('two init containers racing on one empty KCS_STATE end up with the same CA', async () => {
    const dir = tmp();
    const start = (name: string) =>
      new Promise<number | null>((resolve) => {
        const p = spawn(
          process.execPath,
          [BIN, 'init', '--state', path.join(dir, 'state'), '--output', path.join(dir, name), '--hostnames', name],
          { stdio: 'ignore' },
        );
        p.on('exit', resolve);
      });
    expect(await Promise.all([start('api'), start('web')])).toEqual([0, 0]);
    const ca = (n: string) => fs.readFileSync(path.join(dir, n, 'ca.crt'), 'utf8');
    expect(ca('api')).toBe(ca('web'));
    expect(fs.readdirSync(path.join(dir, 'state')).sort()).toEqual(['ca', 'kcs-state.json']);
  });
});

describe('--help and --version', () => {
  it('prints the version', () => {
    expect(run(['--version']).stdout).toBe(
      `kestrel-cert-sidecar ` +
        `${JSON.parse(fs.readFileSync('package.json', 'utf8')).version} (Node.js ` +
        `${process.version}, ${process.platform}-${process.arch})\n`,
    );
  });
  it.each(['init', 'check', 'watch', 'probe'])('prints help for %s', (cmd) => {
    const r = run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: kestrel-cert-sidecar ${cmd}`));
  });
});

describe('the build output', () => {
  it("writes Node's public roots with an index of their subjects, in the same order, for the issuer lookup", () => {
    const pem = fs.readFileSync(path.resolve('dist/node-root-certificates.pem'), 'utf8');
    const subjects = JSON.parse(fs.readFileSync(path.resolve('dist/node-root-certificates.json'), 'utf8')) as string[];
    const certs = pem.split(/(?<=-----END CERTIFICATE-----)\n/).filter((b) => b.includes('BEGIN'));
    expect(certs).toEqual([...tls.rootCertificates]);
    expect(subjects).toEqual(certs.map((c) => new crypto.X509Certificate(c).subject));
  });
});

describe('an older Node', () => {
  // The machine's own `node`, when it is older than 24 (Debian's is 18 or 20); the tests run on the project's Node 24.
  const system = ['/usr/bin/node', '/usr/local/bin/node'].find(
    (p) =>
      fs.existsSync(p) &&
      Number(spawnSync(p, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim()) < 24,
  );
  it.runIf(
    needs(
      'the bundle on an older Node',
      system ? undefined : 'no system Node older than 24 is installed',
      ENABLE.oldNode,
    ),
  )('is told plainly that Node 24 is needed, with exit code 2 and no stack trace', () => {
    const r = spawnSync(system!, [BIN, 'init', '--output', path.join(tmp(), 'out')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH! },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        /^CONFIG_INVALID this is Node\.js v\d+\.\d+\.\d+; kestrel-cert-sidecar needs Node\.js 24 or /.source +
          /later\nfix: run it with Node\.js 24 /.source,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
