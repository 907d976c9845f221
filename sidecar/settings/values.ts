// The values of settings that take more than a word: durations, host names (DNS names and IP
// addresses, as certificates carry them), owners, and the output directory, which may not be a system
// directory. Each refusal is CONFIG_INVALID with the fix.
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import { fail, printable } from '../findings.js';
import { messages } from '../messages/index.js';
import { MAX_HOSTNAMES } from '../limits.js';
import { ipv6Bytes, isIP } from '../pkix/ip.js';

const invalid = messages.CONFIG_INVALID;

/** `90d`, `12h`, `30m`, `45s`, `500ms`. */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) return fail(invalid.duration({ name, value }));
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/** A label of a DNS name (RFC 1123, with `_` as certificates carry it), checked for its 63 octets apart:
 *  a `{0,61}` in the pattern made V8 compile ~1 ms of regular expression on every start. */
const LABEL = /^[a-z0-9_]([a-z0-9-]*[a-z0-9])?$/i;

/** A DNS name, optionally a wildcard (`*.` first) and fully qualified (`.` last). */
function isDnsName(n: string): boolean {
  const labels = n.replace(/^\*\./, '').replace(/\.$/, '').split('.');
  return n.length <= 253 && labels.every((l) => l.length <= 63 && LABEL.test(l));
}

export function parseHostnames(value: string): string[] {
  const names = [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  if (names.length === 0) fail(invalid.hostnamesEmpty());
  if (names.length > MAX_HOSTNAMES) fail(invalid.tooManyHostnames({ count: names.length, max: MAX_HOSTNAMES }));
  for (const n of names) {
    const bare = n.replace(/^\[(.*)\]$/, '$1');
    if (
      isIP(bare) === 6 &&
      ipv6Bytes(bare)!
        .subarray(0, 12)
        .equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]))
    ) {
      const v4 = [...ipv6Bytes(bare)!.subarray(12)].join('.');
      fail(invalid.ipv4Mapped({ name: n, v4 }));
    }
    if (isIP(bare)) continue;
    // A name whose last label is all digits is no DNS name (RFC 3696 2): 999.1.1.1 or 1.2.3 is a
    // mistyped address, and a certificate would carry it as a name no client ever asks for.
    if (/(^|\.)\d+\.?$/.test(bare)) fail(invalid.numericLabel({ name: n }));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII; anything outside it is IDN
    if (/[^\x00-\x7f]/.test(n)) {
      const ascii = url.domainToASCII(n);
      fail(invalid.notAscii({ name: n, ascii }));
    }
    if (!isDnsName(n)) fail(invalid.notDnsName({ name: JSON.stringify(n).slice(1, -1) }));
  }
  return names;
}

/** Largest uid or gid: 4294967295 is (uid_t)-1, which chown(2) reads as "leave it unchanged". */
const MAX_ID = 4294967294;

export function parseOwner(value: string): { uid: number; gid: number } {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(value.trim());
  if (!m || Number(m[1]) > MAX_ID || Number(m[2]) > MAX_ID) return fail(invalid.owner({ value, max: MAX_ID }));
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/**
 * A path as a setting gives it: no control character. KCS_OUTPUT (or KCS_MOUNT_PATH) is written into
 * kestrel.env, Docker's env-file format, one KEY=value a line and no quoting: a line break in it would
 * add any variable to the app's environment (DOTNET_STARTUP_HOOKS=...), and a NUL cannot be passed to a
 * process at all. No real path needs one, so every path setting refuses them.
 */
export function checkPathText(name: string, value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  const c = /[\x00-\x1f\x7f]/.exec(value)?.[0];
  if (c !== undefined) {
    const what = c === '\n' || c === '\r' ? 'a line break' : c === '\0' ? 'a NUL' : 'a control character';
    fail(invalid.controlCharacter({ name, value: printable(value), what }));
  }
  return value;
}

/** The real path of `p`, or of its nearest existing parent with the rest appended: what `p` will be. */
export function realPathOf(p: string): string {
  const rest: string[] = [];
  let dir = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return path.resolve(p);
      rest.push(path.basename(dir));
      dir = parent;
    }
  }
}

/** Directories of the system that a publish would damage: the sidecar refuses them as KCS_OUTPUT. */
const SYSTEM_DIRS = [
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/usr/share',
  '/var/lib',
  '/var/log',
  '/var/run',
  '/var/tmp',
  '/etc/ssl',
  '/etc/ssl/certs',
  '/etc/pki',
];
/** ...nor anything under these, which belong to the kernel and the system's configuration. */
const SYSTEM_TREES = [
  '/proc',
  '/sys',
  '/dev',
  '/etc',
  '/boot',
  '/bin',
  '/sbin',
  '/lib',
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
];

export function checkOutput(output: string): void {
  const real = realPathOf(output);
  const system = SYSTEM_DIRS.includes(real) || SYSTEM_TREES.some((t) => real.startsWith(`${t}/`));
  if (system) fail(invalid.systemDirectory({ output, real }));
}
