// What is live: the generation `..data` names in the output directory. The output is hostile input
// (docs/threat-model.md), so a generation is read only when it can be proven a sidecar's: `..data`
// is a symlink to a bare generation name (..2026_11_26_12_00_00.123456), that entry is a real
// directory (not a symlink), and, for the writer, it is owned by the uid that makes our generations
// (root when the sidecar runs as root, which nobody else can be; else the sidecar's own uid). Its
// files are read through the opened directories with O_NOFOLLOW, as regular files with one link, of
// bounded size. Anything else is no live set at all, with the reason, which the writer repairs.
// No node:crypto here: `watch`'s waiting process reads the manifest through this module.
import { MAX_INPUT_BYTES } from '../limits.js';
import type { Dir } from './dir.js';
import { GEN } from './generations.js';

export const DATA = '..data';

export interface Manifest {
  generation: string;
  sha256: string;
  notAfter: string;
  contentDigest?: string;
  /** The SHA-256 (hex) of every published file but the manifest, by its path in the generation. */
  digests?: Record<string, string>;
  [k: string]: unknown;
}

/** The owner of the generation directories we make: root's as root (no other uid can make one),
 *  else our own. */
export function generationUid(): number {
  return process.geteuid?.() ?? 0;
}

export type LiveProof = { generation: string; problem?: undefined } | { generation?: undefined; problem?: string };

/**
 * Which generation `..data` names, if it is provably a sidecar's; else why not (undefined: there is
 * none). `owner` is the uid its directory must have: the writer's own; a reader that is not the
 * writer (probe, the testing helper) passes 'any'.
 */
export function proveLive(out: Dir, owner: number | 'any' = generationUid()): LiveProof {
  const st = out.lstat(DATA);
  if (!st) return {};
  if (!st.isSymbolicLink()) return { problem: `${DATA} is not a symlink` };
  const target = out.readlink(DATA) ?? '';
  if (!GEN.test(target))
    return { problem: `${DATA} points at ${JSON.stringify(target)}, which is not a generation of ours` };
  const gst = out.lstat(target);
  if (!gst) return { problem: `${DATA} points at ${target}, which does not exist` };
  if (!gst.isDirectory()) return { problem: `${DATA} points at ${target}, which is not a directory` };
  if (owner !== 'any' && gst.uid !== owner)
    return {
      problem: `${DATA} points at ${target}, which belongs to uid ${gst.uid}, not to this sidecar (uid ${owner})`,
    };
  return { generation: target };
}

export interface LiveFiles {
  generation?: string;
  /** Why the output holds no live set of ours, when it holds something else. */
  problem?: string;
  files: Map<string, Buffer>;
}

/** Reads `rel` (`tls.crt`, `trust/ca-bundle.crt`) inside a generation, entering each directory
 *  without following a link; undefined when it is not a plain file there. */
export function readIn(gen: Dir, rel: string): Buffer | undefined {
  const [first, ...rest] = rel.split('/');
  if (rest.length === 0) return gen.readFile(first!, MAX_INPUT_BYTES);
  let sub: Dir;
  try {
    sub = gen.openDir(first!);
  } catch {
    return undefined;
  }
  try {
    return readIn(sub, rest.join('/'));
  } finally {
    sub.close();
  }
}

/** Reads `names` from the live generation of `out`, proven as proveLive says. */
export function readFrom(out: Dir, names: readonly string[], owner: number | 'any' = generationUid()): LiveFiles {
  const proof = proveLive(out, owner);
  const files = new Map<string, Buffer>();
  if (!proof.generation) return { files, ...(proof.problem ? { problem: proof.problem } : {}) };
  let gen: Dir;
  try {
    gen = out.openDir(proof.generation);
  } catch {
    return { files, problem: `${DATA} points at ${proof.generation}, which cannot be opened` };
  }
  try {
    for (const name of names) {
      const data = readIn(gen, name);
      if (data) files.set(name, data);
    }
  } finally {
    gen.close();
  }
  return { generation: proof.generation, files };
}

export function parseManifest(data: Buffer | undefined): Manifest | undefined {
  if (!data) return undefined;
  try {
    const m = JSON.parse(data.toString('utf8')) as Manifest;
    return m && typeof m === 'object' && !Array.isArray(m) ? m : undefined;
  } catch {
    return undefined;
  }
}
