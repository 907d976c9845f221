// What the trust stores need of the machine (System, with the real one in nodeSystem), what a store is,
// and the helpers every store uses: commands run with argument vectors (never a shell), a failure of a
// command that changes a store is TRUST_STORE_FAILED, and a CA is recognised by its certificate's body.
import cp from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import type { TrustCa } from './ca.js';

export type Argv = readonly string[];

/** What the stores need of the machine; tests pass their own. */
export interface System {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  exists(p: string): boolean;
  /** The path of a command on PATH, if any. */
  which(cmd: string): string | undefined;
  run(argv: Argv, input?: string): { code: number; out: string };
}

export interface Store {
  label: string;
  /** Why it cannot be used here, and the fix. */
  unavailable?: string;
  /** When changing it needs root and this is not root: what to run instead. */
  needsRoot?: { install: string; uninstall: string };
  status(): boolean;
  /** Adds the CA; false when it was there already. */
  install(): boolean;
  /** Removes the CA; false when it was not there. */
  uninstall(): boolean;
}

export function nodeSystem(env: NodeJS.ProcessEnv): System {
  return {
    platform: process.platform,
    env,
    isRoot: process.geteuid?.() === 0,
    exists: (p) => fs.existsSync(p),
    which(cmd) {
      for (const dir of (env.PATH ?? '').split(path.delimiter)) {
        const file = path.join(dir, cmd);
        try {
          fs.accessSync(file, fs.constants.X_OK);
          if (fs.statSync(file).isFile()) return file;
        } catch {
          // not here
        }
      }
      return undefined;
    },
    run(argv, input) {
      const r = cp.spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env, input, timeout: 120_000 });
      return {
        code: r.error ? 127 : (r.status ?? 1),
        out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`,
      };
    },
  };
}

export const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
export const commandLine = (argv: Argv) => argv.map(quote).join(' ');

/** Runs a command that changes a store; a failure is TRUST_STORE_FAILED with its last line. */
export function must(sys: System, label: string, argv: Argv, input?: string): string {
  const r = sys.run(argv, input);
  if (r.code !== 0) {
    const last = r.out.trim().split('\n').pop() ?? '';
    fail(messages.TRUST_STORE_FAILED.command({ label, command: commandLine(argv), exit: r.code, last }));
  }
  return r.out;
}

const body = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
export const holds = (text: string, ca: TrustCa) => text.replace(/\s+/g, '').includes(body(ca.pem));

/** Reads a file, or undefined. */
export function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A store this machine lacks: listed with why and the fix, and never changed. */
export function unavailableStore(label: string, why: string): Store {
  return { label, unavailable: why, status: () => false, install: () => false, uninstall: () => false };
}
