// The output volume, for the one process that writes it: open it (as root, take it) and lock it,
// read the live set once, and commit the new set's bytes through the atomic writer. The pipeline
// opens it once per publish and closes it at the end (the bracket); the other commands read what is
// published through published.ts. Who owns what: docs/threat-model.md, ownership.ts.
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import { AtomicWriter, type Payload, type WriteResult } from './atomic-writer.js';
import type { Dir } from './dir.js';
import { fileDigest } from './layout.js';
import { outputError } from './errors.js';
import { lockOutput, type Lock } from './lock.js';
import { parseManifest, readFrom, type LiveFiles, type Manifest } from './live-set.js';
import { openOutput, unsafeParent } from './output.js';
import { ownership, type Owner } from './ownership.js';

/** What the plan reads of the live set: the leaf to reuse, the generated password to keep. */
const PLAN_FILES = ['tls.crt', 'tls.key', 'cert.password', 'manifest.json'];

export interface LiveRead extends LiveFiles {
  manifest?: Manifest;
  /** The files of the live generation that no longer match their digests in its manifest. */
  damaged: string[];
}

/** Reads the live set once: the plan's files, and every file the manifest lists, against its digest. */
function readLiveSet(out: Dir): LiveRead {
  const manifest = parseManifest(readFrom(out, ['manifest.json']).files.get('manifest.json'));
  const digests = manifest?.digests ?? {};
  const live = readFrom(out, [...new Set([...PLAN_FILES, ...Object.keys(digests)])]);
  const damaged = Object.entries(digests)
    .filter(([rel, want]) => {
      const data = live.files.get(rel);
      return data === undefined || fileDigest(live.files.get('tls.key'), data) !== want;
    })
    .map(([rel]) => rel);
  return { ...live, ...(manifest ? { manifest } : {}), damaged };
}

export class Volume {
  private constructor(
    private readonly out: Dir,
    private readonly lock: Lock,
    readonly live: LiveRead,
    private readonly writer: AtomicWriter,
    /** Findings about the volume itself: what was repaired at the lock, an unsafe parent. */
    readonly findings: Finding[],
  ) {}

  /** Opens and locks `output` and reads its live set, once. Only file-system errors are mapped. */
  static open(output: string, owner?: Owner): Volume {
    const own = ownership(owner);
    let out: Dir | undefined;
    let lock: Lock | undefined;
    let step = 'creating the output directory';
    try {
      out = openOutput(output, owner);
      const findings = parentFindings(output, out);
      step = 'taking its lock';
      lock = lockOutput(out, { owned: own.root })!;
      step = 'reading the live set';
      const live = readLiveSet(out);
      const writer = new AtomicWriter(out, live.generation, own);
      findings.push(...repairFindings(output, lock.repaired));
      return new Volume(out, lock, live, writer, findings);
    } catch (err) {
      lock?.release();
      out?.close();
      throw outputError(err, output, step);
    }
  }

  /** Why the live set is replaced although it may hold the same content: for OUTPUT_REPAIRED. */
  problems(): string[] {
    const { problem, damaged, generation } = this.live;
    return [
      ...(problem ? [`${problem}; replaced by a new generation`] : []),
      ...damaged.map(
        (rel) =>
          `${rel} in ${generation} does not match its digest in manifest.json: ` +
          'it was changed after it was published; replaced by a new generation',
      ),
    ];
  }

  /** Commits the payload: the one write. */
  write(payload: Payload, now: Date): WriteResult {
    return this.writer.write(payload, now);
  }

  close(): void {
    try {
      this.lock.release();
    } finally {
      this.out.close();
    }
  }
}

/** The live generation can stay: it holds this content, and every file of it is as published. */
export function keepsLive(live: LiveRead, contentDigest: string): boolean {
  const m = live.manifest;
  return (
    live.generation !== undefined &&
    m?.contentDigest === contentDigest &&
    m.digests !== undefined &&
    live.damaged.length === 0
  );
}

/** OUTPUT_REPAIRED, one per thing found in the output that was not ours or not right. */
export function repairFindings(output: string, repaired: readonly string[]): Finding[] {
  return repaired.map((r) => finding(messages.OUTPUT_REPAIRED.replaced({ output, what: r }), 'warning', output));
}

/** A parent of the output that another uid can write could be swapped for a symlink after the
 *  checks, and the sidecar (as root: chown, chmod, publish) would take the directory it names. */
function parentFindings(output: string, out: Dir): Finding[] {
  const why = unsafeParent(out.realPath());
  if (!why) return [];
  return [finding(messages.OUTPUT_PARENT_WRITABLE.parent({ output, why }), 'warning', output)];
}
