// The Testcontainers for .NET module (harness/dotnet): its xunit tests against the real Docker engine and
// the locally built image, `dotnet pack`, and a program outside the repository that uses the package the
// way a .NET team would (sidecar in a container, Kestrel on the host, HttpClient trusting the CA).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION, buildImage } from '../../scripts/image.mjs';
import { containerEngine } from '../../scripts/engine.mjs';
import { FIXTURES, ROOT, cleanEnv, ENABLE, missing, needsAll } from './support/env.js';
import { buildKestrelApp } from './support/kestrel.js';
import { ENABLE_PODMAN, PODMAN_SOCKET, missingPodmanSocket } from './support/engine.js';

const run = needsAll('.NET Testcontainers module', [
  [missing('docker', ['info']), ENABLE.docker],
  [missing('dotnet', ['--version']), ENABLE.dotnet],
]);
const onPodman =
  run &&
  needsAll('.NET Testcontainers module on Podman', [
    [missing('podman', ['info']), ENABLE_PODMAN],
    [missingPodmanSocket(), ENABLE_PODMAN],
  ]);
const HARNESS = path.join(ROOT, 'harness/dotnet');
const LIBRARY = path.join(HARNESS, 'KestrelCertSidecar.Testcontainers');
/** How many xunit tests the project holds: a test that stops being found fails here. */
const XUNIT_TESTS = 6;

function dotnet(args: string[], env: Record<string, string>, cwd = ROOT) {
  const r = spawnSync('dotnet', args, {
    cwd,
    encoding: 'utf8',
    env: cleanEnv(env),
    maxBuffer: 64 << 20,
    timeout: 600_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.runIf(run)('the .NET Testcontainers module', () => {
  let env: Record<string, string>;
  beforeAll(() => {
    const { tag, images } = buildImage({ log: console.log, engine: containerEngine('docker', { env: {} }) });
    env = {
      // Testcontainers for .NET 4.16 asks for Docker API 1.44; Debian 12's engine 20.10 speaks 1.41.
      DOCKER_API_VERSION: '1.41',
      TESTCONTAINERS_RYUK_DISABLED: 'true',
      KCS_TEST_IMAGE: tag,
      KCS_TEST_ASPNET_IMAGE: images.ASPNET_IMAGE,
      KCS_TEST_APP_DIR: buildKestrelApp(),
      KCS_TEST_FIXTURES: FIXTURES,
    };
  }, 1_200_000);

  /** Runs the xunit project with `env`; its exit code, output and trx counters (total, executed, passed, failed). */
  function xunit(env: Record<string, string>) {
    const trx = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-xunit-'));
    const r = dotnet(
      [
        'test',
        path.join(HARNESS, 'KestrelCertSidecar.Testcontainers.Tests'),
        '--nologo',
        '--logger',
        'trx;LogFileName=results.trx',
        '--results-directory',
        trx,
      ],
      env,
    );
    const results = fs.existsSync(path.join(trx, 'results.trx'))
      ? fs.readFileSync(path.join(trx, 'results.trx'), 'utf8')
      : '';
    const counters = /<Counters total="(\d+)" executed="(\d+)" passed="(\d+)" failed="(\d+)"/.exec(results);
    if (r.code !== 0) console.log(r.out.slice(-6000));
    return { code: r.code, counters: counters?.slice(1, 5).map(Number) };
  }

  it('passes its xunit tests with real containers', () => {
    const r = xunit(env);
    expect(r.code).toBe(0);
    expect(r.counters).toEqual([XUNIT_TESTS, XUNIT_TESTS, XUNIT_TESTS, 0]);
  });

  // Testcontainers for .NET on Podman: its Docker-compatible API socket, Ryuk disabled (docs/runtimes/podman.md).
  it.runIf(onPodman)('passes its xunit tests on Podman, through its API socket', () => {
    const t = Date.now();
    const { tag, images } = buildImage({ log: console.log, engine: containerEngine('podman', { env: {} }) });
    const r = xunit({
      ...env,
      DOCKER_HOST: PODMAN_SOCKET,
      KCS_TEST_IMAGE: tag,
      KCS_TEST_ASPNET_IMAGE: images.ASPNET_IMAGE,
    });
    console.log(`podman: .NET Testcontainers xunit: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(r.code).toBe(0);
    expect(r.counters).toEqual([XUNIT_TESTS, XUNIT_TESTS, XUNIT_TESTS, 0]);
  });

  it('dotnet pack makes the package, for net8.0 and net10.0, with the version of package.json', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-pack-'));
    const r = dotnet(['pack', LIBRARY, '--nologo', '-c', 'Release', '-o', out], {});
    expect(r.out).not.toMatch(/warning/i);
    expect(r.code).toBe(0);
    const nupkg = path.join(out, `KestrelCertSidecar.Testcontainers.${VERSION}.nupkg`);
    const list = spawnSync(
      'python3',
      ['-c', 'import sys, zipfile; print("\\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))', nupkg],
      { encoding: 'utf8' },
    );
    const files = list.stdout.split('\n').filter((f) => /^(lib\/|README\.md$|[^/]+\.nuspec$)/.test(f));
    expect(files).toEqual([
      'KestrelCertSidecar.Testcontainers.nuspec',
      'README.md',
      'lib/net10.0/KestrelCertSidecar.Testcontainers.dll',
      'lib/net10.0/KestrelCertSidecar.Testcontainers.xml',
      'lib/net8.0/KestrelCertSidecar.Testcontainers.dll',
      'lib/net8.0/KestrelCertSidecar.Testcontainers.xml',
    ]);
    const nuspec = spawnSync(
      'python3',
      [
        '-c',
        'import sys, zipfile; ' +
          'print(zipfile.ZipFile(sys.argv[1]).read("KestrelCertSidecar.Testcontainers.nuspec").decode())',
        nupkg,
      ],
      { encoding: 'utf8' },
    ).stdout;
    expect(nuspec).toContain(`<version>${VERSION}</version>`);
    expect(nuspec).toMatch(/<dependency id="Testcontainers" version="4\.16\.0"/);
  });

  it('a program outside the repository: sidecar, Kestrel on the host, and a 200 trusting only the CA', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-consumer-'));
    const out = path.join(dir, 'certs');
    fs.writeFileSync(
      path.join(dir, 'app.cs'),
      `#:sdk Microsoft.NET.Sdk.Web
#:project ${LIBRARY}
#:property TargetFramework=net10.0
using KestrelCertSidecar.Testcontainers;

var dir = args[0];
await using var certs = new KestrelCertsBuilder()
    .WithImage(args[1])
    .WithHostnames("localhost")
    .WithOutputDirectory(dir, mountPath: dir)
    .Build();
await certs.StartAsync();

// The same variables an app container gets, set for a Kestrel in this process.
foreach (var (name, value) in certs.KestrelEnvironment) Environment.SetEnvironmentVariable(name, value);
var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("https://127.0.0.1:0");
var app = builder.Build();
app.MapGet("/", () => "hello from a Kestrel on the host");
await app.StartAsync();
var port = new Uri(app.Urls.Single()).Port;

using var client = new HttpClient(certs.CreateHttpClientHandler());
var response = await client.GetAsync($"https://localhost:{port}/");
Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
Console.WriteLine(string.Join(" ", certs.KestrelEnvironment.Values));
await app.StopAsync();
`,
    );
    const r = dotnet(['run', 'app.cs', '--', out, env.KCS_TEST_IMAGE!], env, dir);
    expect(r.out).toContain(`200 hello from a Kestrel on the host\n${out}/tls.key ${out}/tls.crt\n`); // KeyPath, Path
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'tls.crt'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
