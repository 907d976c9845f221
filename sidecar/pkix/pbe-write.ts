// The encryption and MAC of the PFX we write (convert/pfx.ts): PBES2 with PBKDF2-HMAC-SHA256 and
// AES-256-CBC (the modern profile) or PKCS#12 PBE-SHA1-3DES (legacy-3des), and the PKCS#12 MAC, all on
// node:crypto. Reading is in pbe.ts.
import crypto from 'node:crypto';
import { build, type Asn1 } from './asn1.js';
import { OID } from './oids.js';
import { DIGESTS, bmpPassword, pkcs12Kdf } from './pbe.js';

// ---- encryption, for the PFX we write ----

export interface PbeProfile {
  kind: 'pbes2-aes256-sha256' | 'pkcs12-3des';
  iterations: number;
  saltBytes: number;
}

/**
 * An encryptor for the parts of one PFX: each call encrypts a part and returns its
 * AlgorithmIdentifier node and ciphertext. With PBES2 the key is derived once per file and every part
 * gets its own random IV (PBES2 parameters carry both; readers derive per part and get the same key),
 * which halves the key derivations of a publish. The PKCS#12 PBE of legacy-3des derives the IV from
 * the salt, so there each part keeps a salt of its own.
 */
export function pbeEncryptor(
  profile: PbeProfile,
  password: string,
): (plaintext: Buffer) => { alg: Asn1; data: Buffer } {
  if (profile.kind === 'pkcs12-3des') {
    const pw = bmpPassword(password);
    return (plaintext) => {
      const salt = crypto.randomBytes(profile.saltBytes);
      const key = pkcs12Kdf(OID.sha1, pw, salt, 1, profile.iterations, 24);
      const iv = pkcs12Kdf(OID.sha1, pw, salt, 2, profile.iterations, 8);
      const c = crypto.createCipheriv('des-ede3-cbc', key, iv);
      return {
        alg: build.seq(build.oid(OID.pbeSha1TripleDes3), build.seq(build.octets(salt), build.int(profile.iterations))),
        data: Buffer.concat([c.update(plaintext), c.final()]),
      };
    };
  }
  const salt = crypto.randomBytes(profile.saltBytes);
  const key = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, profile.iterations, 32, 'sha256');
  return (plaintext) => {
    const iv = crypto.randomBytes(16);
    const c = crypto.createCipheriv('aes-256-cbc', key, iv);
    const alg = build.seq(
      build.oid(OID.pbes2),
      build.seq(
        build.seq(
          build.oid(OID.pbkdf2),
          build.seq(
            build.octets(salt),
            build.int(profile.iterations),
            build.seq(build.oid(OID.hmacSha256), build.null()),
          ),
        ),
        build.seq(build.oid(OID.aes256cbc), build.octets(iv)),
      ),
    );
    return { alg, data: Buffer.concat([c.update(plaintext), c.final()]) };
  };
}

/** MacData over `content`, with the PKCS#12 KDF as OpenSSL, .NET and Windows expect it. */
export function buildMac(
  digestOid: typeof OID.sha1 | typeof OID.sha256,
  content: Buffer,
  password: string,
  iterations: number,
  saltBytes: number,
): Asn1 {
  const digest = DIGESTS[digestOid]!;
  const salt = crypto.randomBytes(saltBytes);
  const key = pkcs12Kdf(digestOid, bmpPassword(password), salt, 3, iterations, digest.u);
  const mac = crypto.createHmac(digest.name, key).update(content).digest();
  return build.seq(
    build.seq(build.seq(build.oid(digestOid), build.null()), build.octets(mac)),
    build.octets(salt),
    build.int(iterations),
  );
}
