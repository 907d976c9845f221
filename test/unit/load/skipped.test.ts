// The finding for every candidate file of the source that is not read (sidecar/load/skipped.ts), and why.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../sidecar/findings.js';
import { loadSource } from '../../../sidecar/load/index.js';
import { PASS, fixture, failure } from '../../support/helpers.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-skipped-'));
const codes = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.code}`);

describe('every candidate file that is not read is named, with why', () => {
  it('an issuer saved as intermediate.txt is an error: the published chain would stop short', () => {
    const m = loadSource({ source: fixture('layout-skipped-issuer') });
    expect(m.others).toEqual([]);
    const file = fixture('layout-skipped-issuer/intermediate.txt');
    expect(m.findings).toEqual([
      {
        code: 'SOURCE_FILE_SKIPPED',
        severity: 'error',
        message:
          `${file} holds CN=Fixture Intermediate CA, the issuer of CN=rsa2048, but is not read (its name ` +
          `ends in .txt, which is not read as a certificate, key or bundle): without it the published chain would ` +
          `stop short`,
        hint: 'rename it to intermediate.crt (or .ca-bundle) so it is read with the certificate',
        file,
      },
    ]);
  });

  it('an unrelated certificate in notes.txt is a warning', () => {
    const m = loadSource({ source: fixture('layout-skipped-other') });
    expect(codes(m.findings)).toEqual(['warning SOURCE_FILE_SKIPPED']);
    expect(m.findings[0]!.message).toContain('notes.txt holds a certificate (CN=other) and is not read');
  });

  it('a file of a Kubernetes secret besides tls.crt, tls.key and ca.crt is reported', () => {
    const d = tmp();
    for (const f of ['tls.crt', 'tls.key']) fs.copyFileSync(fixture(`k8s-secret/${f}`), path.join(d, f));
    fs.copyFileSync(fixture('openssl3-default.pfx'), path.join(d, 'keystore.p12'));
    fs.copyFileSync(fixture('root.crt'), path.join(d, 'root.pem'));
    const m = loadSource({ source: d });
    expect(m.findings.map((f) => `${f.severity} ${path.basename(f.file!)}`)).toEqual([
      'info keystore.p12',
      'warning root.pem',
    ]);
    expect(m.findings[0]!.message).toBe(
      `${path.join(d, 'keystore.p12')} is not read: a Kubernetes TLS secret is read from tls.crt, tls.key and ca.crt`,
    );
  });

  it('the other PFX files of a Visual Studio folder when KCS_APP_NAME chose one', () => {
    const m = loadSource({ source: fixture('vs-https-two'), appName: 'MyWeb', password: PASS });
    expect(m.findings.map((f) => [f.severity, f.message])).toEqual([
      ['info', `${fixture('vs-https-two/MyApi.pfx')} is not read: KCS_APP_NAME=MyWeb chose MyWeb.pfx`],
    ]);
  });

  it('a certificate request among the PEM files', () => {
    const d = tmp();
    fs.copyFileSync(fixture('rsa2048.crt'), path.join(d, 'server.crt'));
    fs.copyFileSync(fixture('rsa2048.key'), path.join(d, 'server.key'));
    fs.writeFileSync(
      path.join(d, 'server.pem'),
      '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
    );
    const m = loadSource({ source: d });
    expect(m.findings.map((f) => `${f.severity} ${f.code} ${f.message}`)).toEqual([
      `info SOURCE_FILE_SKIPPED ${path.join(d, 'server.pem')} is not used: it holds CERTIFICATE REQUEST, not a ` +
        `certificate, key or bundle`,
    ]);
  });

  it('KEY_MISSING names the skipped file that holds a private key', () => {
    const d = tmp();
    fs.copyFileSync(fixture('rsa2048.crt'), path.join(d, 'server.crt'));
    fs.copyFileSync(fixture('rsa2048.key'), path.join(d, 'server-key.txt'));
    const err = failure(() => loadSource({ source: d }));
    expect(err.code).toBe('KEY_MISSING');
    expect(err.finding.message).toContain(
      `; ${path.join(d, 'server-key.txt')} holds a private key but is not read (its name ends in .txt, which is not ` +
        `read as a certificate, key or bundle)`,
    );
  });

  it('files that are not PEM, and names starting with a dot, say nothing', () => {
    const d = tmp();
    fs.copyFileSync(fixture('rsa2048.crt'), path.join(d, 'server.crt'));
    fs.copyFileSync(fixture('rsa2048.key'), path.join(d, 'server.key'));
    fs.writeFileSync(path.join(d, 'README'), 'certificates for the api\n');
    fs.copyFileSync(fixture('inter.crt'), path.join(d, '.chain.swp'));
    fs.mkdirSync(path.join(d, 'old'));
    expect(loadSource({ source: d }).findings).toEqual([]);
  });
});
