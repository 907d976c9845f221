// The one place that decides the passwords. The input password: KCS_PASSWORD, KCS_PASSWORD_FILE (a
// Docker or Kubernetes secret) or a user-secrets secrets.json, as Visual Studio writes it. The output
// password (of the published cert.pfx): pinned by `watch` for the life of the app, else
// KCS_OUTPUT_PASSWORD(_FILE), else the input password when it opened something, else the one generated
// before (kept in the live set's cert.password), else a new one. Password files are input, read by the
// source's rules (readSecretFile), and every password fits on one line of kestrel.env (oneLine).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fail } from './findings.js';
import { messages } from './messages/index.js';
import { inFile, ioError, readInput } from './load/files.js';

export interface PasswordSources {
  password?: string;
  passwordFile?: string;
  userSecrets?: string;
}

/** Secret files usually end with one newline (`echo pw > file`, `kubectl create secret --from-file`).
 *  Strip exactly one. */
export function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * Reads a password file (or secrets.json) by the source's rule (load/files.ts: a regular file, bounded
 * in size), and no link out of the file's own directory: a Kubernetes secret mounts each key as a
 * link through `..data` inside its directory, and anything further is someone else's file. A link
 * to /etc/shadow or the CA key in a source directory that another container can write would
 * otherwise become the password, and the output password is published to the app (kestrel.env).
 */
export function readSecretFile(file: string, variable: string): string {
  const dir = path.dirname(file);
  let real: string;
  let realDir: string;
  try {
    real = fs.realpathSync(file);
    realDir = fs.realpathSync(dir);
  } catch (err) {
    throw ioError(err as NodeJS.ErrnoException, file);
  }
  const rel = path.relative(realDir, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel))
    fail(messages.SOURCE_UNREADABLE.secretLinkOutside({ variable, file, real, dir }), file);
  // An empty secret file is the empty password (a compose secret for a PFX exported without one).
  return readInput(file, dir, { allowEmpty: true }).toString('utf8');
}

/**
 * A password goes on one line of kestrel.env (Docker's env-file format has no quoting) and into a
 * process's environment, where a NUL cannot be: a line break or NUL left inside it is refused,
 * never shown.
 */
function oneLine(password: string, where: string, file?: string): string {
  if (/[\0\r\n]/.test(password))
    fail(messages.CONFIG_INVALID.passwordLine({ where, nul: password.includes('\0') }), file);
  return password;
}

const SECRET_KEYS = ['Kestrel:Certificates:Development:Password', 'Kestrel:Certificates:Default:Password'];

/** Reads the password out of a secrets.json, flat ("a:b:c") or nested ({"a":{"b":...}}), any key case. */
export function passwordFromSecretsJson(text: string, file: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // The parser's own message quotes the text around the error, which may be the password: it is
    // neither shown nor kept as the cause (which --verbose prints).
    fail(messages.CONFIG_INVALID.secretsJson({ file }), file);
  }
  const flat = new Map<string, unknown>();
  const walk = (node: unknown, prefix: string) => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}:${k}` : k);
    } else flat.set(prefix.toLowerCase(), node);
  };
  walk(json, '');
  for (const key of SECRET_KEYS) {
    const value = flat.get(key.toLowerCase());
    if (typeof value === 'string') return value;
  }
  return undefined;
}

export function resolvePassword(src: PasswordSources): string | undefined {
  if (src.passwordFile !== undefined) {
    let text: string;
    try {
      text = stripOneNewline(readSecretFile(src.passwordFile, 'KCS_PASSWORD_FILE'));
    } catch (err) {
      throw inFile(err, src.passwordFile, 'cannot read the password file');
    }
    return oneLine(text, `KCS_PASSWORD_FILE ${src.passwordFile}`, src.passwordFile);
  }
  if (src.password !== undefined) return oneLine(src.password, 'KCS_PASSWORD');
  if (src.userSecrets !== undefined) {
    const text = readSecretFile(src.userSecrets, 'KCS_USER_SECRETS');
    const pw = passwordFromSecretsJson(text, src.userSecrets);
    if (pw === undefined) {
      fail(messages.CONFIG_INVALID.noSecret({ file: src.userSecrets, keys: SECRET_KEYS }), src.userSecrets);
    }
    return oneLine(pw, `KCS_USER_SECRETS ${src.userSecrets}`, src.userSecrets);
  }
  return undefined;
}

export interface OutputPassword {
  password: string;
  origin: 'configured' | 'input' | 'generated';
}

export interface OutputPasswordSources {
  outputPassword?: string;
  outputPasswordFile?: string;
}

/** The output password; `kept` reads the generated one of the live set, and is called only when needed. */
export function outputPassword(
  src: OutputPasswordSources,
  inputPassword: string | undefined,
  pinned: OutputPassword | undefined,
  kept: () => string | undefined,
): OutputPassword {
  if (pinned !== undefined) return pinned;
  const file = src.outputPasswordFile;
  if (file !== undefined) {
    const text = stripOneNewline(readSecretFile(file, 'KCS_OUTPUT_PASSWORD_FILE'));
    return { password: oneLine(text, `KCS_OUTPUT_PASSWORD_FILE ${file}`, file), origin: 'configured' };
  }
  if (src.outputPassword !== undefined)
    return { password: oneLine(src.outputPassword, 'KCS_OUTPUT_PASSWORD'), origin: 'configured' };
  // The input password only when it opened something (load/: a PFX's MAC or encryption, an encrypted
  // key): a password given for an unencrypted PEM key is nobody's password for cert.pfx.
  if (inputPassword) return { password: inputPassword, origin: 'input' };
  // Generated once, then read back from the live set, so it stays the same across republishes.
  return { password: kept() ?? crypto.randomBytes(24).toString('base64url'), origin: 'generated' };
}
