// Starts generating the key of a generated leaf before the pipeline has loaded. An RSA key takes 50 to
// 300 ms in OpenSSL, on a libuv thread; loading the pipeline (node:crypto, node-forge) takes 10 to 20 ms
// on the main thread. For `init` without a source the two overlap instead of adding up. If the
// published leaf is reused after all, the key is simply dropped.
import type crypto from 'node:crypto';
import type { KeyType } from '../settings/options.js';

/**
 * A key of `type`, generated off the main thread; undefined when generating it failed (it is then made later,
 * synchronously).
 */
export function startLeafKey(type: KeyType): Promise<crypto.KeyObject | undefined> {
  // Loaded here: `watch` and probe never need node:crypto in this process.
  const { generateKeyPair } = process.getBuiltinModule('node:crypto');
  return new Promise<crypto.KeyObject | undefined>((resolve) => {
    const done = (err: Error | null, _pub: unknown, priv: crypto.KeyObject) => resolve(err ? undefined : priv);
    if (type === 'ecdsa-p256') generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
    else generateKeyPair('rsa', { modulusLength: type === 'rsa-2048' ? 2048 : 3072 }, done);
  });
}
