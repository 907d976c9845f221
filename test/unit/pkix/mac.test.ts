// The PKCS#12 MAC of sidecar/pkix/mac.ts on files that `openssl pkcs12 -export` writes with each MAC
// digest, and on PBMAC1 MacData (RFC 9579) built with our DER builders: OpenSSL 3.0 here cannot write
// PBMAC1 (3.4 can), so its key comes from node:crypto's PBKDF2 in the test, as the RFC defines it.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Asn1, build, explicit, octets, parseDer, seq, toDer } from '../../../sidecar/pkix/asn1.js';
import { readMac } from '../../../sidecar/pkix/mac.js';
import { OID } from '../../../sidecar/pkix/oids.js';
import { IterationBudget } from '../../../sidecar/pkix/pbe.js';
import { buildMac } from '../../../sidecar/pkix/pbe-write.js';
import { fixture } from '../../support/helpers.js';
import { corruptRefusal, opensslDir, refusal } from './certs.js';

const tmp = opensslDir('mac');
afterAll(tmp.remove);
let n = 0;
/** A PFX from `openssl pkcs12 -export` of the P-256 fixture, split into its MacData and the content it covers. */
function opensslPfx(args: string[]): { macData: Asn1; content: Buffer } {
  const file = `m${++n}.pfx`;
  tmp.openssl(
    ...['pkcs12', '-export', '-in', fixture('p256.crt'), '-inkey', fixture('p256.key'), '-passout', 'pass:pw'],
    ...['-out', file, ...args],
  );
  const [, authSafe, macData] = seq(parseDer(readFileSync(path.join(tmp.dir, file)), 'x'), 'x', 3);
  const content = octets(explicit(seq(authSafe, 'x', 2)[1], 0, 'x'), 'x');
  return { macData: macData!, content };
}

describe('readMac reads and verifies the MAC OpenSSL writes', () => {
  it.each([
    ['sha1', 'HMAC-SHA1', false],
    ['sha256', 'HMAC-SHA256', true],
    ['sha384', 'HMAC-SHA384', false],
    ['sha512', 'HMAC-SHA512', false],
  ])('-macalg %s', (macalg, label, modern) => {
    const { macData, content } = opensslPfx(['-macalg', macalg, '-iter', '1500']);
    const mac = readMac(macData);
    expect(mac.info).toEqual({ label, iterations: 1500, modern });
    expect(mac.verify('pw', content, new IterationBudget())).toBe(true);
    expect(mac.verify('pW', content, new IterationBudget())).toBe(false);
    expect(mac.verify(null, content, new IterationBudget())).toBe(false);
    expect(mac.verify('pw', Buffer.concat([content, Buffer.from([0])]), new IterationBudget())).toBe(false);
  });
  it('-nomaciter: the iteration count is absent and is 1', () => {
    const { macData, content } = opensslPfx(['-nomaciter']);
    expect(seq(macData, 'x')).toHaveLength(2);
    const mac = readMac(macData);
    expect(mac.info.iterations).toBe(1);
    expect(mac.verify('pw', content, new IterationBudget())).toBe(true);
  });
  it('an empty password and no password are different MAC keys (RFC 7292 B.1)', () => {
    const { macData, content } = opensslPfx(['-passout', 'pass:']);
    const mac = readMac(macData);
    expect(mac.verify('', content, new IterationBudget())).toBe(true);
    expect(mac.verify(null, content, new IterationBudget())).toBe(false);
  });
  it('refuses a digest it does not support (MD5)', () => {
    const { macData } = opensslPfx(['-macalg', 'md5']);
    expect(refusal(() => readMac(macData))).toBe('UNSUPPORTED_ALGORITHM the MAC uses the digest 1.2.840.113549.2.5');
  });
});

/** MacData with a PKCS#12-KDF MAC of the given digest, salt and count (the value itself is zeros). */
const pkcs12MacData = (digest: string, iterations: number) =>
  build.seq(
    build.seq(build.seq(build.oid(digest), build.null()), build.octets(Buffer.alloc(32))),
    build.octets(Buffer.alloc(8, 1)),
    build.int(iterations),
  );

describe('buildMac (pbe-write.ts) writes MacData that readMac and OpenSSL verify', () => {
  it.each([
    [OID.sha256, 'HMAC-SHA256', true, 16],
    [OID.sha1, 'HMAC-SHA1', false, 8],
  ] as const)('%s', (digest, label, modern, saltBytes) => {
    const content = Buffer.from('an AuthenticatedSafe');
    const macData = parseDer(toDer(buildMac(digest, content, 'pässwörd', 2048, saltBytes)), 'x');
    expect(octets(seq(macData, 'x')[1], 'x')).toHaveLength(saltBytes);
    const mac = readMac(macData);
    expect(mac.info).toEqual({ label, iterations: 2048, modern });
    expect(mac.verify('pässwörd', content, new IterationBudget())).toBe(true);
    expect(mac.verify('passwörd', content, new IterationBudget())).toBe(false);
  });
});

describe('a MAC value of the wrong length is a wrong MAC, not a crash', () => {
  it('for the PKCS#12 KDF (a 32-byte value under SHA-1)', () => {
    const mac = readMac(parseDer(toDer(pkcs12MacData(OID.sha1, 1)), 'x'));
    expect(mac.verify('pw', Buffer.alloc(1), new IterationBudget())).toBe(false);
  });
});

describe('malformed MacData is FILE_CORRUPT, naming the field', () => {
  const mac = (...fields: Asn1[]) => parseDer(toDer(build.seq(...fields)), 'x');
  const alg = build.seq(build.oid(OID.sha256), build.null());
  const salt = build.octets(Buffer.alloc(8));
  it.each([
    ['a digest info of one field', mac(build.seq(alg), salt), 'MAC digest info has 1 fields, expected at least 2'],
    [
      'an algorithm that is not a SEQUENCE',
      mac(build.seq(build.null(), build.octets(Buffer.alloc(32))), salt),
      'MAC is not a SEQUENCE',
    ],
    [
      'a value that is not an OCTET STRING',
      mac(build.seq(alg, build.null()), salt),
      'MAC value is not an OCTET STRING',
    ],
    [
      'a salt that is not an OCTET STRING',
      mac(build.seq(alg, build.octets(Buffer.alloc(32))), build.null()),
      'MAC salt is not an OCTET STRING',
    ],
    [
      'a count that is not an INTEGER',
      mac(build.seq(alg, build.octets(Buffer.alloc(32))), salt, salt),
      'MAC iteration count is not an INTEGER',
    ],
  ])('%s', (_, macData, message) => {
    expect(refusal(() => readMac(macData))).toBe(`FILE_CORRUPT ${message}`);
  });
});

describe('the iteration cap is checked before a MAC key is derived', () => {
  it('for the PKCS#12 KDF', () => {
    const mac = readMac(pkcs12MacData(OID.sha256, 5_000_000));
    expect(mac.info.iterations).toBe(5_000_000);
    expect(refusal(() => mac.verify('pw', Buffer.alloc(1), new IterationBudget()))).toMatch(
      /^ITERATIONS_TOO_HIGH the MAC asks for 5,000,000 iterations, more than the limit of /,
    );
  });
  it('refuses MacData without its salt', () => {
    const bad = build.seq(build.seq(build.seq(build.oid(OID.sha256), build.null()), build.octets(Buffer.alloc(32))));
    expect(refusal(() => readMac(bad))).toBe('FILE_CORRUPT MAC data has 1 fields, expected at least 2');
  });
});

describe('PBMAC1 (RFC 9579): PBKDF2 over the UTF-8 password, then the HMAC', () => {
  const content = Buffer.from('the AuthenticatedSafe');
  const salt = Buffer.from('0123456789abcdef');
  /** PBMAC1 MacData; its own salt and count (RFC 9579: ignored) are junk on purpose. */
  function pbmac1(opts: { iterations?: number; keyLength?: number | null; prf?: string; scheme?: string }) {
    const iterations = opts.iterations ?? 1000;
    const keyLength = opts.keyLength === undefined ? 32 : opts.keyLength;
    const prf = opts.prf ?? OID.hmacSha256;
    const scheme = opts.scheme ?? OID.hmacSha256;
    const rounds = Math.min(iterations, 1000);
    const key = crypto.pbkdf2Sync(Buffer.from('pässwörd'), salt, rounds, keyLength ?? 20, 'sha256');
    const value = crypto.createHmac('sha256', key).update(content).digest();
    const kdf = build.seq(
      build.oid(OID.pbkdf2),
      build.seq(
        build.octets(salt),
        build.int(iterations),
        ...(keyLength === null ? [] : [build.int(keyLength)]),
        build.seq(build.oid(prf), build.null()),
      ),
    );
    const alg = build.seq(build.oid(OID.pbmac1), build.seq(kdf, build.seq(build.oid(scheme), build.null())));
    return parseDer(
      toDer(build.seq(build.seq(alg, build.octets(value)), build.octets(Buffer.from('junk')), build.int(7))),
      'x',
    );
  }
  it('reads its label and count, and verifies the right password only', () => {
    const mac = readMac(pbmac1({}));
    expect(mac.info).toEqual({ label: 'PBMAC1 HMAC-SHA256', iterations: 1000, modern: false });
    expect(mac.verify('pässwörd', content, new IterationBudget())).toBe(true);
    expect(mac.verify('passwort', content, new IterationBudget())).toBe(false);
    expect(mac.verify('pässwörd', Buffer.from('other'), new IterationBudget())).toBe(false);
  });
  it('a value of the wrong length is a wrong MAC', () => {
    const macData = pbmac1({});
    const [digestInfo] = seq(macData, 'x');
    (seq(digestInfo, 'x')[1]!.value as string) = 'short';
    expect(readMac(macData).verify('pässwörd', content, new IterationBudget())).toBe(false);
  });
  it('takes the key length from the parameters', () => {
    const mac = readMac(pbmac1({ keyLength: 48 }));
    expect(mac.verify('pässwörd', content, new IterationBudget())).toBe(true);
  });
  it.each([
    ['no key length', { keyLength: null }],
    ['a scheme that is not an HMAC', { scheme: OID.sha256 }],
  ])('refuses %s', (_, opts) => {
    expect(refusal(() => readMac(pbmac1(opts)))).toBe('UNSUPPORTED_ALGORITHM the PBMAC1 MAC has an unsupported scheme');
  });
  /** MacData whose PBMAC1 algorithm carries `params` as they are. */
  const withParams = (params: Asn1) =>
    parseDer(
      toDer(
        build.seq(
          build.seq(build.seq(build.oid(OID.pbmac1), params), build.octets(Buffer.alloc(32))),
          build.octets(salt),
          build.int(1),
        ),
      ),
      'x',
    );
  /** The PBKDF2 AlgorithmIdentifier inside PBMAC1 MacData: digestInfo, its algorithm, its parameters. */
  const pbkdf2Of = (macData: Asn1) => seq(seq(seq(seq(macData, 'x')[0], 'x')[0], 'x')[1], 'x')[0]!;
  const hmacScheme = build.seq(build.oid(OID.hmacSha256), build.null());
  it.each([
    ['parameters of one field', build.seq(hmacScheme), 'PBMAC1 parameters has 1 fields, expected at least 2'],
    [
      'a key derivation that is no AlgorithmIdentifier',
      build.seq(build.int(1), hmacScheme),
      'PBMAC1 key derivation is not a SEQUENCE',
    ],
    [
      'a scheme whose first field is no OID',
      build.seq(pbkdf2Of(pbmac1({})), build.seq(build.int(1))),
      'PBMAC1 scheme algorithm is not an OBJECT IDENTIFIER',
    ],
  ])('refuses %s as corrupt, naming the part', (_, params, why) => {
    expect(corruptRefusal(() => readMac(withParams(params)))).toContain(why);
  });
  it('checks the cap before deriving', () => {
    const mac = readMac(pbmac1({ iterations: 9_000_000 }));
    expect(refusal(() => mac.verify('pässwörd', content, new IterationBudget()))).toMatch(
      /^ITERATIONS_TOO_HIGH the PBMAC1 MAC asks for 9,000,000 iterations/,
    );
  });
});
