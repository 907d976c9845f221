// The only reader of the live set: what `..data` names in the output directory. The output is
// hostile input (docs/threat-model.md), so a generation is read only when it can be proven ours:
// `..data` is a symlink to a bare generation name (..2026_11_26_12_00_00.123456), that entry is a
// real directory (not a symlink), and it is owned by the uid that makes our generations (root when
// the sidecar runs as root, which nobody else can be; else the sidecar's own uid). Its files are read
// through the opened directory with O_NOFOLLOW, as regular files with one link, of bounded size.
// Anything else is no live set at all, with the reason, which the writer repairs and reports.
// No node:crypto here: `watch`'s waiting process reads the manifest through this module.
import { MAX_INPUT_BYTES } from '../limits.js';
import { Dir } from './dir.js';

export const DATA = '..data';
export const GEN = /^\.\.(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})\.(\d{6})(?:_(\d+))?$/;

export interface Manifest {
  generation: string;
  sha256: string;
  notAfter: string;
  contentDigest?: string;
  [k: string]: unknown;
}

/** The owner of the generation directories we make: root's as root (no other uid can make one),
 *  else our own. */
export function generationUid(): number {
  return process.geteuid?.() ?? 0;
}

export type LiveProof = { generation: string; problem?: undefined } | { generation?: undefined; problem?: string };

/** Which generation `..data` names, if it is provably ours; else why not (undefined: there is none). */
export function proveLive(out: Dir): LiveProof {
  const st = out.lstat(DATA);
  if (!st) return {};
  if (!st.isSymbolicLink()) return { problem: `${DATA} is not a symlink` };
  const target = out.readlink(DATA) ?? '';
  if (!GEN.test(target))
    return { problem: `${DATA} points at ${JSON.stringify(target)}, which is not a generation of ours` };
  const gst = out.lstat(target);
  if (!gst) return { problem: `${DATA} points at ${target}, which does not exist` };
  if (!gst.isDirectory()) return { problem: `${DATA} points at ${target}, which is not a directory` };
  if (gst.uid !== generationUid())
    return {
      problem: `${DATA} points at ${target}, which belongs to uid ${gst.uid}, not to this sidecar (uid ${generationUid()})`,
    };
  return { generation: target };
}

export interface LiveFiles {
  generation?: string;
  /** Why the output holds no live set of ours, when it holds something else. */
  problem?: string;
  files: Map<string, Buffer>;
}

/** Reads `names` from the live generation of `output` (each a plain name at its top). */
export function readLiveFiles(output: string, names: readonly string[]): LiveFiles {
  return Dir.tryUsing(output, (out) => readFrom(out, names)) ?? { files: new Map() };
}

export function readFrom(out: Dir, names: readonly string[]): LiveFiles {
  const proof = proveLive(out);
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
      const data = gen.readFile(name, MAX_INPUT_BYTES);
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

/** The live manifest.json, for `watch`'s state and health reports. */
export function readManifest(output: string): Manifest | undefined {
  return parseManifest(readLiveFiles(output, ['manifest.json']).files.get('manifest.json'));
}
