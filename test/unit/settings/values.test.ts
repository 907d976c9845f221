// The values of settings as sidecar/settings/values.ts reads them, with the exact refusal a user sees.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import {
  checkOutput,
  checkPathText,
  parseDuration,
  parseHostnames,
  parseOwner,
  realPathOf,
} from '../../../sidecar/settings/values.js';

function refusal(fn: () => unknown): { message: string; hint: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof KcsError) return { message: err.message, hint: err.finding.hint };
    throw err;
  }
  throw new Error('accepted');
}

describe('parseDuration', () => {
  it.each([
    ['90d', 90 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 30 * 60_000],
    ['45s', 45_000],
    ['500ms', 500],
    [' 1.5 h ', 5_400_000],
    ['0.0004s', 0],
    ['0.0006s', 1],
  ])('reads %j as %d ms', (value, ms) => {
    expect(parseDuration('KCS_MIN_VALIDITY', value)).toBe(ms);
  });
  it.each([['3 weeks'], ['90'], ['d'], ['x90d'], ['90dd'], ['-1d'], ['1.d']])('refuses %j', (value) => {
    expect(refusal(() => parseDuration('KCS_MIN_VALIDITY', value))).toEqual({
      message:
        `CONFIG_INVALID KCS_MIN_VALIDITY \`${value}\` is not a duration: use a number and a unit, ` +
        'such as 90d, 12h, 30m or 45s',
      hint: 'set KCS_MIN_VALIDITY to a value like 90d',
    });
  });
});

describe('parseHostnames', () => {
  it('splits on commas and white space, drops empty items and duplicates, keeps the order', () => {
    expect(parseHostnames(' api,, localhost\napi\t10.0.0.5,[::1] ')).toEqual(['api', 'localhost', '10.0.0.5', '[::1]']);
  });
  it('takes IPv4 and IPv6 addresses, and a name of 253 characters', () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name).toHaveLength(253);
    expect(parseHostnames(`10.0.0.5 ::1 fe80::1 ${name}`)).toEqual(['10.0.0.5', '::1', 'fe80::1', name]);
  });
  it('refuses an empty list', () => {
    expect(refusal(() => parseHostnames(' , '))).toEqual({
      message: 'CONFIG_INVALID KCS_HOSTNAMES is empty',
      hint: 'list at least one name, such as KCS_HOSTNAMES=localhost,api',
    });
  });
  it('takes 100 names and refuses 101', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`).join(',');
    expect(parseHostnames(names(100))).toHaveLength(100);
    expect(refusal(() => parseHostnames(names(101)))).toEqual({
      message: 'CONFIG_INVALID KCS_HOSTNAMES lists 101 names, more than 100',
      hint:
        'list only the names clients use to reach this service; use a wildcard such as *.example.test for many ' +
        'subdomains',
    });
  });
  it.each([
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['[::ffff:7f00:1]', '127.0.0.1'],
  ])('refuses the IPv4-mapped address %s, naming the IPv4 address to write', (n, v4) => {
    expect(refusal(() => parseHostnames(n))).toEqual({
      message:
        `CONFIG_INVALID KCS_HOSTNAMES address \`${n}\` is an IPv4-mapped IPv6 address: clients reach that host as ` +
        `${v4}, and a certificate names it by its 4-byte address`,
      hint: `write ${v4}`,
    });
  });
  it('takes an IPv6 address that only ends like a mapped one', () => {
    expect(parseHostnames('::fffe:a00:5')).toEqual(['::fffe:a00:5']);
  });
  it.each([['999.1.1.1'], ['1.2.3'], ['api.7'], ['42'], ['10.0.0.256.']])(
    'refuses %s: its last label is a number',
    (n) => {
      expect(refusal(() => parseHostnames(n))).toEqual({
        message:
          `CONFIG_INVALID KCS_HOSTNAMES name \`${n}\` is neither an IP address nor a DNS name ` +
          '(its last label is a number)',
        hint: 'write an IPv4 address as four numbers from 0 to 255, such as 10.0.0.5, or a DNS name such as api',
      });
    },
  );
  it('takes a name whose last label only starts with a digit', () => {
    expect(parseHostnames('api.7a,7.api')).toEqual(['api.7a', '7.api']);
  });
  it('refuses a name that is not ASCII, with its punycode', () => {
    expect(refusal(() => parseHostnames('bücher.example'))).toEqual({
      message:
        'CONFIG_INVALID KCS_HOSTNAMES name `bücher.example` is not ASCII: certificates carry internationalized ' +
        'names in their punycode form',
      hint: 'write it as xn--bcher-kva.example',
    });
  });
  it('refuses a name that is not ASCII nor a valid name, asking for its punycode form', () => {
    expect(refusal(() => parseHostnames('xn--ü.test')).hint).toBe('write the name in its punycode (xn--) form');
  });
  it('refuses a name of 254 characters and a label of 64, showing control characters escaped', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
    expect(refusal(() => parseHostnames(long)).message).toBe(
      `CONFIG_INVALID KCS_HOSTNAMES name \`${long}\` is not a DNS name or IP address`,
    );
    expect(refusal(() => parseHostnames(`${'a'.repeat(64)}.test`)).hint).toBe(
      'use names such as api, api.example.test, *.example.test, 10.0.0.5 or ::1',
    );
    expect(refusal(() => parseHostnames('a"b')).message).toBe(
      'CONFIG_INVALID KCS_HOSTNAMES name `a\\"b` is not a DNS name or IP address',
    );
  });
  it('takes a wildcard only as the first label', () => {
    expect(parseHostnames('*.example.test')).toEqual(['*.example.test']);
    expect(refusal(() => parseHostnames('api.*.test')).message).toContain('is not a DNS name or IP address');
    expect(refusal(() => parseHostnames('x*.test')).message).toContain('is not a DNS name or IP address');
  });
});

describe('parseOwner', () => {
  it.each([
    ['1654:1654', 1654, 1654],
    [' 0:0 ', 0, 0],
    ['4294967294:1', 4294967294, 1],
    ['1:4294967294', 1, 4294967294],
  ])('reads %j', (value, uid, gid) => {
    expect(parseOwner(value)).toEqual({ uid, gid });
  });
  it.each([['4294967295:1'], ['1:4294967295'], ['1654'], ['a:b'], ['1:2:3'], ['12345678901:1'], ['-1:0']])(
    'refuses %j',
    (value) => {
      expect(refusal(() => parseOwner(value))).toEqual({
        message:
          `CONFIG_INVALID KCS_OWNER \`${value}\` is not valid: use uid:gid with numbers from 0 to 4294967294, ` +
          'such as 1654:1654',
        hint: 'set KCS_OWNER=1654:1654 (the app user of the ASP.NET Core images)',
      });
    },
  );
});

describe('checkPathText', () => {
  it('gives back a path without control characters', () => {
    expect(checkPathText('KCS_OUTPUT', '/https/certs ü')).toBe('/https/certs ü');
  });
  it.each([
    ['/https\nDOTNET_STARTUP_HOOKS=/x', 'a line break', '/https\\nDOTNET_STARTUP_HOOKS=/x'],
    ['/https\r', 'a line break', '/https\\r'],
    ['/https\0', 'a NUL', '/https\\0'],
    ['/https\x1f', 'a control character', '/https\\x1f'],
    ['/https\x7f', 'a control character', '/https\\x7f'],
  ])('refuses %j: it holds %s', (value, what, shown) => {
    const { message, hint } = refusal(() => checkPathText('KCS_OUTPUT', value));
    expect(message).toMatch(/^CONFIG_INVALID KCS_OUTPUT `/);
    expect(message.endsWith(`\` holds ${what}: it is written into kestrel.env, one variable a line`)).toBe(true);
    expect(message).not.toContain(value);
    expect(message.length).toBeGreaterThan(shown.length);
    expect(hint).toBe('set KCS_OUTPUT to a path without control characters');
  });
});

describe('checkOutput and realPathOf', () => {
  it.each([['/'], ['/etc'], ['/etc/ssl/certs'], ['/usr/local'], ['/var/tmp'], ['/tmp'], ['/home']])(
    'refuses the system directory %s',
    (dir) => {
      expect(refusal(() => checkOutput(dir))).toEqual({
        message: `CONFIG_INVALID KCS_OUTPUT ${dir} is a system directory`,
        hint: 'point KCS_OUTPUT at a directory of its own, such as a volume mounted at /https',
      });
    },
  );
  it.each([['/etc/kcs-not-there/out'], ['/usr/lib/x'], ['/proc/self/x']])('refuses %s, under a system tree', (dir) => {
    expect(refusal(() => checkOutput(dir)).message).toMatch(/^CONFIG_INVALID KCS_OUTPUT \/.* is a system directory$/);
  });
  it.each([['/https'], ['/usr/local/share/certs'], ['/var/lib/app/https'], ['/etcetera'], ['/tmp/kcs-out/x']])(
    'takes %s',
    (dir) => {
      expect(() => checkOutput(dir)).not.toThrow();
    },
  );
  it('names the real directory when a link leads into a system directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-values-'));
    try {
      fs.symlinkSync('/etc', path.join(dir, 'link'));
      const out = path.join(dir, 'link', 'kcs-not-there');
      expect(realPathOf(out)).toBe('/etc/kcs-not-there');
      expect(refusal(() => checkOutput(out)).message).toBe(
        `CONFIG_INVALID KCS_OUTPUT ${out} (/etc/kcs-not-there) is a system directory`,
      );
      expect(realPathOf(path.join(dir, 'a', 'b'))).toBe(path.join(fs.realpathSync(dir), 'a', 'b'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
