// Where a command writes what people read (stdout and stderr, or a test's buffers), and the one shape
// of a finding or a log message on stderr, in text or JSON. `init` and `check` write findings as they
// are; `watch` is a log, so each of its records is one line and carries its time.
import { formatFinding, type Finding } from './findings.js';
import type { LogFormat } from './settings/options.js';

export type Out = { out: (s: string) => void; err: (s: string) => void };

export type Level = 'info' | 'warning' | 'error';

/** One record: a finding (its severity is the level), or a message at `level`. */
export type LogEntry =
  | { finding: Finding; msg?: string; level?: Level }
  | { finding?: undefined; msg: string; level: Level };

/** The text of one record, with its newline. `time` makes it a log line: stamped, and on one line. */
export function record(format: LogFormat, e: LogEntry, time?: Date): string {
  const level = e.level ?? e.finding?.severity;
  if (format === 'json')
    return `${JSON.stringify({
      ...(time ? { time: time.toISOString() } : {}),
      level,
      ...(e.msg !== undefined ? { msg: e.msg } : {}),
      ...e.finding,
    })}\n`;
  const text = e.finding ? formatFinding(e.finding) : `${level}: ${e.msg}`;
  return time ? `${time.toISOString()} ${text.replace(/\n/g, ' | ')}\n` : `${text}\n`;
}
