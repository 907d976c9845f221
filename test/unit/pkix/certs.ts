// Real certificates for the pkix unit tests: made by OpenSSL 3 in a temporary directory, or, for shapes
// OpenSSL does not write (an empty subject, a v2 certificate, a critical flag written out as FALSE),
// built field by field with our DER builders and signed by node:crypto. Nothing is mocked.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Asn1, build, toDer } from '../../../sidecar/pkix/asn1.js';
import { failure } from '../../support/helpers.js';

export const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
export const RSA_SHA256 = '1.2.840.113549.1.1.11';

/** A scratch directory for one test file, with `openssl` run inside it. */
export function opensslDir(prefix: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `kcs-${prefix}-`));
  let n = 0;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    dir,
    openssl,
    remove: () => rmSync(dir, { recursive: true }),
    /** A self-signed P-256 certificate from `openssl req -x509` with the given -addext lines. */
    cert(subject: string, addext: string[] = []): { cert: crypto.X509Certificate; file: string } {
      const file = `c${++n}.crt`;
      const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `k${n}.pem`];
      const exts = addext.flatMap((e) => ['-addext', e]);
      openssl('req', '-x509', ...keyArgs, '-out', file, '-subj', subject, '-days', '2', ...exts);
      return { cert: new crypto.X509Certificate(readFileSync(path.join(dir, file))), file };
    },
  };
}

/** An extension as RFC 5280 4.1 writes it; `critical` undefined leaves the flag out (its DEFAULT). */
export const extension = (oid: string, critical: boolean | undefined, value: Asn1) =>
  build.seq(build.oid(oid), ...(critical === undefined ? [] : [build.bool(critical)]), build.octets(toDer(value)));

/** A subject of CN only, or the empty Name. */
export const cnName = (cn?: string) =>
  cn === undefined ? build.seq() : build.seq(build.set(build.seq(build.oid('2.5.4.3'), build.utf8(cn))));

/** A self-signed P-256 certificate built field by field: `version` is the INTEGER in [0] (absent: v1),
 *  `tail` the fields after the public key (unique IDs, [3] extensions); it signs itself, whatever the issuer. */
export function handBuilt(
  version: number | undefined,
  tail: Asn1[],
  name: Asn1 = cnName('hand built'),
  issuer: Asn1 = name,
) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const alg = build.seq(build.oid(ECDSA_SHA256));
  const tbs = build.seq(
    ...(version === undefined ? [] : [build.explicit(0, build.int(version))]),
    build.int(0x1234),
    alg,
    issuer,
    build.seq(build.time(new Date('2026-01-01T00:00:00Z')), build.time(new Date('2036-01-01T00:00:00Z'))),
    name,
    build.raw(publicKey.export({ format: 'der', type: 'spki' })),
    ...tail,
  );
  const signature = crypto.sign('sha256', toDer(tbs), privateKey);
  return new crypto.X509Certificate(toDer(build.seq(tbs, alg, build.bits(signature))));
}

/** `CODE message` of the finding `fn` is refused with. */
export const refusal = (fn: () => unknown): string => {
  const e = failure(fn);
  return `${e.code} ${e.finding.message}`;
};

/** The message of the FILE_CORRUPT finding `fn` is refused with (another code is rethrown). */
export const corruptRefusal = (fn: () => unknown): string => {
  const e = failure(fn);
  if (e.code !== 'FILE_CORRUPT') throw e;
  return e.finding.message;
};
