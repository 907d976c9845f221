// The passwords as sidecar/passwords.ts decides them, on real files: the BOM Visual Studio writes at
// the start of secrets.json, and the line break an output password cannot carry into kestrel.env.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KcsError } from '../../sidecar/findings.js';
import { loadSource } from '../../sidecar/load/index.js';
import { outputPassword, passwordFromSecretsJson, readSecretFile, resolvePassword } from '../../sidecar/passwords.js';
import { PASS, UNICODE_PASS, failure, fixture, readFixture } from '../support/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-passwords-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
const never = () => {
  throw new Error('the kept password was read although a configured one exists');
};

describe('a secrets.json that starts with a byte-order mark (as Visual Studio saves it)', () => {
  const json = '{\n  "Kestrel:Certificates:Development:Password": "s3cret-Pa55"\n}';
  it('gives its password through KCS_USER_SECRETS', () => {
    const file = write('secrets-bom.json', `\uFEFF${json}`);
    expect(resolvePassword({ userSecrets: file })).toBe('s3cret-Pa55');
  });
  it('reads the same password as without the mark', () => {
    expect(passwordFromSecretsJson(`\uFEFF${json}`, 'secrets.json')).toBe('s3cret-Pa55');
    expect(passwordFromSecretsJson(json, 'secrets.json')).toBe('s3cret-Pa55');
  });
  it('reads a nested secrets.json with any key case, Development before Default', () => {
    const nested = '\uFEFF{"kestrel":{"certificates":{"default":{"password":"d"},"DEVELOPMENT":{"Password":"v"}}}}';
    expect(passwordFromSecretsJson(nested, 'secrets.json')).toBe('v');
    expect(passwordFromSecretsJson('{"Kestrel:Certificates:Default:Password":"d"}', 'secrets.json')).toBe('d');
  });
  it('refuses a BOM anywhere but the start, naming the file and not the text', () => {
    const file = write('secrets-bad.json', `{"Kestrel:Certificates:Development:Password": "s3cret-Pa55"}\uFEFF`);
    const err = failure(() => resolvePassword({ userSecrets: file }));
    expect(err.message).toBe(`CONFIG_INVALID cannot read ${file}: it is not valid JSON`);
    expect(err.message).not.toContain('s3cret');
    expect(err.cause).toBeUndefined();
  });
  it('refuses a secrets.json without either password key, naming both', () => {
    const file = write('secrets-none.json', '\uFEFF{"Other": "x"}');
    expect(failure(() => resolvePassword({ userSecrets: file })).message).toBe(
      `CONFIG_INVALID cannot read a password from ${file}: it has neither ` +
        'Kestrel:Certificates:Development:Password nor Kestrel:Certificates:Default:Password',
    );
  });
});

describe('an output password (cert.pfx) with a line break or NUL is refused, never shown', () => {
  it.each([
    ['two lines', 'first\nsecond\n', 'line break'],
    ['a CRLF line then an empty one', 'pw-Pa55\r\n\r\n', 'line break'],
    ['a carriage return inside', 'pw\rPa55', 'line break'],
    ['a NUL', 'pw\0Pa55\n', 'NUL'],
  ])('KCS_OUTPUT_PASSWORD_FILE holding %s', (_name, text, what) => {
    const file = write('output-password', text);
    const err = failure(() => outputPassword({ outputPasswordFile: file }, undefined, undefined, never));
    expect(err.message).toBe(
      `CONFIG_INVALID the password in KCS_OUTPUT_PASSWORD_FILE ${file} holds a ${what} ` +
        '(after the one trailing newline that is stripped)',
    );
    expect(err.finding.file).toBe(file);
    expect(err.finding.hint).toBe(
      "write the password on one line, with no NUL: kestrel.env and the app's environment carry it as one line",
    );
    expect(err.message).not.toMatch(/second|Pa55/);
  });
  it.each([
    ['a line break', 'first\nsecond', 'line break'],
    ['a NUL', 'first\0second', 'NUL'],
  ])('KCS_OUTPUT_PASSWORD holding %s', (_name, value, what) => {
    const err = failure(() => outputPassword({ outputPassword: value }, undefined, undefined, never));
    expect(err.message).toBe(
      `CONFIG_INVALID the password in KCS_OUTPUT_PASSWORD holds a ${what} ` +
        '(after the one trailing newline that is stripped)',
    );
  });
  it('takes a file with one trailing newline (echo pw > file) as the password without it', () => {
    const file = write('output-password-ok', 'one-line-Pa55\n');
    expect(outputPassword({ outputPasswordFile: file }, 'input', undefined, never)).toEqual({
      password: 'one-line-Pa55',
      origin: 'configured',
    });
  });
});

describe('passwords come from a variable, a secret file or secrets.json', () => {
  it('strips exactly one trailing newline from a password file', () => {
    expect(resolvePassword({ passwordFile: fixture('password.txt') })).toBe(PASS);
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-pw-')), 'pw');
    fs.writeFileSync(f, 'two-newlines\n\n');
    // The second is part of the password, which kestrel.env cannot carry: refused, not kept.
    expect(() => resolvePassword({ passwordFile: f })).toThrow(/^CONFIG_INVALID the password in .* holds a line break/);
  });
  it('reads an empty password file as the empty password', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-pw-')), 'pw');
    fs.writeFileSync(f, '');
    expect(resolvePassword({ passwordFile: f })).toBe('');
    expect(
      loadSource({ source: fixture('empty-password.pfx'), password: resolvePassword({ passwordFile: f })! }).leaf
        .fingerprint256,
    ).toBe(new crypto.X509Certificate(readFixture('rsa2048.crt')).fingerprint256);
  });
  it('reads a Unicode password file as UTF-8', () => {
    expect(resolvePassword({ passwordFile: fixture('unicode-password.txt') })).toBe(UNICODE_PASS);
  });
  it('reads Kestrel:Certificates:Development:Password from a flat secrets.json', () => {
    expect(resolvePassword({ userSecrets: fixture('secrets.json') })).toBe(PASS);
  });
  it('reads the Default password from a nested secrets.json', () => {
    expect(passwordFromSecretsJson('{"Kestrel":{"Certificates":{"Default":{"Password":"n3sted"}}}}', 'x')).toBe(
      'n3sted',
    );
  });
  it('refuses a secrets.json without a password key', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-us-')), 'secrets.json');
    fs.writeFileSync(f, '{"ConnectionStrings:Db":"x"}');
    expect(failure(() => resolvePassword({ userSecrets: f })).code).toBe('CONFIG_INVALID');
  });
});

describe('a password file is read where it is, never through a link out of its own directory', () => {
  it("refuses a link to another directory's file (SOURCE_UNREADABLE), and reads a Kubernetes secret's ..data", () => {
    const d = fs.mkdtempSync(path.join(dir, 'links-'));
    fs.writeFileSync(path.join(d, 'shadow'), 'not-a-password\n');
    const secrets = path.join(d, 'secrets');
    fs.mkdirSync(path.join(secrets, '..2026_01_01'), { recursive: true });
    fs.symlinkSync('../shadow', path.join(secrets, 'out'));
    let err: unknown;
    try {
      readSecretFile(path.join(secrets, 'out'), 'KCS_PASSWORD_FILE');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KcsError);
    const f = (err as KcsError).finding;
    expect(f.code).toBe('SOURCE_UNREADABLE');
    expect(f.message).toContain(`it is a symlink to ${path.join(fs.realpathSync(d), 'shadow')}, outside its own`);
    expect(JSON.stringify(f)).not.toContain('not-a-password');
    // A Kubernetes secret: the key is a link through ..data, inside the directory.
    fs.writeFileSync(path.join(secrets, '..2026_01_01', 'pw'), 'in-the-secret\n');
    fs.symlinkSync('..2026_01_01', path.join(secrets, '..data'));
    fs.symlinkSync('..data/pw', path.join(secrets, 'pw'));
    expect(readSecretFile(path.join(secrets, 'pw'), 'KCS_PASSWORD_FILE')).toBe('in-the-secret\n');
  });
});
