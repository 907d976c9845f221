// Writes the published cert.pfx. Bytes in, bytes out; no I/O.
// `modern` matches cert-manager's Modern2023 profile: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC
// for both the key and the certificates, an HMAC-SHA256 MAC, 2048 iterations each, 16-byte salts.
// OpenSSL 3 opens it without -legacy, and 2048 iterations are far inside .NET's Pkcs12LoaderLimits.
// `legacy-3des` (PBE-SHA1-3DES, HMAC-SHA1 MAC) is for Windows Server 2016 and older, which cannot read PBES2.
import crypto from 'node:crypto';
import { build, toDer, type Asn1 } from '../pkix/asn1.js';
import { PFX_ITERATIONS } from '../limits.js';
import { pkcs8Der } from './pem.js';
import { ATTR, BAG, CONTENT_TYPE, OID } from '../pkix/oids.js';
import { buildMac, pbeEncryptor, type PbeProfile } from '../pkix/pbe-write.js';

export { PFX_PROFILES, type PfxProfile } from '../settings/options.js';
import type { PfxProfile } from '../settings/options.js';

const PROFILE: Record<PfxProfile, { enc: PbeProfile; mac: typeof OID.sha1 | typeof OID.sha256; macSalt: number }> = {
  modern: {
    enc: { kind: 'pbes2-aes256-sha256', iterations: PFX_ITERATIONS, saltBytes: 16 },
    mac: OID.sha256,
    macSalt: 16,
  },
  'legacy-3des': { enc: { kind: 'pkcs12-3des', iterations: PFX_ITERATIONS, saltBytes: 8 }, mac: OID.sha1, macSalt: 8 },
};

const DATA = CONTENT_TYPE.data;
const ENCRYPTED_DATA = CONTENT_TYPE.encryptedData;
const CERT_BAG = BAG.cert;
const SHROUDED_KEY_BAG = BAG.shroudedKey;
const X509_CERT = ATTR.x509Certificate;
const LOCAL_KEY_ID = ATTR.localKeyId;
const FRIENDLY_NAME = ATTR.friendlyName;

export interface PfxInput {
  /** DER certificates, leaf first. */
  chain: readonly Uint8Array[];
  key: crypto.KeyObject;
  password: string;
  profile: PfxProfile;
  friendlyName?: string;
}

function dataContentInfo(der: Buffer): Asn1 {
  return build.seq(build.oid(DATA), build.explicit(0, build.octets(der)));
}

export function encodePfx(input: PfxInput): Buffer {
  const p = PROFILE[input.profile];
  // localKeyId ties the key to its certificate, as OpenSSL writes it: the SHA-1 of the certificate.
  const leafId = crypto.hash('sha1', input.chain[0]!, 'buffer') as unknown as Buffer;
  const attrs = build.set(
    build.seq(build.oid(LOCAL_KEY_ID), build.set(build.octets(leafId))),
    ...(input.friendlyName ? [build.seq(build.oid(FRIENDLY_NAME), build.set(build.bmp(input.friendlyName)))] : []),
  );

  const certBags = input.chain.map((der, i) => {
    const bag = [
      build.oid(CERT_BAG),
      build.explicit(0, build.seq(build.oid(X509_CERT), build.explicit(0, build.octets(der)))),
    ];
    return build.seq(...bag, ...(i === 0 ? [attrs] : []));
  });
  const encrypt = pbeEncryptor(p.enc, input.password);
  const certs = encrypt(toDer(build.seq(...certBags)));
  const certsInfo = build.seq(
    build.oid(ENCRYPTED_DATA),
    build.explicit(0, build.seq(build.int(0), build.seq(build.oid(DATA), certs.alg, build.implicit(0, certs.data)))),
  );

  const pkcs8 = pkcs8Der(input.key);
  const shrouded = encrypt(pkcs8);
  const keyBag = build.seq(
    build.oid(SHROUDED_KEY_BAG),
    build.explicit(0, build.seq(shrouded.alg, build.octets(shrouded.data))),
    attrs,
  );
  const keyInfo = dataContentInfo(toDer(build.seq(keyBag)));

  const authSafe = toDer(build.seq(certsInfo, keyInfo));
  const mac = buildMac(p.mac, authSafe, input.password, PFX_ITERATIONS, p.macSalt);
  return toDer(build.seq(build.int(3), dataContentInfo(authSafe), mac));
}
