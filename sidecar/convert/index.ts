// The convert stage: what the material becomes, in the formats the consumers read. The pipeline calls it,
// only when the content changed (a PFX costs a key derivation), and publish/layout.ts lays the result out.
import type { Material } from '../material.js';
import type { Validated } from '../validate/validate.js';
import { certsToPem, keyToPem } from './pem.js';
import { encodePfx, type PfxProfile } from './pfx.js';

export interface Converted {
  /** The leaf and its intermediates, PEM. */
  tlsCrt: string;
  /** The key, unencrypted PKCS#8 PEM. */
  tlsKey: string;
  /** The trust anchors, PEM. */
  caCrt: string;
  pfx: Buffer;
  /** Whether cert.pfx is the source PFX as it was, or one encoded here. */
  pfxFrom: 'source' | 'encoded';
}

export interface ConvertOptions {
  outputPassword: string;
  pfxProfile: PfxProfile;
  /** The PFX entry's friendlyName (the app name of the Development layout). */
  friendlyName: string;
}

/**
 * The source PFX itself, when it can be published as cert.pfx unchanged: it has the modern profile
 * (see Material.modernPfx), is protected by the output password, and holds the leaf and nothing
 * but certificates of the published chain and ca.crt. Re-encoding it would only change its salts.
 */
export function reusablePfx(
  m: Material,
  v: Validated,
  o: Pick<ConvertOptions, 'outputPassword' | 'pfxProfile'>,
): Buffer | undefined {
  const src = m.modernPfx;
  if (!src || o.pfxProfile !== 'modern' || src.password !== o.outputPassword) return undefined;
  const published = [...v.chain, ...v.anchors].map((c) => c.raw);
  const holds = (der: Buffer) => published.some((p) => p.equals(der));
  if (!src.certs.some((der) => der.equals(m.leaf.raw)) || !src.certs.every(holds)) return undefined;
  return src.bytes;
}

export function convert(m: Material, v: Validated, o: ConvertOptions): Converted {
  const reused = reusablePfx(m, v, o);
  const pfx =
    reused ??
    encodePfx({
      chain: v.chain.map((c) => c.raw),
      key: m.key,
      password: o.outputPassword,
      profile: o.pfxProfile,
      friendlyName: o.friendlyName,
    });
  return {
    tlsCrt: certsToPem(v.chain),
    tlsKey: keyToPem(m.key),
    caCrt: certsToPem(v.anchors),
    pfx,
    pfxFrom: reused ? 'source' : 'encoded',
  };
}
