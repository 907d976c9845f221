// The companion in the ASP.NET Core image (the local stand-in of mcr.microsoft.com/dotnet/aspnet, as the app
// user 1654, the volume read-only): ASPNETCORE_HTTPS_PORTS=8081 as the image's users set it, and a publish on the
// host reaches a fresh connection to the container within a second, intermediate included.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBaseImages } from '../../scripts/image.mjs';
import { ENABLE, appVolume, missing, needsAll } from './support/env.js';
import { buildCompanionApp, publish, served, shaOf, within } from './support/rotation.js';

const run = needsAll('Kestrel rotation in the ASP.NET Core image', [
  [missing('docker', ['info']), ENABLE.docker],
  [missing('dotnet', ['--version']), ENABLE.dotnet],
]);
const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });

describe.runIf(run)('the companion in the ASP.NET Core image', () => {
  let app: string;
  let aspnet: string;
  const name = `rotation-companion-${process.pid}`;
  beforeAll(() => {
    aspnet = chooseBaseImages({ log: console.log }).images.ASPNET_IMAGE;
    app = buildCompanionApp();
  }, 1_200_000);
  afterAll(() => {
    docker(['rm', '-f', name]);
  });

  it('serves each publish on ASPNETCORE_HTTPS_PORTS within 1 s, as the app user, from a read-only volume', async () => {
    const out = appVolume('kcs-rotation-vol-');
    const first = publish(out, 'p256', ['--owner', '1654:1654']);
    const started = docker([
      ...['run', '-d', '--name', name, '--user', '1654:1654', '--read-only'],
      ...['-v', `${app}:/app:ro`, '-v', `${out}:/https:ro`, '-p', '127.0.0.1::8081'],
      ...['-e', 'ASPNETCORE_HTTPS_PORTS=8081', '-e', 'KestrelCertSidecar__Directory=/https'],
      ...['--entrypoint', 'dotnet', aspnet, '/app/Api.dll'],
    ]);
    expect(started.status, started.stderr).toBe(0);
    const port = Number(/:(\d+)\s*$/.exec(docker(['port', name, '8081']).stdout.split('\n')[0]!)?.[1]);
    const logs = () => {
      const r = docker(['logs', name]);
      return `${r.stdout}${r.stderr}`;
    };
    const up = await within(60_000, async () => (await served(port))?.sha256 === first);
    expect(up, logs()).toBe(true);
    expect((await served(port))?.chain).toEqual(['CN=Fixture Intermediate CA']);
    for (const leaf of ['p384', 'p256']) {
      const sha = publish(out, leaf, ['--owner', '1654:1654']);
      expect(await within(1000, async () => (await served(port))?.sha256 === sha), logs()).toBe(true);
    }
    const line = `serving CN=p384, sha256 ${shaOf('p384')}`;
    expect(await within(5000, () => logs().includes(line)), logs()).toBe(true);
  });
});
