// The ownership model of docs/threat-model.md ("Who owns what"), in code: the one place that
// decides who owns the entries the sidecar makes in the output.
import { generationUid } from './live-set.js';

export interface Owner {
  uid: number;
  gid: number;
}

export interface Ownership {
  /** The sidecar runs as root: it takes the output directory, and nobody else can change an entry. */
  root: boolean;
  /** The owner given to every published file. As root: root, KCS_OWNER's group, so the app reads
   *  them through its group (0440, 0444) and, not being their owner, cannot chmod or rewrite them.
   *  Not root: KCS_OWNER (a chown to another uid needs root, and fails with the fix). */
  files?: Owner;
  /** The group of the output directory (as root) and of every generation directory. */
  dirsGid?: number;
}

export function ownership(owner: Owner | undefined): Ownership {
  const root = generationUid() === 0;
  if (!root) return { root, ...(owner ? { files: owner, dirsGid: owner.gid } : {}) };
  const gid = owner?.gid ?? 0;
  return { root, files: { uid: 0, gid }, dirsGid: gid };
}
