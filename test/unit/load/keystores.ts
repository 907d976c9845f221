// Keystores and certificates made by the real tools at test time for load/'s tests (pick, pfx-source,
// keystore): Java's keytool (JKS, JCEKS, PKCS#12 keystores of several entries, with the iteration counts
// its security properties set) and openssl (PFX files with a chosen iteration count, certificates with
// unusual subjects). Every ordinary password is test/fixtures' PASS.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, PASS } from '../../support/helpers.js';
import { ENABLE, missing, needs } from '../../support/skips.js';

/**
 * Runs the bash script in a temp dir and returns the dir. The dir is kept per script and day: Stryker runs
 * a test once per mutant, and a JVM start or an RSA key would otherwise be most of its time. Made in a fresh
 * dir and renamed into place, so two test processes never see half of it (test/unit/validate/chains.ts).
 */
export function made(script: string): string {
  const day = new Date().toISOString().slice(0, 10);
  const hash = crypto.createHash('sha256').update(`${day}\n${script}`).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'kcs-mutants-load', hash);
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(`${dir}-`);
  execFileSync('bash', ['-euc', script], { cwd: work, stdio: 'pipe' });
  try {
    fs.renameSync(work, dir);
  } catch {
    fs.rmSync(work, { recursive: true, force: true }); // another process made it first
  }
  return dir;
}

/** keytool's PKCS#12 iteration counts: one count for the MAC, the certificates and every key. */
const iterations = (n: number) =>
  ['key', 'cert', 'mac'].map((k) => `-J-Dkeystore.pkcs12.${k}${k === 'mac' ? '' : 'Pbe'}IterationCount=${n}`).join(' ');

/** Java's keytool is here: the tests that make keystores with it run only then, and say so when they skip. */
export const withKeytool = needs('unit tests with keytool keystores', missing('keytool', ['-help']), ENABLE.keytool);

/** A keytool keystore of `type` with one EC key entry per alias (subject CN=<alias>), in that order. */
export function keytoolStore(type: 'PKCS12' | 'JKS' | 'JCEKS', aliases: string[], iterationCount = 10_000): string {
  const file = `keystore.${type.toLowerCase()}`;
  const dir = made(
    aliases
      .map(
        (a) =>
          `keytool -genkeypair -alias ${a} -keyalg EC -groupname secp256r1 -dname CN=${a} -validity 30 ` +
          `-storetype ${type} -keystore ${file} -storepass ${PASS} -keypass ${PASS} ${iterations(iterationCount)}`,
      )
      .join('\n'),
  );
  return path.join(dir, file);
}

/** An OpenSSL 3 PFX (its modern default: PBES2, AES-256-CBC, HMAC-SHA256) of rsa2048 with `iter` iterations
 *  for the MAC, the certificates and the key, and `extra` options of `openssl pkcs12 -export`. */
export function opensslPfx(iter: number, extra = ''): string {
  const dir = made(
    `openssl pkcs12 -export -in ${FIXTURES}/rsa2048.crt -inkey ${FIXTURES}/rsa2048.key -iter ${iter} ${extra} ` +
      `-passout pass:${PASS} -out made.pfx`,
  );
  return path.join(dir, 'made.pfx');
}

/** A self-signed P-256 certificate with the subject `subj` (openssl's `/O=Org/CN=name` form) and a SAN, with
 *  its key: `/` makes one with an empty subject, as certificates that name themselves only in a SAN are. */
export function selfSigned(subj: string): { cert: crypto.X509Certificate; key: crypto.KeyObject } {
  const dir = made(
    'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem\n' +
      `openssl req -x509 -new -key k.pem -subj '${subj}' -addext subjectAltName=DNS:example.test -days 30 -out c.pem`,
  );
  return {
    cert: new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'c.pem'))),
    key: crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'k.pem'))),
  };
}
