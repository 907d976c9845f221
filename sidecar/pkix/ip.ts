// IP address parsing without node:net: the settings check host names on every start, and loading
// node:net for its isIP costs `init` +15 ms of CPU (measured, docs/performance.md), where the socket
// stack is otherwise never loaded. The tests hold isIP to node:net's answers.

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The 16 bytes of an IPv6 address, or undefined if it is not one. Accepts `::` and an IPv4 tail. */
export function ipv6Bytes(s: string): Buffer | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  let tail4: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = s.slice(lastColon + 1);
    if (!V4.test(v4)) return undefined;
    tail4 = v4.split('.').map(Number);
    text = `${s.slice(0, lastColon + 1)}${tail4.length ? '0:0' : ''}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = rest ? rest.split(':') : [];
  const fill = 8 - h.length - t.length;
  if (rest === undefined ? h.length !== 8 : fill < 1) return undefined;
  const groups = rest === undefined ? h : [...h, ...Array<string>(fill).fill('0'), ...t];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const bytes = Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  if (tail4.length) Buffer.from(tail4).copy(bytes, 12);
  return bytes;
}

/** 4 or 6 as node:net's isIP does, 0 for anything else. */
export function isIP(s: string): 0 | 4 | 6 {
  if (V4.test(s)) return 4;
  return ipv6Bytes(s) ? 6 : 0;
}

export function ipBytes(s: string): Buffer {
  return isIP(s) === 4 ? Buffer.from(s.split('.').map(Number)) : ipv6Bytes(s)!;
}
