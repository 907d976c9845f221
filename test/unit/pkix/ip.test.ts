import { isIP as netIsIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipBytes, isIP } from '../../../sidecar/pkix/ip.js';

describe('isIP agrees with node:net on addresses and near-misses', () => {
  it.each([
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
  ])('%s', (s) => {
    expect(isIP(s)).toBe(netIsIP(s));
  });
  it('encodes IPv6 with an IPv4 tail as 16 bytes', () => {
    expect(ipBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
    expect(ipBytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipBytes('10.0.0.5').toString('hex')).toBe('0a000005');
  });
});
