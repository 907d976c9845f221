// What a person reads: the success summary of `init`, the `check` report (text and JSON) and the
// host trust instructions. Built here, printed once by main.
import path from 'node:path';
import { formatFinding, type Finding } from './findings.js';
import type { CheckResult, PublishResult } from './pipeline.js';
import { kestrelSettings } from './publish/kestrel.js';
import { summarize, type CertSummary } from './x509info.js';

const date = (iso: string) => iso.slice(0, 10);

function certLines(s: CertSummary, indent: string): string[] {
  return [
    ...(s.sans.length ? [`${indent}names    ${s.sans.join(', ')}`] : []),
    `${indent}key      ${s.key}`,
    `${indent}valid    ${date(s.notBefore)} to ${date(s.notAfter)} (${s.daysLeft >= 0 ? `${s.daysLeft} days left` : 'expired'})`,
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
  const all = [...chain.map((s, i) => ({ s, tag: i === 0 ? 'leaf' : 'intermediate' })), ...anchors.map((s) => ({ s, tag: 'ca.crt' }))];
  all.forEach(({ s, tag }, i) => {
    const pad = '   '.repeat(i);
    lines.push(`${pad}└─ ${s.subject}  [${tag}${s.selfSigned ? ', self-signed' : ''}]`);
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

export function trustInstructions(caFile: string): string {
  return [
    `trust the development CA on your machine once, so browsers accept these certificates (${caFile}):`,
    `  Debian/Ubuntu: sudo cp ${caFile} /usr/local/share/ca-certificates/kestrel-cert-sidecar.crt && sudo update-ca-certificates`,
    `  Fedora/RHEL:   sudo cp ${caFile} /etc/pki/ca-trust/source/anchors/kestrel-cert-sidecar.crt && sudo update-ca-trust`,
    `  macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${caFile}`,
    `  Windows:       certutil -addstore -user Root ${caFile.replace(/\//g, '\\')}`,
    `  Firefox/NSS:   certutil -A -d sql:$HOME/.pki/nssdb -t C,, -n kestrel-cert-sidecar -i ${caFile}`,
    '  containers:    set SSL_CERT_FILE=<mount>/trust/ca-bundle.crt in the calling service',
  ].join('\n');
}

/** `init`: what was published, where, its fingerprint, names and expiry, and how to point Kestrel at it. */
export function publishText(r: PublishResult, mountPath: string, format: 'pem' | 'pfx', now: Date): string {
  const s = summarize(r.material.leaf, now);
  const settings = kestrelSettings(format, mountPath, '(see kestrel.env)');
  const lines = [
    r.changed ? `published ${r.generation} to ${r.output}` : `unchanged: ${r.generation} in ${r.output} is already current (not republished)`,
    `  certificate  ${s.subject} (issued by ${s.issuer})`,
    `  sha256       ${s.sha256}`,
    `  names        ${s.sans.join(', ') || '(none)'}`,
    `  expires      ${s.notAfter} (in ${s.daysLeft} days)`,
    `  key          ${s.key}`,
    `  ${sourceLine(r)}`,
    `point Kestrel at it: docker run --env-file ${path.join(r.output, 'kestrel.env')} ..., or set in the app container:`,
    ...Object.entries(settings).map(([k, v]) => `  ASPNETCORE_Kestrel__Certificates__Default__${k}=${v}`),
  ];
  if (r.material.source.kind === 'generated' && r.caCreated) lines.push(trustInstructions(path.join(r.output, 'ca.crt')));
  return `${lines.join('\n')}\n`;
}

export function publishJson(r: PublishResult, now: Date): string {
  return `${JSON.stringify({ ok: true, changed: r.changed, generation: r.generation, output: r.output, certificate: summarize(r.material.leaf, now), findings: r.findings })}\n`;
}
