// What flows between the stages: the certificate, its key and the certificates that came with it.
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { Finding } from './findings.js';

export type SourceKind = 'pfx' | 'pem' | 'kubernetes-tls' | 'letsencrypt' | 'generated';

export interface Material {
  leaf: X509Certificate;
  key: KeyObject;
  /** Every other certificate that came with the leaf, in input order: chain candidates. */
  others: X509Certificate[];
  /** Certificates the source names as trust anchors (a Kubernetes secret's ca.crt). */
  anchors: X509Certificate[];
  source: {
    kind: SourceKind;
    files: string[];
    /** Facts about the input for the report, e.g. the PFX encryption. No secrets. */
    details: Record<string, string | number | boolean>;
  };
  /** How many certificates come before the leaf in the PEM file it was read from (Kestrel pairs the
   *  key with the first certificate of its Path); 0 or absent when the leaf is first. */
  certsBeforeLeaf?: number;
  /** Findings made while loading, e.g. legacy encryption that was converted. */
  findings: Finding[];
  /** The password the input was opened with, if any; the default output password. */
  inputPassword?: string;
  /** A source PFX that already has the modern profile (see convert/pfx.ts): its algorithms, and
   *  iteration counts from 2,048 up to .NET's limits. Published as it is when the output password
   *  is the one that opened it and it holds nothing but the published certificates. */
  modernPfx?: { bytes: Buffer; password: string; certs: Buffer[] };
}
