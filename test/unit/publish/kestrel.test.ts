// KCS_KESTREL_ENDPOINT and KCS_KESTREL_HTTP_ENDPOINT: what kestrel.env and kestrel.json declare, and the values
// refused before anything is published (test/integration/rotation.test.ts shows Kestrel reloading through them).
import { describe, expect, it } from 'vitest';
import { kestrelEnv, kestrelJson, kestrelSettings, parseEnvFile } from '../../../sidecar/publish/kestrel.js';
import { loadConfig } from '../../../sidecar/settings/config.js';

const pem = kestrelSettings('pem', '/https', 'unused');

describe('the endpoint kestrel.env declares', () => {
  it('gives the HTTPS endpoint its own certificate keys, keeps the default one, adds the HTTP endpoint', () => {
    expect(parseEnvFile(kestrelEnv(pem, { https: 'https://+:8081', http: 'http://+:8080' }))).toEqual({
      ASPNETCORE_Kestrel__Certificates__Default__Path: '/https/tls.crt',
      ASPNETCORE_Kestrel__Certificates__Default__KeyPath: '/https/tls.key',
      ASPNETCORE_Kestrel__Endpoints__Https__Url: 'https://+:8081',
      ASPNETCORE_Kestrel__Endpoints__Https__Certificate__Path: '/https/tls.crt',
      ASPNETCORE_Kestrel__Endpoints__Https__Certificate__KeyPath: '/https/tls.key',
      ASPNETCORE_Kestrel__Endpoints__Http__Url: 'http://+:8080',
    });
  });

  it('writes the same keys as JSON, with the password of the pfx form on the endpoint too', () => {
    const pfx = kestrelSettings('pfx', '/https', 'pw');
    expect(JSON.parse(kestrelJson(pfx, { https: 'https://+:8081' }))).toEqual({
      Kestrel: {
        Certificates: { Default: { Path: '/https/cert.pfx', Password: 'pw' } },
        Endpoints: { Https: { Url: 'https://+:8081', Certificate: { Path: '/https/cert.pfx', Password: 'pw' } } },
      },
    });
  });

  it('declares nothing more when unset: kestrel.env is as it was', () => {
    expect(kestrelEnv(pem)).toBe(
      'ASPNETCORE_Kestrel__Certificates__Default__Path=/https/tls.crt\n' +
        'ASPNETCORE_Kestrel__Certificates__Default__KeyPath=/https/tls.key\n',
    );
  });

  it.each([
    ['KCS_KESTREL_ENDPOINT', 'http://+:8081', 'is not a Kestrel https endpoint'],
    ['KCS_KESTREL_ENDPOINT', 'https://+:8081/api', 'is not a Kestrel https endpoint'],
    ['KCS_KESTREL_ENDPOINT', 'https://+:99999', 'is not a Kestrel https endpoint'],
    ['KCS_KESTREL_ENDPOINT', '8081', 'is not a Kestrel https endpoint'],
    ['KCS_KESTREL_HTTP_ENDPOINT', 'https://+:8080', 'is not a Kestrel http endpoint'],
  ])('refuses %s=%s before publishing (CONFIG_INVALID)', (env, value, why) => {
    expect(() => loadConfig({ [env]: value }, ['check'])).toThrow(`${env} \`${value}\` ${why}`);
  });

  it.each([
    'https://+:8081',
    'https://*:443',
    'https://0.0.0.0:8081',
    'https://[::]:8081',
    'https://api.internal:8443',
  ])('takes %s', (url) => {
    expect(loadConfig({ KCS_KESTREL_ENDPOINT: url }, ['check']).kestrelEndpoint).toBe(url);
  });
});
