// The bounded DER parser and the typed readers and builders of sidecar/pkix/asn1.ts, on DER written
// by hand (hex), with the FILE_CORRUPT text a user sees for each malformed structure.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corruptRefusal as refusal } from './certs.js';
import { describe, expect, it } from 'vitest';
import { encodePfx } from '../../../sidecar/convert/pfx.js';
import type { KcsError } from '../../../sidecar/findings.js';
import { parsePkcs12 } from '../../../sidecar/load/pkcs12.js';
import { build, explicit, octets, oid, parseDer, seq, toDer, uint } from '../../../sidecar/pkix/asn1.js';
import { readFixture } from '../../support/helpers.js';

const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const node = (h: string) => parseDer(hex(h), 'the test value');

describe('parseDer', () => {
  it('parses one complete value and writes it back byte for byte', () => {
    expect(toDer(node('3006 020103 0101ff')).toString('hex')).toBe('3006020103' + '0101ff');
  });
  it.each([
    ['3006020103', 'the PFX is not valid ASN.1 (Too few bytes to read ASN.1 value)'],
    ['020103 00', 'the PFX is not valid ASN.1 (Unparsed DER bytes remain after ASN.1 parsing)'],
  ])('refuses %s', (h, message) => {
    expect(refusal(() => parseDer(hex(h), 'the PFX'))).toBe(message);
  });
  it('refuses SEQUENCEs nested past the depth limit, and takes them just under it', () => {
    const nested = (n: number) => Buffer.concat([Buffer.from('3080'.repeat(n), 'hex'), Buffer.alloc(2 * n)]);
    expect(refusal(() => parseDer(nested(200), 'the PFX'))).toBe('the PFX is not valid ASN.1 (Max depth exceeded)');
    expect(() => parseDer(nested(10), 'the PFX')).not.toThrow();
  });
  it('keeps the parser error as the cause', () => {
    try {
      parseDer(hex('30'), 'x');
    } catch (err) {
      expect((err as KcsError).cause).toBeInstanceOf(Error);
    }
  });
});

describe('the readers', () => {
  it('seq gives the items and refuses too few, or a SET, or a primitive', () => {
    expect(seq(node('3006 020101 020102'), 'x')).toHaveLength(2);
    expect(refusal(() => seq(node('3003 020101'), 'the MAC', 2))).toBe('the MAC has 1 fields, expected at least 2');
    expect(refusal(() => seq(node('3103 020101'), 'the MAC'))).toBe('the MAC is not a SEQUENCE');
    expect(refusal(() => seq(node('020101'), 'the MAC'))).toBe('the MAC is not a SEQUENCE');
    expect(refusal(() => seq(undefined, 'the MAC'))).toBe('the MAC is not a SEQUENCE');
    expect(seq(node('3000'), 'x', 0)).toEqual([]);
  });
  it('explicit opens [n] and names a wrong or missing tag, or an empty one', () => {
    expect(uint(explicit(node('a003 020105'), 0, 'x'), 'x')).toBe(5);
    expect(refusal(() => explicit(node('a103 020105'), 0, 'the content'))).toBe('the content is missing its [0] tag');
    expect(refusal(() => explicit(node('3003 020105'), 0, 'the content'))).toBe('the content is missing its [0] tag');
    expect(refusal(() => explicit(node('a000'), 0, 'the content'))).toBe('the content is empty');
    expect(refusal(() => explicit(node('8001ff'), 0, 'the content'))).toBe('the content is missing or not a structure');
    expect(refusal(() => explicit(undefined, 3, 'the content'))).toBe('the content is missing its [3] tag');
  });
  it('oid reads dotted text and refuses anything else', () => {
    expect(oid(node('060a2a864886f70d010c0a01'), 'x')).toBe('1.2.840.113549.1.12.10.1');
    expect(refusal(() => oid(node('020101'), 'the bag type'))).toBe('the bag type is not an OBJECT IDENTIFIER');
    expect(refusal(() => oid(undefined, 'the bag type'))).toBe('the bag type is not an OBJECT IDENTIFIER');
  });
  it.each([
    ['020100', 0],
    ['02017f', 127],
    ['02020080', 128],
    ['020203e8', 1000],
    ['0203093a80', 604800],
    ['02071fffffffffffff', Number.MAX_SAFE_INTEGER],
    ['020720000000000000', Number.POSITIVE_INFINITY],
    ['020900ffffffffffffffff', Number.POSITIVE_INFINITY],
    ['020180', -1],
    ['0202fffe', -1],
  ])('uint reads %s as %d', (h, n) => {
    expect(uint(node(h), 'x')).toBe(n);
  });
  it('uint refuses what is not a non-empty INTEGER', () => {
    expect(refusal(() => uint(node('0200'), 'the version'))).toBe('the version is not an INTEGER');
    expect(refusal(() => uint(node('0a0101'), 'the version'))).toBe('the version is not an INTEGER');
    expect(refusal(() => uint(node('3000'), 'the version'))).toBe('the version is not an INTEGER');
    expect(refusal(() => uint(undefined, 'the version'))).toBe('the version is not an INTEGER');
  });
  it('octets joins the pieces of a constructed OCTET STRING, and checks class and tag', () => {
    expect(octets(node('0403616263'), 'x').toString()).toBe('abc');
    expect(octets(node('2480 04026162 040163 0000'), 'x').toString()).toBe('abc');
    expect(octets(node('8003616263'), 'x', 0x80, 0).toString()).toBe('abc');
    expect(refusal(() => octets(node('8003616263'), 'the salt'))).toBe('the salt is not an OCTET STRING');
    expect(refusal(() => octets(node('0303006162'), 'the salt'))).toBe('the salt is not an OCTET STRING');
    expect(refusal(() => octets(node('2480 020101 0000'), 'the salt'))).toBe('the salt is not an OCTET STRING');
  });
});

describe('the builders write DER that the readers and hex agree on', () => {
  it.each([
    [0, '020100'],
    [127, '02017f'],
    [128, '02020080'],
    [256, '02020100'],
    [2048, '02020800'],
    [600000, '020309' + '27c0'],
  ])('int(%d) is %s', (n, h) => {
    expect(toDer(build.int(n)).toString('hex')).toBe(h);
  });
  it('int of bytes with the top bit set gets a leading zero', () => {
    expect(toDer(build.int(Buffer.from([0xff, 0x01]))).toString('hex')).toBe('020300ff01');
    expect(toDer(build.int(Buffer.from([0x7f]))).toString('hex')).toBe('02017f');
  });
  it('writes each simple type', () => {
    expect(toDer(build.null()).toString('hex')).toBe('0500');
    expect(toDer(build.bool(true)).toString('hex')).toBe('0101ff');
    expect(toDer(build.bool(false)).toString('hex')).toBe('010100');
    expect(toDer(build.octets(Buffer.from('ab'))).toString('hex')).toBe('04026162');
    expect(toDer(build.bits(Buffer.from([0xa0]))).toString('hex')).toBe('030200a0');
    expect(toDer(build.utf8('é')).toString('hex')).toBe('0c02c3a9');
    expect(toDer(build.ia5('a.b')).toString('hex')).toBe('1603612e62');
    expect(toDer(build.oid('2.5.29.17')).toString('hex')).toBe('0603551d11');
    expect(toDer(build.seq(build.null())).toString('hex')).toBe('30020500');
    expect(toDer(build.set(build.null())).toString('hex')).toBe('31020500');
    expect(toDer(build.explicit(2, build.null())).toString('hex')).toBe('a2020500');
    expect(toDer(build.implicit(1, Buffer.from('x'))).toString('hex')).toBe('810178');
    expect(toDer(build.raw(hex('020105'))).toString('hex')).toBe('020105');
  });
  // node-forge writes a BMPString's text one UTF-16 unit per two bytes itself; handing it UTF-16BE bytes
  // (as build.bmp once did) wrote each byte as a character again: "Aé" came out as 1e08 0000 0041 0000 00e9.
  it('bmp writes one BMP character per character (BMPString, X.680)', () => {
    expect(toDer(build.bmp('Aé')).toString('hex')).toBe('1e04004100e9');
    expect(toDer(build.bmp('')).toString('hex')).toBe('1e00');
    expect(parseDer(toDer(build.bmp('Kestrel-Zürich')), 'x').value).toBe('Kestrel-Zürich');
  });
  // The consumer is the judge: the friendlyName convert/pfx.ts writes with build.bmp, as OpenSSL shows it.
  // OpenSSL 3.0's `pkcs12` prints a BMPString attribute through OPENSSL_uni2asc (crypto/pkcs12/p12_utl.c),
  // which keeps the low byte of each character, so a Latin-1 name comes out as Latin-1 bytes (3.2 and
  // later print UTF-8 through OPENSSL_uni2utf8). Our own reader gets the whole name back, CJK included.
  it('a PFX written with a non-ASCII friendlyName shows that name in openssl pkcs12 -nokeys', () => {
    const pfxWith = (friendlyName: string) =>
      encodePfx({
        chain: [new crypto.X509Certificate(readFixture('p256.crt')).raw],
        key: crypto.createPrivateKey(readFixture('p256.key')),
        password: 'pw',
        profile: 'modern',
        friendlyName,
      });
    const name = 'Zürich-café';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kcs-bmp-'));
    const file = path.join(dir, 'cert.pfx');
    writeFileSync(file, pfxWith(name));
    const out = execFileSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', 'pass:pw'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    rmSync(dir, { recursive: true });
    const shown = [Buffer.from(`friendlyName: ${name}\n`, 'latin1'), Buffer.from(`friendlyName: ${name}\n`)];
    expect(shown.some((line) => out.includes(line))).toBe(true);
    expect(parsePkcs12(pfxWith('測試-Zürich'), 'pw').names).toEqual(['測試-Zürich']);
  });
  it.each([
    ['2049-12-31T23:59:59.999Z', '170d', '3439313233313233353935395a'],
    ['2050-01-01T00:00:00.000Z', '180f', '32303530303130313030303030305a'],
    ['1999-06-05T04:03:02.000Z', '170d', '3939303630353034303330325a'],
  ])('time(%s): UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', (iso, head, body) => {
    expect(toDer(build.time(new Date(iso))).toString('hex')).toBe(head + body);
  });
});
