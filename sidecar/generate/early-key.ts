// Starts generating the leaf key before the rest of the program has loaded. An RSA key takes 50 to
// 300 ms in OpenSSL, on a libuv thread; loading the bundle takes 10 to 20 ms on the main thread. For
// `init` without a source the two overlap instead of adding up. If the published leaf is reused
// after all, the key is simply dropped.
import type crypto from 'node:crypto';

export interface EarlyKey {
  type: string;
  key: Promise<crypto.KeyObject>;
}

/**
 * Called by the entry point with the raw command line and environment, before config is parsed. It only
 * guesses (the real parser lives in the cli bundle, which is what is being loaded meanwhile): the guess
 * is never trusted, since runInit uses the key only when its type is the one the parsed settings ask for.
 */
export function startEarlyKeygen(argv: readonly string[], env: NodeJS.ProcessEnv): EarlyKey | undefined {
  if (argv[0] !== 'init' || env.KCS_SOURCE || argv.some((a) => a === '--source' || a.startsWith('--source=') || a === '--help' || a === '--version')) return undefined;
  // Loaded here, not at the top: `watch` and probe never need node:crypto in this process.
  const { generateKeyPair } = process.getBuiltinModule('node:crypto');
  const i = argv.indexOf('--key-type');
  const eq = argv.find((a) => a.startsWith('--key-type='));
  const type = (i >= 0 ? argv[i + 1] : eq?.slice('--key-type='.length)) ?? env.KCS_KEY_TYPE ?? 'rsa-2048';
  const start = (kind: 'rsa' | 'ec', opts: crypto.RSAKeyPairKeyObjectOptions | crypto.ECKeyPairKeyObjectOptions) =>
    new Promise<crypto.KeyObject>((resolve, reject) => generateKeyPair(kind as 'rsa', opts as crypto.RSAKeyPairKeyObjectOptions, (err, _pub, priv) => (err ? reject(err) : resolve(priv))));
  let early: EarlyKey | undefined;
  if (type === 'rsa-2048' || type === 'rsa-3072') early = { type, key: start('rsa', { modulusLength: type === 'rsa-2048' ? 2048 : 3072 }) };
  else if (type === 'ecdsa-p256') early = { type, key: start('ec', { namedCurve: 'prime256v1' }) };
  early?.key.catch(() => undefined); // a failure here only means the key is made later, synchronously
  return early;
}
