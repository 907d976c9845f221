// Every finding code the sidecar can report with its exit code, the one error type that carries them, and
// how a finding is raised. The words of each finding are built in the catalogue (messages/index.ts) from
// the data its caller passes; docs/reference.md lists the codes and the tests assert the exact words.

export const ExitCode = {
  ok: 0,
  internal: 1,
  config: 2,
  inputMissing: 3,
  inputInvalid: 4,
  output: 5,
  probe: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type Severity = 'error' | 'warning' | 'info';

/** code -> the exit code a run ends with when this finding is an error. */
const CODES = {
  SOURCE_NOT_FOUND: ExitCode.inputMissing,
  SOURCE_EMPTY: ExitCode.inputMissing,
  SOURCE_UNREADABLE: ExitCode.inputMissing,
  SOURCE_AMBIGUOUS: ExitCode.inputInvalid,
  SOURCE_FILE_SKIPPED: ExitCode.inputInvalid,
  FILE_TOO_LARGE: ExitCode.inputInvalid,
  FILE_CORRUPT: ExitCode.inputInvalid,
  PASSWORD_REQUIRED: ExitCode.inputInvalid,
  PASSWORD_WRONG: ExitCode.inputInvalid,
  UNSUPPORTED_ALGORITHM: ExitCode.inputInvalid,
  UNSUPPORTED_FORMAT: ExitCode.inputInvalid,
  NOT_DEV_CERT: ExitCode.inputInvalid,
  WEAK_SIGNATURE: ExitCode.inputInvalid,
  UNSUPPORTED_EXTENSION: ExitCode.inputInvalid,
  ITERATIONS_TOO_HIGH: ExitCode.inputInvalid,
  PFX_REENCODED: ExitCode.inputInvalid,
  LEGACY_ENCRYPTION: ExitCode.inputInvalid,
  KEY_REENCODED: ExitCode.inputInvalid,
  LEAF_NOT_FIRST: ExitCode.inputInvalid,
  KEY_MISSING: ExitCode.inputInvalid,
  KEY_MISMATCH: ExitCode.inputInvalid,
  CERT_EXPIRED: ExitCode.inputInvalid,
  CERT_NOT_YET_VALID: ExitCode.inputInvalid,
  CERT_EXPIRES_SOON: ExitCode.inputInvalid,
  HOSTNAME_NOT_COVERED: ExitCode.inputInvalid,
  NOT_SERVER_AUTH: ExitCode.inputInvalid,
  KEY_TOO_WEAK: ExitCode.inputInvalid,
  CHAIN_BROKEN: ExitCode.inputInvalid,
  CHAIN_REORDERED: ExitCode.inputInvalid,
  CERT_DROPPED: ExitCode.inputInvalid,
  ISSUER_NOT_ALLOWED: ExitCode.inputInvalid,
  CA_EPHEMERAL: ExitCode.inputInvalid,
  KESTREL_PFX_CHAIN: ExitCode.inputInvalid,
  CA_KEY_IN_SOURCE: ExitCode.inputInvalid,
  STATE_INVALID: ExitCode.config,
  OUTPUT_NOT_WRITABLE: ExitCode.output,
  OUTPUT_LOCKED: ExitCode.output,
  OUTPUT_REPAIRED: ExitCode.output,
  OUTPUT_PARENT_WRITABLE: ExitCode.output,
  TRUST_STORE_FAILED: ExitCode.output,
  CONFIG_INVALID: ExitCode.config,
  PROBE_UNREACHABLE: ExitCode.probe,
  PROBE_MISMATCH: ExitCode.probe,
} as const satisfies Record<string, ExitCode>;

export type FindingCode = keyof typeof CODES;
export const FINDING_CODES = Object.keys(CODES) as FindingCode[];

/** The words of one finding: the code is printed in front of `message`, `hint` after `fix: `. */
export interface Words {
  /** `<what failed>: <why>`. */
  message: string;
  /** What to do about it, printed after `fix: `. */
  hint: string;
}

/** A finding's words with its code, as the catalogue (messages/index.ts) builds them: what `raise`, `fail`
 *  and `finding` take. */
export interface Message<C extends FindingCode = FindingCode> extends Words {
  code: C;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** `<what failed>: <why>`; the code is printed in front of it. */
  message: string;
  /** What to do about it, printed after `fix: `. */
  hint: string;
  file?: string;
}

export function exitCodeFor(code: FindingCode): ExitCode {
  return CODES[code];
}

/**
 * The one error type. It carries a finding; `cause` keeps the original error for `--verbose`.
 * Thrown by every stage, caught and printed once, in main.
 */
export class KcsError extends Error {
  readonly finding: Finding;
  /** Every finding behind this error, when there are more than the one it is (a source that failed validation). */
  readonly findings?: readonly Finding[];
  constructor(
    finding: Omit<Finding, 'severity'> & { severity?: Severity },
    options?: { cause?: unknown; findings?: readonly Finding[] },
  ) {
    super(`${finding.code} ${finding.message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KcsError';
    this.finding = { severity: 'error', ...finding };
    if (options?.findings) this.findings = options.findings;
  }
  get code(): FindingCode {
    return this.finding.code;
  }
  get exitCode(): ExitCode {
    return exitCodeFor(this.finding.code);
  }
}

/** The error a message of the catalogue raises: `throw raise(messages.PASSWORD_WRONG.key(), file)`. */
export function raise(m: Message, file?: string, cause?: unknown): KcsError {
  const { code, message, hint } = m;
  return new KcsError({ code, message, hint, ...(file ? { file } : {}) }, cause === undefined ? undefined : { cause });
}

/** Throws the error of a message of the catalogue: `fail(messages.FILE_CORRUPT.empty({ file }), file)`. */
export function fail(m: Message, file?: string, cause?: unknown): never {
  throw raise(m, file, cause);
}

/** A finding that a check reports beside others: `finding(messages.CHAIN_REORDERED.reordered(), 'info', file)`. */
export function finding(m: Message, severity: Severity, file?: string): Finding {
  const { code, message, hint } = m;
  return { code, severity, message, hint, ...(file ? { file } : {}) };
}

/** Bad input: never retried by `watch`. Anything else (I/O trouble, a busy volume) is worth a retry. */
export function isInvalidInput(err: unknown): boolean {
  return err instanceof KcsError && err.exitCode === ExitCode.inputInvalid;
}

/** Control characters (a file named with a newline, say) are shown escaped, so every finding stays
 *  two lines and nothing in a name can move the cursor or forge a line of output. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
  return text.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** The two-line text form: `CODE what: why` then `fix: ...`. */
export function formatFinding(f: Finding): string {
  const head = f.severity === 'error' ? '' : `${f.severity}: `;
  return `${head}${f.code} ${printable(f.message)}\nfix: ${printable(f.hint)}`;
}

/** The exit code of a list of findings: the first error decides, no error means success. */
export function exitCodeOf(findings: readonly Finding[]): ExitCode {
  const first = findings.find((f) => f.severity === 'error');
  return first ? exitCodeFor(first.code) : ExitCode.ok;
}
