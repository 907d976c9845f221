// The values of the enumerated settings. Kept apart from the code that implements them, so the
// command line can be read (and `watch` can run) without loading node:crypto or node-forge.
export const PFX_PROFILES = ['modern', 'legacy-3des'] as const;
export type PfxProfile = (typeof PFX_PROFILES)[number];

export const KEY_TYPES = ['rsa-2048', 'rsa-3072', 'ecdsa-p256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const KESTREL_FORMATS = ['pem', 'pfx'] as const;
export type KestrelFormat = (typeof KESTREL_FORMATS)[number];

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
