// A PFX source: its certificates and keys, the facts the report shows, and the findings about its
// encryption. The PKCS#12 codec itself is pkcs12.ts.
import crypto from 'node:crypto';
import { fail, finding, type Finding } from '../findings.js';
import { DOTNET_MAX_ITERATIONS_PER_KDF, DOTNET_MAX_ITERATIONS_TOTAL, PFX_ITERATIONS } from '../limits.js';
import { messages } from '../messages/index.js';
import type { Material } from '../material.js';
import { inFile, readInput } from './files.js';
import { refuseKeystore } from './keystore.js';
import type { Located } from './pick.js';
import { parsePkcs12 } from './pkcs12.js';
import { parseCert } from './pem-source.js';

type Info = ReturnType<typeof parsePkcs12>['info'];

export interface PfxContents {
  certs: Located<crypto.X509Certificate>[];
  keys: Located<crypto.KeyObject>[];
  details: Material['source']['details'];
  findings: Finding[];
  modernPfx?: Material['modernPfx'];
  /** The password opened the MAC or the encryption (not a PFX without a password). */
  passwordUsed: boolean;
}

/** .NET 9+ loads it: no KDF over its per-KDF limit, and not over its total. */
const withinDotnetLimits = (info: Info) =>
  info.maxIterations <= DOTNET_MAX_ITERATIONS_PER_KDF && info.decryptIterations <= DOTNET_MAX_ITERATIONS_TOTAL;

function pfxFindings(info: Info, file: string): Finding[] {
  const out: Finding[] = [];
  if (info.legacy) {
    // The ciphers of OpenSSL 3's legacy provider: RC2, RC4 and single DES, not 3DES-CBC, which its default
    // provider has (`openssl pkcs12` opens a PBES2 DES-EDE3-CBC key without -legacy).
    const legacy = info.encryption.filter((e) => /RC2|RC4|(?<!3)DES-CBC$/.test(e));
    out.push(
      finding(
        messages.LEGACY_ENCRYPTION.legacy({ file, ciphers: legacy.length ? legacy : info.encryption }),
        'info',
        file,
      ),
    );
  }
  if (info.maxIterations > DOTNET_MAX_ITERATIONS_PER_KDF) {
    out.push(finding(messages.PFX_REENCODED.iterations({ file, iterations: info.maxIterations }), 'warning', file));
  } else if (info.decryptIterations > DOTNET_MAX_ITERATIONS_TOTAL) {
    out.push(finding(messages.PFX_REENCODED.total({ file, total: info.decryptIterations }), 'warning', file));
  }
  return out;
}

function pfxKey(der: Buffer, file: string): crypto.KeyObject {
  try {
    return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (err) {
    fail(messages.UNSUPPORTED_ALGORITHM.pfxKeyType({ file }), file, err);
  }
}

export function readPfx(file: string, roots: readonly string[] | undefined, password: string | undefined): PfxContents {
  const bytes = readInput(file, roots);
  refuseKeystore(bytes, file);
  let contents: ReturnType<typeof parsePkcs12>;
  try {
    contents = parsePkcs12(bytes, password);
  } catch (err) {
    throw inFile(err, file, 'cannot open');
  }
  const { info } = contents;
  const out: PfxContents = {
    certs: contents.certs.map((der, i) => ({
      value: parseCert(der, file),
      file,
      ...(contents.names[i] !== undefined ? { name: contents.names[i] } : {}),
    })),
    keys: contents.keys.map((der) => ({ value: pfxKey(der, file), file })),
    details: {
      encryption: info.encryption.join(', ') || 'none',
      mac: info.mac ? `${info.mac.label}, ${info.mac.iterations} iterations` : 'none',
      maxIterations: info.maxIterations,
    },
    findings: pfxFindings(info, file),
    passwordUsed: info.opened === 'password',
  };
  if (info.modernShape && info.minIterations >= PFX_ITERATIONS && withinDotnetLimits(info) && info.opened !== 'none')
    out.modernPfx = { bytes, password: info.opened === 'password' ? password! : '', certs: contents.certs };
  return out;
}
