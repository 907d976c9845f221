// The pipeline: config -> load (or generate) -> validate -> passwords -> convert -> layout -> publish.
// `watch` re-runs it; test harnesses import it. Plan, then commit: one bracket opens, takes and locks
// the output and reads its live set once (publish/volume.ts); the stages then turn the settings, the
// sources and that live set into the bytes of the new set; one write commits them. Everything that
// can fail for a reason in the input fails before the first write, and a bug thrown while building
// the set stays a bug (exit 1): only the writer's file-system errors are OUTPUT_NOT_WRITABLE.
import type crypto from 'node:crypto';
import type { Config } from './settings/config.js';
import { KcsError, finding, type Finding } from './findings.js';
import { messages } from './messages/index.js';
import { generateMaterial } from './generate/index.js';
import { caKeyFinding } from './generate/ca.js';
import { isEmptySourceDir } from './load/discover.js';
import { loadSource } from './load/index.js';
import { outputPassword, resolvePassword, type OutputPassword } from './passwords.js';
import type { Material } from './material.js';
import type { Payload, WriteResult } from './publish/atomic-writer.js';
import { convert } from './convert/index.js';
import { nextGeneration } from './publish/generations.js';
import { buildFileSet, contentDigest, type LayoutOptions } from './publish/layout.js';
import { publicRootsNamed } from './publish/trust.js';
import { parseLive, readLive, type LiveSet } from './publish/live.js';
import { keepsLive, repairFindings, Volume, type LiveRead } from './publish/volume.js';
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
    const caKey = caKeyFinding(cfg.state, material.key, cfg.source); // the dev CA's key is never a leaf's
    if (caKey) material.findings.push(caKey);
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
      material.findings.push(finding(messages.SOURCE_EMPTY.generated({ source: cfg.source }), 'info'));
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
  const volume = Volume.open(cfg.output, cfg.owner);
  try {
    // Read once the lock is held: a wait for another writer does not age the clean-up's clock.
    const now = opts.now ?? new Date();
    const plan = await planSet(cfg, opts, now, volume.live);
    const written = volume.write(plan.payload, now);
    const repaired = [...(plan.payload.kind === 'new' ? volume.problems() : []), ...written.repaired];
    plan.checked.findings.push(...volume.findings, ...repairFindings(cfg.output, repaired));
    return { ...plan.checked, ...written, output: cfg.output, outputPassword: plan.password };
  } finally {
    volume.close();
  }
}

interface Plan {
  checked: CheckResult;
  password: OutputPassword;
  payload: Payload;
}

/**
 * The pure stages, on the live set read once: load or generate, validate, passwords, and, when the
 * live generation cannot stay, convert and layout. Returns the bytes of the new set; writes nothing.
 */
async function planSet(cfg: Config, opts: RunOptions, now: Date, liveRead: LiveRead): Promise<Plan> {
  let live: LiveSet | undefined;
  const liveSet = () => (live ??= parseLive(liveRead));
  const checked = await loadAndValidate(cfg, now, opts.leafKey, liveSet);
  const err = firstError(checked.findings);
  if (err) throw new InvalidMaterial(checked, err);
  const password = outputPassword(
    cfg,
    checked.material.inputPassword,
    opts.pinnedOutputPassword,
    () => liveSet().generatedPassword,
  );
  const layout: LayoutOptions = {
    mountPath: cfg.mountPath,
    kestrelFormat: cfg.kestrelFormat,
    kestrelEndpoints: { https: cfg.kestrelEndpoint, http: cfg.kestrelHttpEndpoint },
    pfxProfile: cfg.pfxProfile,
    outputPassword: password.password,
    passwordOrigin: password.origin,
    now,
    ...(cfg.appName !== undefined ? { appName: cfg.appName } : {}),
    ...(cfg.userSecretsId !== undefined ? { userSecretsId: cfg.userSecretsId } : {}),
  };
  if (keepsLive(liveRead, contentDigest(checked.material, checked.validated, layout)))
    return { checked, password, payload: { kind: 'live' } };
  const converted = convert(checked.material, checked.validated, {
    outputPassword: password.password,
    pfxProfile: cfg.pfxProfile,
    friendlyName: cfg.appName ?? 'kestrel',
  });
  const generation = nextGeneration(now, liveRead.generation);
  const files = buildFileSet(checked.material, checked.validated, layout, generation, converted);
  return { checked, password, payload: { kind: 'new', generation, files } };
}
