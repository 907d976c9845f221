// What the unit tests of trust/ share: a System that runs real commands but sees only what the test says exists.
import fs from 'node:fs';
import { nodeSystem, type System } from '../../sidecar/trust/system.js';

/** A System that runs real commands but sees only what the test says exists (no real system store). */
export function sandbox(
  env: NodeJS.ProcessEnv,
  exists: (p: string) => boolean = fs.existsSync,
  isRoot = false,
): System {
  return { ...nodeSystem({ PATH: process.env.PATH, ...env }), exists, isRoot };
}
