// Reading the CLI's output by its headings, not by line numbers: a test that wants the guidance `init`
// prints takes the lines from "point Kestrel at it" on, so a line added above it breaks no test.

/** The lines of `output` from the first that starts with `heading` up to the first after it that starts
 *  with `next` (or to the end), as printed: every line with its line break. Throws, showing the output,
 *  when no line starts with `heading`. */
export function section(output: string, heading: string, next?: string): string {
  const lines = output.split(/(?<=\n)/);
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`no line starts with ${JSON.stringify(heading)} in:\n${output}`);
  const end = next === undefined ? -1 : lines.findIndex((l, i) => i > start && l.startsWith(next));
  return lines.slice(start, end < 0 ? undefined : end).join('');
}
