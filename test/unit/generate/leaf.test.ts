// Leaves issued by sidecar/generate/leaf.ts are real: OpenSSL and a hostname-checking TLS client accept them.
import type crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { isIP } from 'node:net';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { loadOrCreateCa } from '../../../sidecar/generate/ca.js';
import { issueLeaf, type KeyType } from '../../../sidecar/generate/leaf.js';
import { subjectHash } from '../../../sidecar/publish/trust.js';
import { sansOf } from '../../../sidecar/pkix/x509info.js';

const DAY = 86400e3;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-gen-'));
const now = new Date();
const base = { keyType: 'rsa-2048' as KeyType, validityMs: 90 * DAY, devCert: false, now };

function write(dir: string, name: string, data: string | Buffer) {
  const f = path.join(dir, name);
  fs.writeFileSync(f, data);
  return f;
}

/** Serves the leaf with node:https and connects with a client that checks the chain against ca.crt and the
 *  host name. */
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
