// The published file set as data (sidecar/publish/layout.ts), from real material: test/fixtures, validated
// and converted by the real stages. Written to kill layout.ts's mutants (docs/testing.md, "Mutation score").
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { convert } from '../../../sidecar/convert/index.js';
import { pkcs8Der } from '../../../sidecar/convert/pem.js';
import { KcsError } from '../../../sidecar/findings.js';
import type { Material } from '../../../sidecar/material.js';
import { buildFileSet, contentDigest, fileDigest, type LayoutOptions } from '../../../sidecar/publish/layout.js';
import { validate } from '../../../sidecar/validate/validate.js';
import { readFixture } from '../../support/helpers.js';

const material = (): Material => ({
  leaf: new crypto.X509Certificate(readFixture('rsa2048.crt')),
  key: crypto.createPrivateKey(readFixture('rsa2048.key')),
  others: ['inter.crt', 'root.crt'].map((f) => new crypto.X509Certificate(readFixture(f))),
  anchors: [],
  source: { kind: 'pem', files: ['/in/tls.crt'], details: { layout: 'files' } },
  findings: [],
});
const now = new Date('2026-12-01T00:00:00.000Z');
const opts = (o: Partial<LayoutOptions> = {}): LayoutOptions => ({
  mountPath: '/certs',
  kestrelFormat: 'pem',
  pfxProfile: 'modern',
  outputPassword: 'pw',
  passwordOrigin: 'configured',
  now,
  ...o,
});
async function layout(o: Partial<LayoutOptions> = {}) {
  const m = material();
  const v = await validate(m, { hostnames: [], now, minValidityMs: 0 });
  const lo = opts(o);
  const c = convert(m, v, { outputPassword: lo.outputPassword, pfxProfile: lo.pfxProfile, friendlyName: 'App' });
  return { m, v, c, files: buildFileSet(m, v, lo, '..gen', c) };
}

describe('buildFileSet', () => {
  it.each(['pw\n', 'p\rw'])('refuses an output password with a line break for pfx mode (%j)', async (pw) => {
    const err = await layout({ kestrelFormat: 'pfx', outputPassword: pw }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KcsError);
    expect((err as KcsError).finding).toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'the output password holds a line break, which kestrel.env cannot carry',
      hint: 'use a password without line breaks (KCS_OUTPUT_PASSWORD_FILE: one trailing newline is stripped)',
    });
  });

  it('takes a password with a line break in pem mode, where kestrel.env does not carry it', async () => {
    const { files } = await layout({ kestrelFormat: 'pem', outputPassword: 'pw\n' });
    expect(files.get('kestrel.env')?.data.toString()).not.toContain('pw');
  });

  it('publishes the Development layout only with both the app name and the user-secrets id', async () => {
    const { files, c } = await layout({ appName: 'App', userSecretsId: 'abc-123' });
    expect(files.get('appdata/ASP.NET/https/App.pfx')).toEqual({ data: c.pfx, mode: 0o440 });
    expect(files.get('appdata/Microsoft/UserSecrets/abc-123/secrets.json')).toEqual({
      data: Buffer.from('{\n  "Kestrel:Certificates:Development:Password": "pw"\n}\n'),
      mode: 0o440,
    });
    const only = (await layout({ appName: 'App' })).files;
    expect([...only.keys()].filter((k) => k.startsWith('appdata/'))).toEqual([]);
  });

  it('publishes cert.password only for a generated password, as a secret', async () => {
    expect((await layout()).files.has('cert.password')).toBe(false);
    expect((await layout({ passwordOrigin: 'generated' })).files.get('cert.password')).toEqual({
      data: Buffer.from('pw'),
      mode: 0o440,
    });
  });

  it('lists every file in the manifest with its keyed digest', async () => {
    const { files } = await layout();
    const manifest = JSON.parse(files.get('manifest.json')!.data.toString());
    expect(manifest.files).toEqual([...files.keys()].sort());
    const key = files.get('tls.key')!.data;
    for (const [name, f] of files)
      if (name !== 'manifest.json') expect(manifest.digests[name]).toBe(fileDigest(key, f.data));
    expect(Object.keys(manifest.digests)).toEqual([...files.keys()].filter((k) => k !== 'manifest.json').sort());
    expect(manifest.generation).toBe('..gen');
    expect(manifest.publishedAt).toBe(now.toISOString());
    expect(manifest.source).toEqual({ kind: 'pem', files: ['/in/tls.crt'], layout: 'files' });
  });
});

describe('contentDigest', () => {
  it('changes with the declared endpoints, and not when none is declared', async () => {
    const { m, v } = await layout();
    const base = contentDigest(m, v, opts());
    expect(contentDigest(m, v, opts({ kestrelEndpoints: {} }))).toBe(base);
    expect(contentDigest(m, v, opts({ kestrelEndpoints: { https: 'https://*:8443' } }))).not.toBe(base);
    expect(contentDigest(m, v, opts({ kestrelEndpoints: { http: 'http://*:8080' } }))).not.toBe(base);
    // Without endpoints, the digest is the one versions before KCS_KESTREL_ENDPOINT computed: their live set
    // is kept.
    const before = JSON.stringify(['/certs', 'pem', 'modern', 'pw', 'configured', undefined, undefined]);
    const raw = [...v.chain, ...v.anchors].map((c) => c.raw);
    expect(base).toBe(crypto.hash('sha256', Buffer.concat([...raw, pkcs8Der(m.key), Buffer.from(before)])));
    const https = (url: string) => contentDigest(m, v, opts({ kestrelEndpoints: { https: url } }));
    expect(https('https://*:8443')).not.toBe(https('https://*:9443'));
    expect(contentDigest(m, v, opts({ outputPassword: 'other' }))).not.toBe(base);
  });
});

describe('fileDigest', () => {
  it('is keyed with the SHA-256 of tls.key, or of nothing', () => {
    const data = Buffer.from('x');
    const keyed = (k: Buffer) =>
      crypto
        .createHmac('sha256', crypto.hash('sha256', k, 'buffer'))
        .update(data)
        .digest('hex');
    expect(fileDigest(Buffer.from('key'), data)).toBe(keyed(Buffer.from('key')));
    expect(fileDigest(undefined, data)).toBe(keyed(Buffer.alloc(0)));
  });
});

describe('buildFileSet, modes and the manifest', () => {
  it('makes kestrel.env and kestrel.json public in pem mode and secret when they carry the pfx password', async () => {
    const pem = (await layout({ kestrelFormat: 'pem' })).files;
    expect([pem.get('kestrel.env')?.mode, pem.get('kestrel.json')?.mode]).toEqual([0o444, 0o444]);
    const pfx = (await layout({ kestrelFormat: 'pfx' })).files;
    expect([pfx.get('kestrel.env')?.mode, pfx.get('kestrel.json')?.mode]).toEqual([0o440, 0o440]);
    expect(pfx.get('kestrel.env')?.data.toString()).toContain('pw');
  });

  it('describes the chain, the anchors and the Kestrel settings in the manifest', async () => {
    const { files, v, c } = await layout({ kestrelFormat: 'pfx', passwordOrigin: 'generated' });
    const manifest = JSON.parse(files.get('manifest.json')!.data.toString());
    const subjects = (list: { subject: string }[]) => list.map((x) => x.subject);
    expect(v.chain).toHaveLength(2);
    expect(subjects(manifest.chain)).toEqual(v.chain.map((x) => x.subject.replaceAll('\n', ', ')));
    expect(manifest.chain[0].sha256).toBe(manifest.sha256);
    expect(subjects(manifest.ca)).toEqual(v.anchors.map((x) => x.subject.replaceAll('\n', ', ')));
    expect(manifest.ca).toHaveLength(1);
    expect(manifest.kestrel).toEqual({
      format: 'pfx',
      mountPath: '/certs',
      pfxProfile: 'modern',
      pfx: c.pfxFrom,
      outputPassword: 'generated',
    });
  });
});
