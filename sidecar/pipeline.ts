// The pipeline: config -> load (or generate) -> validate -> convert -> publish. `watch` re-runs it;
// test harnesses import it. This file does the wiring: the load, generate and validate stages read
// their inputs and return data; the writes happen in publish/, under the output's lock, and the reads
// of the output it needs (the leaf to reuse, the generated password to keep) go through publish/live.
import type crypto from 'node:crypto';
import type { Config } from './settings/config.js';
import { KcsError, finding, type Finding } from './findings.js';
import { generateMaterial } from './generate/index.js';
import { isEmptySourceDir } from './load/discover.js';
import { loadSource } from './load/index.js';
import { outputPassword, resolvePassword, type OutputPassword } from './passwords.js';
import type { Material } from './material.js';
import { outputError, writeAtomically, type WriteResult } from './publish/atomic-writer.js';
import type { Dir } from './publish/dir.js';
import { lockOutput, openOutput } from './publish/output.js';
import { convert } from './convert/index.js';
import { buildFileSet, contentDigest, type LayoutOptions } from './publish/layout.js';
import { publicRootsNamed } from './publish/trust.js';
import { readLive, type LiveSet } from './publish/live.js';
import { validate, type Validated } from './validate/validate.js';

export interface CheckResult {
  ok: boolean;
  findings: Finding[];
  material: Material;
  validated: Validated;
  /** For a generated certificate: when it is due for renewal. */
  renewAt?: Date;
  /** True when a development CA was created by this run. */
  caCreated?: boolean;
}

export type { OutputPassword } from './passwords.js';

export interface PublishResult extends CheckResult, WriteResult {
  output: string;
  /** Kept in memory by `watch` to pin it; never printed. */
  outputPassword: OutputPassword;
}

export interface RunOptions {
  now?: Date;
  /** `watch` pins the output password for the life of the app: Kestrel was started with it. */
  pinnedOutputPassword?: OutputPassword;
  /** A leaf key generated ahead of time, used if a new leaf is issued. */
  leafKey?: crypto.KeyObject;
}

/**
 * Load (or generate) and validate. Throws KcsError for input that cannot be loaded at all. `live`
 * gives the set published now; publish passes a memoized reader so the output is read at most once.
 */
export async function loadAndValidate(
  cfg: Config,
  now: Date,
  leafKey?: crypto.KeyObject,
  live: () => LiveSet = () => readLive(cfg.output),
): Promise<CheckResult> {
  let material: Material;
  let renewAt: Date | undefined;
  let caCreated: boolean | undefined;
  const empty = cfg.source !== undefined && cfg.certFile === undefined && isEmptySourceDir(cfg.source);
  if (cfg.source !== undefined && !empty) {
    const password = resolvePassword(cfg);
    material = loadSource({ source: cfg.source, ...pick(cfg), ...(password !== undefined ? { password } : {}) });
  } else {
    const previous = live();
    const gen = generateMaterial({
      hostnames: cfg.hostnames,
      keyType: cfg.keyType,
      validityMs: cfg.validityMs,
      devCert: cfg.appName !== undefined,
      now,
      ...(leafKey ? { key: leafKey } : {}),
      ...(cfg.state !== undefined ? { stateDir: cfg.state } : {}),
      ...(previous.cert && previous.key ? { previous: { cert: previous.cert, key: previous.key } } : {}),
    });
    material = gen.material;
    if (empty) {
      material.findings.push(
        finding(
          'SOURCE_EMPTY',
          'info',
          `${cfg.source} holds no certificate, so one was generated`,
          'nothing, for development; mount a PFX or PEM pair there to use your own certificate',
        ),
      );
    }
    renewAt = gen.renewAt;
    caCreated = gen.ca.created;
  }
  const hostnames = cfg.source === undefined || empty || cfg.given.includes('hostnames') ? cfg.hostnames : [];
  const validated = await validate(material, {
    hostnames,
    now,
    minValidityMs: cfg.minValidityMs,
    publicRoots: publicRootsNamed,
    kestrelFormat: cfg.kestrelFormat,
    devLayout: cfg.appName !== undefined,
  });
  return {
    ok: validated.ok,
    findings: validated.findings,
    material,
    validated,
    ...(renewAt ? { renewAt } : {}),
    ...(caCreated !== undefined ? { caCreated } : {}),
  };
}

function pick(cfg: Config) {
  return {
    ...(cfg.certFile !== undefined ? { certFile: cfg.certFile } : {}),
    ...(cfg.keyFile !== undefined ? { keyFile: cfg.keyFile } : {}),
    ...(cfg.certEntry !== undefined ? { certEntry: cfg.certEntry } : {}),
    ...(cfg.appName !== undefined ? { appName: cfg.appName } : {}),
  };
}

/** The first error among the findings, as the one error a failed run reports. */
export function firstError(findings: readonly Finding[]): KcsError | undefined {
  const f = findings.find((x) => x.severity === 'error');
  return f ? new KcsError(f) : undefined;
}

export class InvalidMaterial extends KcsError {
  constructor(
    readonly result: CheckResult,
    first: KcsError,
  ) {
    super(first.finding, { findings: result.findings });
  }
}

/**
 * `init`: load, validate, convert, publish once. Never replaces a good set with a bad one. One writer
 * at a time: the output's lock is held from reading the live set to the end of the publish.
 */
export async function publish(cfg: Config, opts: RunOptions = {}): Promise<PublishResult> {
  let out: ReturnType<typeof openOutput> | undefined;
  let release: ReturnType<typeof lockOutput>;
  try {
    out = openOutput(cfg.output, cfg.owner);
    release = lockOutput(out);
  } catch (err) {
    out?.close();
    throw outputError(err, cfg.output, out ? 'taking its lock' : 'creating the output directory');
  }
  try {
    return await publishLocked(cfg, opts, out!);
  } finally {
    release?.();
    out!.close();
  }
}

async function publishLocked(cfg: Config, opts: RunOptions, out: Dir): Promise<PublishResult> {
  const now = opts.now ?? new Date();
  // The live set is read at most once: for the leaf to reuse and the generated password to keep.
  let live: LiveSet | undefined;
  const liveSet = () => (live ??= readLive(cfg.output));
  const checked = await loadAndValidate(cfg, now, opts.leafKey, liveSet);
  const err = firstError(checked.findings);
  if (err) throw new InvalidMaterial(checked, err);
  const pw = outputPassword(
    cfg,
    checked.material.inputPassword,
    opts.pinnedOutputPassword,
    () => liveSet().generatedPassword,
  );
  const layout: LayoutOptions = {
    mountPath: cfg.mountPath,
    kestrelFormat: cfg.kestrelFormat,
    pfxProfile: cfg.pfxProfile,
    outputPassword: pw.password,
    passwordOrigin: pw.origin,
    now,
    ...(cfg.appName !== undefined ? { appName: cfg.appName } : {}),
    ...(cfg.userSecretsId !== undefined ? { userSecretsId: cfg.userSecretsId } : {}),
  };
  const digest = contentDigest(checked.material, checked.validated, layout);
  const converted = () =>
    convert(checked.material, checked.validated, {
      outputPassword: pw.password,
      pfxProfile: cfg.pfxProfile,
      friendlyName: cfg.appName ?? 'kestrel',
    });
  const written = writeAtomically(
    cfg.output,
    (gen) => buildFileSet(checked.material, checked.validated, layout, gen, converted()),
    {
      now,
      digest,
      out,
      ...(cfg.owner ? { owner: cfg.owner } : {}),
    },
  );
  for (const r of written.repaired) {
    checked.findings.push(
      finding(
        'OUTPUT_REPAIRED',
        'warning',
        `${cfg.output}: ${r}`,
        'nothing: it was replaced; if another container writes this volume, mount it read-only there (docs/threat-model.md)',
        cfg.output,
      ),
    );
  }
  return { ...checked, ...written, output: cfg.output, outputPassword: pw };
}
