// KCS_HOSTNAMES coverage (sidecar/validate/names.ts) with the words the user reads: a name only in the CN, a name
// missing beside a subjectAltName, IP addresses with and without brackets. Written to kill its mutants
// (docs/testing.md, "Mutation score"). The certificates are made by openssl here or are test/fixtures.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHostnames } from '../../../sidecar/validate/names.js';
import { readFixture } from '../../support/helpers.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-names-'));
  const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  sh(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'k.pem']);
  // Version 1, no extensions at all: the name is in the subject CN only.
  sh(['x509', '-new', '-subj', '/CN=localhost', '-key', 'k.pem', '-days', '30', '-out', 'cn-only.crt']);
  // CN=localhost beside a subjectAltName of an IP address only.
  fs.writeFileSync(path.join(dir, 'ip.ext'), 'subjectAltName=IP:127.0.0.1\n');
  sh([
    'x509',
    '-new',
    '-subj',
    '/CN=localhost',
    '-key',
    'k.pem',
    '-days',
    '30',
    '-extfile',
    'ip.ext',
    '-out',
    'ip.crt',
  ]);
});
const cert = (name: string) => new crypto.X509Certificate(fs.readFileSync(path.join(dir, name)));
const fixtureLeaf = () => new crypto.X509Certificate(readFixture('rsa2048.crt'));

describe('checkHostnames', () => {
  it('checks nothing for no names', () => {
    expect(checkHostnames(cert('cn-only.crt'), [], 'tls.crt')).toEqual([]);
  });

  it('accepts names, a wildcard match and IP addresses the subjectAltName holds, an IPv6 one in brackets too', () => {
    expect(
      checkHostnames(fixtureLeaf(), ['localhost', 'api', 'a.example.test', '127.0.0.1', '::1', '[::1]'], 'tls.crt'),
    ).toEqual([]);
  });

  it('refuses what the subjectAltName lacks, naming each missing name and the names it has', () => {
    expect(checkHostnames(fixtureLeaf(), ['localhost', 'web', '10.0.0.5', '[::2]'], 'tls.crt')).toEqual([
      {
        code: 'HOSTNAME_NOT_COVERED',
        severity: 'error',
        message:
          'the certificate rsa2048 does not cover web, 10.0.0.5, [::2] (its names: DNS:localhost, DNS:api, ' +
          'DNS:*.example.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1)',
        hint: 'issue it with subjectAltName entries for web, 10.0.0.5, [::2], or remove them from KCS_HOSTNAMES',
        file: 'tls.crt',
      },
    ]);
  });

  it('only warns for a name in the CN of a certificate without any subjectAltName', () => {
    expect(checkHostnames(cert('cn-only.crt'), ['localhost'], 'tls.crt')).toEqual([
      {
        code: 'HOSTNAME_NOT_COVERED',
        severity: 'warning',
        message:
          'the certificate localhost names localhost only in its subject CN and has no subjectAltName: OpenSSL, ' +
          'curl, Node, Python and .NET accept that, falling back to the CN; clients that require subjectAltName ' +
          '(RFC 6125) refuse it',
        hint: 'issue it with subjectAltName entries for localhost',
        file: 'tls.crt',
      },
    ]);
  });

  it('lists every name found only in the CN', () => {
    const [f] = checkHostnames(cert('cn-only.crt'), ['localhost', 'LOCALHOST'], 'tls.crt');
    expect(f?.message).toMatch(/^the certificate localhost names localhost, LOCALHOST only in its subject CN/);
    expect(f?.hint).toBe('issue it with subjectAltName entries for localhost, LOCALHOST');
  });

  it('refuses when one of the names is not even in the CN', () => {
    expect(checkHostnames(cert('cn-only.crt'), ['localhost', 'web'], undefined)).toEqual([
      {
        code: 'HOSTNAME_NOT_COVERED',
        severity: 'error',
        message: 'the certificate localhost does not cover localhost, web (its names: none)',
        hint: 'issue it with subjectAltName entries for localhost, web, or remove them from KCS_HOSTNAMES',
      },
    ]);
  });

  it('refuses a name only in the CN beside a subjectAltName of IP addresses (curl does not fall back)', () => {
    const [f] = checkHostnames(cert('ip.crt'), ['localhost', '127.0.0.1'], 'tls.crt');
    expect(f?.severity).toBe('error');
    expect(f?.message).toBe('the certificate localhost does not cover localhost (its names: IP Address:127.0.0.1)');
  });
});
