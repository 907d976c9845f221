// One publish as `watch` runs it, reported as plain data: a worker process sends it back as JSON.
import type { Config } from '../settings/config.js';
import { KcsError, type Finding } from '../findings.js';
import { InvalidMaterial, publish, type OutputPassword } from '../pipeline.js';
import { oneLine, subjectOf } from '../pkix/x509info.js';

/** What one publish reports. */
export type StepResult =
  | {
      ok: true;
      changed: boolean;
      generation: string;
      subject: string;
      sha256: string;
      notAfter: string;
      renewAt?: string;
      cleanupAt?: string;
      /** What was repaired in the output (OUTPUT_REPAIRED), for the log. */
      warnings?: Finding[];
      /** Pinned by `watch` for the life of the app; never logged. */
      outputPassword: OutputPassword;
    }
  | { ok: false; findings: Finding[] };

export interface StepRequest {
  cfg: Config;
  pinned?: OutputPassword;
}

/** Publishes once. Invalid input is a result; anything else (a bug) is thrown. */
export async function publishStep(req: StepRequest): Promise<StepResult> {
  try {
    const r = await publish(req.cfg, req.pinned ? { pinnedOutputPassword: req.pinned } : {});
    const leaf = r.material.leaf;
    return {
      ok: true,
      changed: r.changed,
      generation: r.generation,
      subject: oneLine(subjectOf(leaf)),
      sha256: leaf.fingerprint256,
      notAfter: leaf.validToDate.toISOString(),
      outputPassword: r.outputPassword,
      warnings: r.findings.filter((f) => f.code === 'OUTPUT_REPAIRED' || f.code === 'OUTPUT_PARENT_WRITABLE'),
      ...(r.renewAt ? { renewAt: r.renewAt.toISOString() } : {}),
      ...(r.cleanupAt ? { cleanupAt: r.cleanupAt.toISOString() } : {}),
    };
  } catch (err) {
    if (err instanceof InvalidMaterial)
      return { ok: false, findings: err.result.findings.filter((f) => f.severity === 'error') };
    if (err instanceof KcsError) return { ok: false, findings: [err.finding] };
    throw err;
  }
}
