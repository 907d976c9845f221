// Reads the live manifest.json: what `watch` and reports need of the published set, without keys.
import fs from 'node:fs';
import path from 'node:path';

export interface Manifest {
  generation: string;
  sha256: string;
  notAfter: string;
  [k: string]: unknown;
}

export function readManifest(output: string): Manifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(output, '..data', 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
