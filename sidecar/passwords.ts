// The one place that decides the passwords. The input password: KCS_PASSWORD, KCS_PASSWORD_FILE (a
// Docker or Kubernetes secret) or a user-secrets secrets.json, as Visual Studio writes it. The output
// password (of the published cert.pfx): pinned by `watch` for the life of the app, else
// KCS_OUTPUT_PASSWORD(_FILE), else the input password, else the one generated before (kept in the live
// set's cert.password), else a new one.
import crypto from 'node:crypto';
import { KcsError, fail } from './findings.js';
import { inFile, readInput } from './load/files.js';

export interface PasswordSources {
  password?: string;
  passwordFile?: string;
  userSecrets?: string;
}

/** Secret files usually end with one newline (`echo pw > file`, `kubectl create secret --from-file`). Strip exactly one. */
export function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
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
    fail(
      'CONFIG_INVALID',
      `cannot read ${file}: it is not valid JSON`,
      'KCS_USER_SECRETS must point at a secrets.json as `dotnet user-secrets` writes it (check it with `dotnet user-secrets list`)',
      file,
    );
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
    try {
      // An empty secret file is the empty password (a compose secret for a PFX exported without one).
      return stripOneNewline(readInput(src.passwordFile, undefined, { allowEmpty: true }).toString('utf8'));
    } catch (err) {
      throw inFile(err, src.passwordFile, 'cannot read the password file');
    }
  }
  if (src.password !== undefined) return src.password;
  if (src.userSecrets !== undefined) {
    const text = readInput(src.userSecrets).toString('utf8');
    const pw = passwordFromSecretsJson(text, src.userSecrets);
    if (pw === undefined) {
      throw new KcsError({
        code: 'CONFIG_INVALID',
        message: `cannot read a password from ${src.userSecrets}: it has neither ${SECRET_KEYS.join(' nor ')}`,
        hint: 'run `dotnet user-secrets set "Kestrel:Certificates:Development:Password" <password>` in the app project, or set KCS_PASSWORD_FILE',
        file: src.userSecrets,
      });
    }
    return pw;
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
  if (src.outputPasswordFile !== undefined)
    return {
      password: stripOneNewline(readInput(src.outputPasswordFile, undefined, { allowEmpty: true }).toString('utf8')),
      origin: 'configured',
    };
  if (src.outputPassword !== undefined) return { password: src.outputPassword, origin: 'configured' };
  if (inputPassword) return { password: inputPassword, origin: 'input' };
  // Generated once, then read back from the live set, so it stays the same across republishes.
  return { password: kept() ?? crypto.randomBytes(24).toString('base64url'), origin: 'generated' };
}
