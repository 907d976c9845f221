// The generate stage (no KCS_SOURCE): a CA, then a leaf for KCS_HOSTNAMES, as Material.
import type crypto from 'node:crypto';
import { finding, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Material } from '../material.js';
import { createCa, loadOrCreateCa, type Ca } from './ca.js';
import { issueLeaf, reissueReason, renewalTime, type LeafOptions } from './leaf.js';
import { oneLine, subjectOf } from '../pkix/x509info.js';

export interface GenerateOptions extends LeafOptions {
  /** KCS_STATE: where the CA is kept. Unset: a CA for this run only. */
  stateDir?: string;
  /** The leaf already published, to reuse when it is still right. */
  previous?: { cert: crypto.X509Certificate; key: crypto.KeyObject };
}

export interface Generated {
  material: Material;
  ca: Ca;
  /** When this leaf should be renewed: two-thirds into its lifetime. */
  renewAt: Date;
}

export function generateMaterial(opts: GenerateOptions): Generated {
  const findings: Finding[] = [];
  const ca = opts.stateDir ? loadOrCreateCa(opts.stateDir, opts.now) : createCa(opts.now);
  if (!opts.stateDir) {
    findings.push(finding(messages.CA_EPHEMERAL.thisRunOnly(), 'warning'));
  }
  const reason = opts.previous ? reissueReason(opts.previous, ca, opts) : 'none was published yet';
  const leaf = reason === undefined ? { ...opts.previous!, reused: true } : issueLeaf(ca, opts);
  const material: Material = {
    leaf: leaf.cert,
    key: leaf.key,
    others: [],
    anchors: [ca.cert],
    source: {
      kind: 'generated',
      files: ca.dir ? [ca.dir] : [],
      details: {
        ca: oneLine(subjectOf(ca.cert)),
        caCreated: ca.created,
        caPersisted: ca.dir !== undefined,
        leaf: reason === undefined ? 'reused' : `issued (${reason})`,
      },
    },
    findings,
  };
  return { material, ca, renewAt: renewalTime(leaf.cert) };
}
