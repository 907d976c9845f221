// The names of generations, the one place that knows their format: `..2026_11_26_12_00_00.123456`,
// like the kubelet's, in UTC, with a counter (`_000001`) when the clock does not move forward.

/** A generation name of this version: its time, and the counter when there is one. */
export const GEN = /^\.\.(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})\.(\d{6})(?:_(\d+))?$/;
/** Generation names of this and earlier versions (which could stack several suffixes), for clean-up. */
export const ANY_GEN = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d{6}(?:_\d+)*$/;
/** `..` and the 26 characters of the time: what sorts by time alone. */
const TIME_PART = 2 + 26;

function generationName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  return `..${date}_${time}.${p(now.getUTCMilliseconds() * 1000, 6)}`;
}

/** The time in a generation's name, in ms (NaN for a name that is not one). */
export function generationTime(name: string): number {
  const m = GEN.exec(name) ?? GEN.exec(name.replace(/(_\d+)+$/, ''));
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, us] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, Math.floor(us! / 1000));
}

/** Orders generation names: by their time, then by their counter (a number, so _10 follows _9). */
export function compareGenerations(a: string, b: string): number {
  const split = (n: string) => {
    const m = /^(.*?)((?:_\d+)*)$/.exec(n.slice(TIME_PART))!;
    const counter = m[2] ? Number(m[2].slice(m[2].lastIndexOf('_') + 1)) : -1;
    return { base: n.slice(0, TIME_PART) + m[1], counter };
  };
  const x = split(a);
  const y = split(b);
  return x.base < y.base ? -1 : x.base > y.base ? 1 : x.counter - y.counter;
}

/**
 * The name of a new generation: its time, or, when that does not sort after the live one (a clock
 * that went backwards, two publishes in one millisecond), the live one's with the next counter.
 */
export function nextGeneration(now: Date, live: string | undefined): string {
  const name = generationName(now);
  if (!live || compareGenerations(name, live) > 0) return name;
  const m = GEN.exec(live);
  const base = m?.[8] !== undefined ? live.slice(0, -(m[8].length + 1)) : live;
  return `${base}_${String((m?.[8] !== undefined ? Number(m[8]) : 0) + 1).padStart(6, '0')}`;
}
