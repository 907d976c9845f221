// How the catalogue is written: each finding code is one `define(code, summary, variants)`, where each
// variant is a plain function from the data its caller passes (file names, numbers, names) to the two
// sentences a user reads: `message` (`<what failed>: <why>`) and `hint` (what to do, after `fix: `).
import type { FindingCode, Message, Words } from '../findings.js';

type Variant = (data: never) => Words;

/** One code of the catalogue: its one-line summary (the docs' findings table holds it) and its variants,
 *  each called with exactly the data its sentences need. */
export type Entry<C extends FindingCode, V extends Record<string, Variant>> = { code: C; summary: string } & {
  [K in keyof V]: (...data: Parameters<V[K]>) => Message<C>;
};

export function define<C extends FindingCode, V extends Record<string, Variant>>(
  code: C,
  summary: string,
  variants: V,
): Entry<C, V> {
  const entry: Record<string, unknown> = { code, summary };
  for (const [name, words] of Object.entries(variants))
    entry[name] = (data: never) => ({ code, ...(words as Variant)(data) });
  return entry as Entry<C, V>;
}
