// What kestrel.env and kestrel.json say (sidecar/publish/kestrel.ts), byte for byte, and the endpoints it
// refuses. Written to kill its mutants (docs/testing.md, "Mutation score").
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import {
  checkEndpoints,
  kestrelConfig,
  kestrelEnv,
  kestrelJson,
  kestrelSettings,
  parseEnvFile,
} from '../../../sidecar/publish/kestrel.js';

const refusal = (e: Parameters<typeof checkEndpoints>[0]) => {
  try {
    checkEndpoints(e);
  } catch (err) {
    expect(err).toBeInstanceOf(KcsError);
    return (err as KcsError).finding;
  }
  return undefined;
};

describe('kestrel.env and kestrel.json', () => {
  it('point Kestrel at the PEM pair, or at cert.pfx with its password, under the mount path', () => {
    expect(kestrelSettings('pem', '/https/', 'pw')).toEqual({ Path: '/https/tls.crt', KeyPath: '/https/tls.key' });
    expect(kestrelSettings('pfx', '/https', 'pw')).toEqual({ Path: '/https/cert.pfx', Password: 'pw' });
  });

  it('write the default certificate, then the declared endpoints with theirs', () => {
    const s = kestrelSettings('pfx', '/https', 'p=w');
    expect(kestrelEnv(s, { https: 'https://+:8443', http: 'http://+:8080' })).toBe(
      'ASPNETCORE_Kestrel__Certificates__Default__Path=/https/cert.pfx\n' +
        'ASPNETCORE_Kestrel__Certificates__Default__Password=p=w\n' +
        'ASPNETCORE_Kestrel__Endpoints__Https__Url=https://+:8443\n' +
        'ASPNETCORE_Kestrel__Endpoints__Https__Certificate__Path=/https/cert.pfx\n' +
        'ASPNETCORE_Kestrel__Endpoints__Https__Certificate__Password=p=w\n' +
        'ASPNETCORE_Kestrel__Endpoints__Http__Url=http://+:8080\n',
    );
    expect(kestrelConfig(s)).toEqual([
      ['Kestrel:Certificates:Default:Path', '/https/cert.pfx'],
      ['Kestrel:Certificates:Default:Password', 'p=w'],
    ]);
    expect(kestrelJson(kestrelSettings('pem', '/c', ''), { http: 'http://+:80' })).toBe(
      `${JSON.stringify(
        {
          Kestrel: {
            Certificates: { Default: { Path: '/c/tls.crt', KeyPath: '/c/tls.key' } },
            Endpoints: { Http: { Url: 'http://+:80' } },
          },
        },
        null,
        2,
      )}\n`,
    );
  });

  it('read back as they were written', () => {
    expect(parseEnvFile('A=1\nB=x=y\n=skipped\nno equals\n\n')).toEqual({ A: '1', B: 'x=y' });
    const env = kestrelEnv(kestrelSettings('pfx', '/https', 'pw'));
    expect(parseEnvFile(env)).toEqual({
      ASPNETCORE_Kestrel__Certificates__Default__Path: '/https/cert.pfx',
      ASPNETCORE_Kestrel__Certificates__Default__Password: 'pw',
    });
  });
});

describe('checkEndpoints', () => {
  it.each(['https://+:8443', 'https://*:1', 'https://localhost:65535/', 'https://[::1]:8443', 'https://10.0.0.1:443'])(
    'accepts %s',
    (https) => {
      expect(refusal({ https })).toBeUndefined();
    },
  );

  it.each([
    'http://+:8443',
    'https://+:65536',
    'https://+:123456',
    'https://+',
    'https://+:8443/path',
    'https://a b:1',
    'xhttps://+:1',
    'Xhttps://+:1',
    'https://+:1x',
    'https://+:1\nX=1',
  ])('refuses %j as an https endpoint, saying how to write one', (https) => {
    expect(refusal({ https })).toEqual({
      code: 'CONFIG_INVALID',
      severity: 'error',
      message: `KCS_KESTREL_ENDPOINT \`${https}\` is not a Kestrel https endpoint`,
      hint: 'write it as https://+:PORT (every address) or https://HOST:PORT, e.g. https://+:8081',
    });
  });

  it('refuses an http endpoint with the http example', () => {
    expect(refusal({ http: 'https://+:8080' })?.hint).toBe(
      'write it as http://+:PORT (every address) or http://HOST:PORT, e.g. http://+:8080',
    );
    expect(refusal({ http: 'http://+:8080' })).toBeUndefined();
    expect(refusal({})).toBeUndefined();
  });
});
