import { execFileSync } from 'node:child_process';
import { isIP as netIsIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipBytes, ipv6Bytes, isIP } from '../../../sidecar/pkix/ip.js';
import { ENABLE, missing, needs } from '../../support/skips.js';

const ROWS = [
  '127.0.0.1',
  '0.0.0.0',
  '255.255.255.255',
  '256.1.1.1',
  '1.2.3',
  '01.2.3.4',
  '::1',
  '::',
  'fe80::1',
  '2001:db8::8a2e:370:7334',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1::2::3',
  '::ffff:192.0.2.1',
  'gggg::1',
  'localhost',
  '',
  ':::',
  '1:2:3:4:5:6:7::',
  '::1.2.3',
  '12345::1',
  '1::12345',
  '1:2::7:8',
  '1:2:3:4:5:6:1.2.3.4',
  '1::5:6:1.2.3.4',
  '1:2:3:4::5:6:7:8',
];

describe('isIP agrees with node:net on addresses and near-misses', () => {
  it.each(ROWS)('%s', (s) => {
    expect(isIP(s)).toBe(netIsIP(s));
  });

  const python = needs('IPv6 bytes against inet_pton', missing('python3', ['-c', '0']), ENABLE.producers);
  it.runIf(python)("gives the bytes of every IPv6 row that the C library's inet_pton gives (Python's socket)", () => {
    const v6 = ROWS.filter((s) => netIsIP(s) === 6);
    const script = 'import socket,sys\nfor a in sys.argv[1:]: print(socket.inet_pton(socket.AF_INET6, a).hex())';
    const want = execFileSync('python3', ['-c', script, ...v6], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(v6.map((s) => ipv6Bytes(s)?.toString('hex'))).toEqual(want);
    expect(ROWS.filter((s) => netIsIP(s) !== 6).map((s) => ipv6Bytes(s))).toEqual(
      ROWS.filter((s) => netIsIP(s) !== 6).map(() => undefined),
    );
  });
  it('encodes IPv6 with an IPv4 tail as 16 bytes', () => {
    expect(ipBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(ipBytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipBytes('10.0.0.5').toString('hex')).toBe('0a000005');
  });
});
