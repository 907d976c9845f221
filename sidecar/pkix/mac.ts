// The MAC of a PKCS#12 file (RFC 7292 MacData): read without running it, for the limits and the report,
// then verified through the PKCS#12 KDF on native HMAC. Split from pbe.ts, which holds the KDFs and ciphers.
import crypto from 'node:crypto';
import { algorithm, octets, seq, uint, type Asn1 } from './asn1.js';
import { DIGESTS, HMACS, type IterationBudget, bmpPassword, pkcs12Kdf, readPbkdf2, unsupported } from './pbe.js';
import { OID } from './oids.js';

export interface MacInfo {
  label: string;
  iterations: number;
  /** HMAC-SHA256 through the PKCS#12 KDF, as the modern profile writes it (PBMAC1 needs OpenSSL 3.4). */
  modern: boolean;
}

/** Reads MacData without running it: the algorithm and iteration count, for the limits and the report. */
export function readMac(macData: Asn1): {
  info: MacInfo;
  verify: (password: string | null, content: Buffer, budget: IterationBudget) => boolean;
} {
  const [digestInfo, saltNode, iterNode] = seq(macData, 'MAC data', 2);
  const [algNode, digestNode] = seq(digestInfo, 'MAC digest info', 2);
  const alg = algorithm(algNode, 'MAC');
  const expected = octets(digestNode, 'MAC value');
  const salt = octets(saltNode, 'MAC salt');
  const macIterations = iterNode ? uint(iterNode, 'MAC iteration count') : 1;

  if (alg.oid === OID.pbmac1) {
    // RFC 9579: the key comes from PBKDF2 over the UTF-8 password; MacData's salt and count are ignored.
    const [kdfNode, schemeNode] = seq(alg.params, 'PBMAC1 parameters', 2);
    const kdf = readPbkdf2(algorithm(kdfNode, 'PBMAC1 key derivation'), 'PBMAC1');
    const hmac = HMACS[algorithm(schemeNode, 'PBMAC1 scheme').oid];
    if (!hmac || kdf.keyLength === undefined) throw unsupported('the PBMAC1 MAC has an unsupported scheme');
    const digest = DIGESTS[hmac]!;
    return {
      info: { label: `PBMAC1 HMAC-${digest.name.toUpperCase()}`, iterations: kdf.iterations, modern: false },
      verify(password, content, budget) {
        budget.check(kdf.iterations, 'the PBMAC1 MAC');
        const key = crypto.pbkdf2Sync(
          Buffer.from(password ?? '', 'utf8'),
          kdf.salt,
          kdf.iterations,
          kdf.keyLength!,
          kdf.prf,
        );
        const mac = crypto.createHmac(digest.name, key).update(content).digest();
        return mac.length === expected.length && crypto.timingSafeEqual(mac, expected);
      },
    };
  }
  const digest = DIGESTS[alg.oid];
  if (!digest) throw unsupported(`the MAC uses the digest ${alg.oid}`);
  return {
    info: { label: `HMAC-${digest.name.toUpperCase()}`, iterations: macIterations, modern: alg.oid === OID.sha256 },
    verify(password, content, budget) {
      budget.check(macIterations, 'the MAC');
      const key = pkcs12Kdf(alg.oid, bmpPassword(password), salt, 3, macIterations, digest.u);
      const mac = crypto.createHmac(digest.name, key).update(content).digest();
      return mac.length === expected.length && crypto.timingSafeEqual(mac, expected);
    },
  };
}
