// The library API, for test harnesses that want the pipeline without a child process.
export { loadConfig, describeSettings, DEFAULT_HOSTNAMES, type Config } from './settings/config.js';
export {
  KcsError,
  isInvalidInput,
  formatFinding,
  exitCodeFor,
  ExitCode,
  FINDING_CODES,
  type Finding,
  type FindingCode,
} from './findings.js';
export { publish, loadAndValidate, InvalidMaterial, type PublishResult, type CheckResult } from './pipeline.js';
export { loadSource } from './load/index.js';
export { parsePkcs12 } from './load/pkcs12.js';
export { parsePemOrDer } from './load/pem.js';
export { validate } from './validate/validate.js';
export { encodePfx, PFX_PROFILES } from './convert/pfx.js';
export { generateMaterial } from './generate/index.js';
export { probe, type ProbeOptions, type ProbeResult } from './probe/probe.js';
export { startWatch, workerPublisher, type Publisher, type Watcher } from './watch/watch.js';
export { main } from './cli/main.js';
