import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { isIP } from 'node:net';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../sidecar/findings.js';
import { loadOrCreateCa } from '../../sidecar/generate/ca.js';
import { generateMaterial } from '../../sidecar/generate/index.js';
import { issueLeaf, type KeyType } from '../../sidecar/generate/leaf.js';
import { subjectHash } from '../../sidecar/publish/trust.js';
import { sansOf } from '../../sidecar/pkix/x509info.js';

const DAY = 86400e3;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-gen-'));
const now = new Date();
const base = { keyType: 'rsa-2048' as KeyType, validityMs: 90 * DAY, devCert: false, now };

function write(dir: string, name: string, data: string | Buffer) {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}

/** Serves the leaf with node:https and connects with a client that checks the chain against ca.crt and the host name. */
async function handshake(
  cert: crypto.X509Certificate,
  key: crypto.KeyObject,
  ca: crypto.X509Certificate,
  servername: string,
  host = '127.0.0.1',
) {
  const server = https.createServer(
    { cert: cert.toString(), key: key.export({ type: 'pkcs8', format: 'pem' }) },
    (_q, s) => s.end('ok'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve, reject) => {
      const socket = tls.connect(
        {
          host,
          port,
          ...(isIP(servername) ? {} : { servername }),
          ca: ca.toString(),
          checkServerIdentity: (_h, peer) => tls.checkServerIdentity(servername, peer),
        },
        () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        },
      );
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('generated certificates are real: OpenSSL and Node TLS accept them', () => {
  it.each(['rsa-2048', 'ecdsa-p256', 'rsa-3072'] as const)(
    'a %s leaf for names, a wildcard and IPv4/IPv6 passes openssl verify and a hostname-checking handshake',
    async (keyType) => {
      const dir = tmp();
      const ca = loadOrCreateCa(path.join(dir, 'state'), now);
      const hostnames = ['localhost', 'api', '*.svc.test', '127.0.0.1', '::1'];
      const leaf = issueLeaf(ca, { ...base, keyType, hostnames });
      const caFile = write(dir, 'ca.crt', ca.cert.toString());
      const leafFile = write(dir, 'leaf.crt', leaf.cert.toString());
      const text = execFileSync('openssl', ['x509', '-in', leafFile, '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toContain('TLS Web Server Authentication');
      expect(text).toMatch(/X509v3 Subject Key Identifier/);
      expect(text).toMatch(/X509v3 Authority Key Identifier/);
      expect(text).toContain(
        'DNS:localhost, DNS:api, DNS:*.svc.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      );
      expect(text).toMatch(keyType === 'ecdsa-p256' ? /Digital Signature\n/ : /Digital Signature, Key Encipherment/);
      expect(
        execFileSync('openssl', ['verify', '-CAfile', caFile, '-purpose', 'sslserver', leafFile], { encoding: 'utf8' }),
      ).toBe(`${leafFile}: OK\n`);
      expect(leaf.key.asymmetricKeyType).toBe(keyType === 'ecdsa-p256' ? 'ec' : 'rsa');
      expect(sansOf(leaf.cert)).toEqual(hostnames);
      for (const name of ['localhost', 'api', 'x.svc.test', '127.0.0.1'])
        expect(await handshake(leaf.cert, leaf.key, ca.cert, name)).toBe(leaf.cert.fingerprint256);
      await expect(handshake(leaf.cert, leaf.key, ca.cert, 'web')).rejects.toThrow(/altnames/);
    },
  );

  it('gives the CA and the development marker the form openssl expects', () => {
    const dir = tmp();
    const ca = loadOrCreateCa(path.join(dir, 'state'), now);
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: ca.cert.toString(), encoding: 'utf8' });
    expect(text).toMatch(/CA:TRUE/);
    expect(text).toMatch(/Certificate Sign, CRL Sign/);
    const dev = issueLeaf(ca, { ...base, devCert: true, hostnames: ['localhost'] });
    expect(dev.cert.subject).toBe('CN=localhost');
    const asn1 = execFileSync('openssl', ['asn1parse'], { input: dev.cert.toString(), encoding: 'utf8' });
    expect(asn1).toMatch(/:1\.3\.6\.1\.4\.1\.311\.84\.1\.1\n.*OCTET STRING\s+\[HEX DUMP\]:06/);
  });

  it('computes the OpenSSL subject hash of trust/certs exactly as openssl x509 -hash', () => {
    const ca = loadOrCreateCa(path.join(tmp(), 'state'), now);
    const openssl = execFileSync('openssl', ['x509', '-noout', '-hash'], {
      input: ca.cert.toString(),
      encoding: 'utf8',
    }).trim();
    expect(subjectHash(ca.cert)).toBe(openssl);
  });
});

describe('the CA is kept in KCS_STATE and reused', () => {
  it('creates the CA once, with its key 0400, and reuses it', () => {
    const state = path.join(tmp(), 'state');
    const a = loadOrCreateCa(state, now);
    const b = loadOrCreateCa(state, now);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.cert.fingerprint256).toBe(a.cert.fingerprint256);
    expect(fs.statSync(path.join(state, 'ca', 'ca.key')).mode & 0o777).toBe(0o400);
  });

  it.each([
    [
      'a damaged CA certificate',
      (s: string) => fs.writeFileSync(path.join(s, 'ca', 'ca.crt'), 'garbage'),
      /cannot read the CA in/,
    ],
    [
      'a CA key that belongs to another CA',
      (s: string) => {
        fs.chmodSync(path.join(s, 'ca', 'ca.key'), 0o600);
        fs.writeFileSync(
          path.join(s, 'ca', 'ca.key'),
          crypto
            .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
            .privateKey.export({ type: 'pkcs8', format: 'pem' }),
        );
      },
      /does not belong to/,
    ],
    ['a missing CA key', (s: string) => fs.rmSync(path.join(s, 'ca', 'ca.key')), /cannot read the CA key/],
    [
      'a foreign directory',
      (s: string) => {
        fs.rmSync(s, { recursive: true });
        fs.mkdirSync(s);
        fs.writeFileSync(path.join(s, 'id_rsa'), 'x');
      },
      /is not empty \(id_rsa\) and holds no CA of ours/,
    ],
  ])('refuses %s with STATE_INVALID instead of making a new CA', (_what, damage, message) => {
    const state = path.join(tmp(), 'state');
    loadOrCreateCa(state, now);
    damage(state);
    try {
      loadOrCreateCa(state, now);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KcsError);
      expect((err as KcsError).code).toBe('STATE_INVALID');
      expect((err as KcsError).finding.message).toMatch(message);
      expect((err as KcsError).finding.hint).toMatch(/delete .*state|empty directory/);
    }
  });
});

describe('the leaf is reused until it must be reissued', () => {
  const state = path.join(tmp(), 'state');
  const first = generateMaterial({ ...base, hostnames: ['localhost', 'api'], stateDir: state });
  const previous = { cert: first.material.leaf, key: first.material.key };

  it.each([
    ['the same names and CA', { hostnames: ['api', 'localhost'] }, 'reused'],
    ['a new name', { hostnames: ['localhost', 'api', 'web'] }, 'issued (KCS_HOSTNAMES changed)'],
    [
      'another key type',
      { hostnames: ['localhost', 'api'], keyType: 'ecdsa-p256' as KeyType },
      'issued (KCS_KEY_TYPE changed)',
    ],
    [
      'two-thirds of the lifetime passed',
      { hostnames: ['localhost', 'api'], now: new Date(now.getTime() + 61 * DAY) },
      'issued (it is past two-thirds of its lifetime)',
    ],
    ['another CA', { hostnames: ['localhost', 'api'], stateDir: undefined }, 'issued (the CA changed)'],
  ])('%s: %s', (_what, change, expected) => {
    const g = generateMaterial({ ...base, stateDir: state, previous, ...change } as never);
    expect(g.material.source.details.leaf).toBe(expected);
    if (expected === 'reused') expect(g.material.leaf.fingerprint256).toBe(previous.cert.fingerprint256);
    else expect(g.material.leaf.fingerprint256).not.toBe(previous.cert.fingerprint256);
  });

  it('warns that an ephemeral CA changes every run', () => {
    const g = generateMaterial({ ...base, hostnames: ['localhost'] });
    expect(g.material.findings.map((f) => f.code)).toEqual(['CA_EPHEMERAL']);
  });

  it('issues both services of a compose file from one CA', () => {
    const shared = path.join(tmp(), 'state');
    const api = generateMaterial({ ...base, hostnames: ['api'], stateDir: shared });
    const web = generateMaterial({ ...base, hostnames: ['web'], stateDir: shared });
    expect(api.material.anchors[0]!.fingerprint256).toBe(web.material.anchors[0]!.fingerprint256);
    expect(api.material.leaf.verify(web.material.anchors[0]!.publicKey)).toBe(true);
    expect(web.material.leaf.verify(api.material.anchors[0]!.publicKey)).toBe(true);
  });
});
