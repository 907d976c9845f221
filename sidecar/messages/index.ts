// The catalogue of every finding's words: for each code, what failed, why, and the fix, built from the
// data the caller passes (file names, names, numbers), never from a password or key bytes. A maintainer
// changes the wording of a code in the one file that defines it (source.ts, material.ts, validate.ts,
// output.ts, config.ts; verifier.ts holds the sentences every code of OpenSSL's verdict shares). The
// docs' findings table holds each code's summary (test/unit/docs.test.ts), and no text of a finding is
// written anywhere else in sidecar/ (test/unit/source-rules.test.ts).
//
//   throw raise(messages.PASSWORD_WRONG.key(), file);
//   fail(messages.FILE_CORRUPT.empty({ file }), file);
//   findings.push(finding(messages.CHAIN_REORDERED.reordered(), 'info', file));
//
// Plain functions and strings: importing it does no work.
import type { FindingCode, Message } from '../findings.js';
import * as config from './config.js';
import * as material from './material.js';
import * as output from './output.js';
import * as source from './source.js';
import * as validate from './validate.js';

export { CAUSES, type Cause, RESULTS, type VerifierCode } from './verifier.js';

export const messages = {
  ...source,
  ...material,
  ...validate,
  ...output,
  ...config,
} satisfies Record<FindingCode, unknown>;

/** A parser's finding told about the file it came from: `<verb> <file>: <what the parser said>`. */
export function located<M extends Message>(m: M, verb: string, file: string): M {
  return { ...m, message: `${verb} ${file}: ${m.message}` };
}

/** Every code of the catalogue with its one-line summary, as the docs' findings table must hold it. */
export function summaries(): Record<string, string> {
  return Object.fromEntries(
    Object.values(messages).flatMap((e) =>
      typeof e === 'object' && 'summary' in e && 'code' in e ? [[e.code, e.summary]] : [],
    ),
  );
}
