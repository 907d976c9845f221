// What a person reads: the success summary of `init`, the `check` report (text and JSON) and the
// host trust instructions. Built here, printed once by main.
import path from 'node:path';
import { formatFinding, type Finding } from '../findings.js';
import type { CheckResult, PublishResult } from '../pipeline.js';
import { kestrelConfig, kestrelSettings, type KestrelEndpoints } from '../publish/kestrel.js';
import { certName, summarize, type CertSummary } from '../pkix/x509info.js';
import { HOST_TRUST_STEPS } from '../settings/place.js';

const date = (iso: string) => iso.slice(0, 10);

function certLines(s: CertSummary, indent: string): string[] {
  return [
    ...(s.sans.length ? [`${indent}names    ${s.sans.join(', ')}`] : []),
    `${indent}key      ${s.key}`,
    `${indent}valid    ${date(s.notBefore)} to ${date(s.notAfter)} ` +
      `(${s.daysLeft >= 0 ? `${s.daysLeft} days left` : 'expired'})`,
    `${indent}sha256   ${s.sha256}`,
  ];
}

export function findingsText(findings: readonly Finding[]): string {
  return findings.map((f) => formatFinding(f)).join('\n');
}

function sourceLine(r: CheckResult): string {
  const src = r.material.source;
  const details = Object.entries(src.details)
    .filter(([k]) => k !== 'layout')
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
  const files = src.files.length ? src.files.join(', ') : '(in memory)';
  return `source   ${src.kind}: ${files}${details ? ` (${details})` : ''}`;
}

/** `check`: the chain as a small tree, leaf to root, then the findings. */
export function checkText(r: CheckResult, now: Date): string {
  const lines = [sourceLine(r), 'chain'];
  const chain = r.validated.chain.map((c) => summarize(c, now));
  const anchors = r.validated.anchors.filter((a) => !r.validated.chain.includes(a)).map((c) => summarize(c, now));
  const all = [
    ...chain.map((s, i) => ({ s, tag: i === 0 ? 'leaf' : 'intermediate' })),
    ...anchors.map((s) => ({ s, tag: 'ca.crt' })),
  ];
  all.forEach(({ s, tag }, i) => {
    const pad = '   '.repeat(i);
    lines.push(`${pad}└─ ${s.subject || '(no subject)'}  [${tag}${s.selfSigned ? ', self-signed' : ''}]`);
    lines.push(...certLines(s, `${pad}     `));
  });
  lines.push(r.findings.length ? `findings\n${findingsText(r.findings).replace(/^/gm, '  ')}` : 'findings none');
  lines.push(`result   ${r.ok ? 'valid' : 'invalid'}`);
  return `${lines.join('\n')}\n`;
}

export function checkJson(r: CheckResult, now: Date): string {
  const report = {
    ok: r.ok,
    findings: r.findings,
    certificate: summarize(r.material.leaf, now),
    chain: r.validated.chain.map((c) => summarize(c, now)),
    ca: r.validated.anchors.map((c) => summarize(c, now)),
    source: { kind: r.material.source.kind, files: r.material.source.files, ...r.material.source.details },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** What `init` needs to know of where it ran, to print guidance that is right there. */
export interface Guidance {
  runsIn: 'host' | 'container';
  mountPath: string;
  format: 'pem' | 'pfx';
  /** KCS_KESTREL_ENDPOINT, KCS_KESTREL_HTTP_ENDPOINT: the endpoints kestrel.env declares. */
  endpoints?: KestrelEndpoints;
  /** KCS_APP_NAME: the Development-certificate layout. */
  appName?: string;
  stateDefaulted: boolean;
}

/** The variables that point Kestrel at the set, for an app that sees it at `mount`. */
function appVariables(g: Guidance, mount: string): string[] {
  if (g.appName !== undefined)
    return [`APPDATA=${path.posix.join(mount, 'appdata')}`, 'ASPNETCORE_ENVIRONMENT=Development'];
  return kestrelConfig(kestrelSettings(g.format, mount, '(see kestrel.env)'), g.endpoints).map(
    ([k, v]) => `ASPNETCORE_${k.replaceAll(':', '__')}=${v}`,
  );
}

/**
 * What rotation the form gets (docs/rotation.md has the measured figures). Kestrel reloads only endpoints
 * declared in its configuration (KestrelConfigurationLoader.Reload rebuilds ConfigurationBackedListenOptions
 * alone), on its CertificatePathWatcher's polling cycle; endpoints from ASPNETCORE_HTTPS_PORTS or
 * ASPNETCORE_URLS, the Development layout's included, keep the certificate they started with.
 */
function rotationLines(g: Guidance): string[] {
  if (g.endpoints?.https !== undefined && g.appName === undefined)
    return [
      `rotation: Kestrel reloads ${g.endpoints.https} 0-8 s after each publish ` +
        '(it polls the certificate; docs/rotation.md)',
    ];
  return [
    'rotation: none until the app restarts, for endpoints from ASPNETCORE_HTTPS_PORTS or ASPNETCORE_URLS ' +
      '(docs/rotation.md)',
    '  to rotate: --kestrel-endpoint https://+:8081 (Kestrel reloads 0-8 s after a publish), ' +
      `or in Program.cs builder.WebHost.UseKestrelCertSidecar("${g.mountPath}") (under 1 s)`,
  ];
}

/** How to point Kestrel at the set: in the app's view of it (KCS_MOUNT_PATH), and only host commands on a host. */
function kestrelLines(r: PublishResult, g: Guidance): string[] {
  const layout = g.appName !== undefined ? ' (the Development-certificate layout, as Visual Studio does it)' : '';
  if (g.runsIn === 'container') {
    return [
      `point Kestrel at it${layout}: mount this volume at ${g.mountPath} (read-only) in the app container, ` +
        'and set there',
      ...appVariables(g, g.mountPath).map((v) => `  ${v}`),
    ];
  }
  const envFile = path.join(r.output, 'kestrel.env');
  if (g.mountPath !== r.output) {
    return [
      `point Kestrel at it${layout}: mount ${r.output} at ${g.mountPath} (read-only) in the app container, ` +
        'and set there',
      ...appVariables(g, g.mountPath).map((v) => `  ${v}`),
      ...(g.appName === undefined
        ? [`  (docker run -v ${r.output}:${g.mountPath}:ro --env-file ${envFile} ... sets them)`]
        : []),
    ];
  }
  return [
    `point Kestrel at it${layout}:`,
    '  a Kestrel on this machine (dotnet run): set',
    ...appVariables(g, r.output).map((v) => `    ${v}`),
    g.appName === undefined
      ? `  a Kestrel in a container: publish with --mount-path /https, then docker run -v ${r.output}:/https:ro ` +
        `--env-file ${envFile} ...`
      : `  a Kestrel in a container: docker run -v ${r.output}:/https:ro -e APPDATA=/https/appdata ` +
        '-e ASPNETCORE_ENVIRONMENT=Development ...',
  ];
}

/** Where the development CA is kept, and how to trust it, right for where `init` ran. */
function caLines(r: PublishResult, g: Guidance): string[] {
  if (r.material.source.kind !== 'generated') return [];
  const anchor = r.material.anchors[0];
  const cn = anchor ? certName(anchor) : '';
  const kept = r.material.source.files[0];
  const where =
    kept === undefined
      ? 'for this run only (set KCS_STATE to keep it)'
      : `${r.caCreated ? 'created in' : 'reused from'} ${kept}`;
  const lines = [`  CA           ${cn}, ${where}`];
  if (kept !== undefined && !r.caCreated) return lines;
  const machine = g.runsIn === 'container' ? 'your' : 'this';
  // The advice names the state's CA (or `trust --print`, which reads it), never the ca.crt of the
  // output: other containers may write the volume, and `trust --install` runs as root.
  const ca = kept !== undefined && !g.stateDefaulted ? ` --ca ${path.join(kept, 'ca', 'ca.crt')}` : '';
  const command = g.runsIn === 'container' ? HOST_TRUST_STEPS : `npx kestrel-cert-sidecar trust --install${ca}`;
  lines.push(
    kept === undefined
      ? `trust the development CA on ${machine} machine: it lives for this run only, so keep one first ` +
          `(${g.runsIn === 'container' ? 'mount a named volume at /state' : 'set KCS_STATE'}), then run ${command}`
      : `trust the development CA on ${machine} machine once (system store, Chromium, Firefox): ${command}`,
  );
  lines.push(`  other containers trust it with SSL_CERT_FILE=${path.posix.join(g.mountPath, 'trust/ca-bundle.crt')}`);
  return lines;
}

/** `init`: what was published, where, its fingerprint, names and expiry, the CA, and how to use it. */
export function publishText(r: PublishResult, g: Guidance, now: Date): string {
  const s = summarize(r.material.leaf, now);
  const ca = caLines(r, g);
  const lines = [
    r.changed
      ? `published ${r.generation} to ${r.output}`
      : `unchanged: ${r.generation} in ${r.output} is already current (not republished)`,
    `  certificate  ${s.subject} (issued by ${s.issuer})`,
    `  sha256       ${s.sha256}`,
    `  names        ${s.sans.join(', ') || '(none)'}`,
    `  expires      ${s.notAfter} (in ${s.daysLeft} days)`,
    `  key          ${s.key}`,
    `  ${sourceLine(r)}`,
    ...ca.slice(0, 1),
    ...kestrelLines(r, g),
    ...rotationLines(g),
    ...ca.slice(1),
  ];
  return `${lines.join('\n')}\n`;
}

export function publishJson(r: PublishResult, now: Date): string {
  const { changed, generation, output, findings } = r;
  const certificate = summarize(r.material.leaf, now);
  return `${JSON.stringify({ ok: true, changed, generation, output, certificate, findings })}\n`;
}
