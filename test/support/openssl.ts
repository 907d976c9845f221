// The openssl recipes the tests share, as a user of `openssl` 3 writes them: real files, made at test time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Writes the OpenSSL extension section `[v3]` of `lines` to dir/name.ext and returns the file. */
export function extfile(dir: string, name: string, lines: readonly string[]): string {
  const f = path.join(dir, `${name}.ext`);
  fs.writeFileSync(f, `[v3]\n${lines.join('\n')}\n`);
  return f;
}

/** A self-signed server certificate for localhost (openssl req -x509) with the key options given, into
 *  dir/tls.crt and dir/tls.key; returns dir. */
export function selfSigned(dir: string, keyArgs: readonly string[], subject = '/CN=localhost'): string {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-nodes',
      ...keyArgs,
      '-subj',
      subject,
      '-days',
      '30',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-keyout',
      path.join(dir, 'tls.key'),
      '-out',
      path.join(dir, 'tls.crt'),
    ],
    { stdio: 'pipe' },
  );
  return dir;
}

/** The arguments of `openssl x509 -req` that sign `csr` with a CA's certificate and key, with the
 *  extensions of section v3 of `ext`, into `out`; `extra` goes before -extfile (a digest, -days). */
export function signArgs(csr: string, ca: { crt: string; key: string }, ext: string, out: string, extra: string[]) {
  return [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.crt,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    ...extra,
    '-extfile',
    ext,
    '-extensions',
    'v3',
    '-out',
    out,
  ];
}
