// Skips that say how to stop skipping. A suite whose tool is missing skips with its reason and the one
// command that enables it; every skip is recorded (.cache/test-skips.jsonl), and `npm test` ends with
// the list (test/support/run-tests.mjs). In CI (REQUIRE_INTEGRATION_TESTS=1) a skip is a failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** KCS_TEST_SKIPS_FILE moves it (the test of this summary runs vitest inside vitest). */
export const SKIPS_FILE = process.env.KCS_TEST_SKIPS_FILE ?? path.join(ROOT, '.cache', 'test-skips.jsonl');
export const REQUIRED = process.env.REQUIRE_INTEGRATION_TESTS === '1';

/** The commands that enable each kind of suite. */
export const ENABLE = {
  docker: 'sudo bash test/integration/docker/setup-engine.sh',
  dotnet:
    'sudo apt-get install -y dotnet-sdk-10.0   (the .NET 10 SDK with the ASP.NET Core runtime; see https://dot.net)',
  browser: 'sudo apt-get install -y chromium libnss3-tools',
  producers: 'sudo apt-get install -y openssl curl default-jre-headless gnutls-bin mkcert python3-cryptography',
  keytool: 'sudo apt-get install -y default-jre-headless',
  certutil: 'sudo apt-get install -y libnss3-tools',
  root:
    'sudo env "PATH=$PATH" npm test   (these tests switch users, mount file systems ' +
    'and write the system trust store)',
  arm64: 'sudo bash test/integration/docker/setup-arm64.sh',
  npm: 'install npm (it comes with Node.js)',
  oldNode: 'sudo apt-get install -y nodejs   (a system Node older than 24, to see the bundle refuse it)',
} as const;

/** Undefined when the command runs and exits 0, else why not. */
export function missing(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `${cmd} is not installed`;
  if (r.status !== 0) return `${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  return undefined;
}

/** True when the suite can run. Else: in CI it throws; elsewhere it records the skip and returns false. */
export function needs(suite: string, reason: string | undefined, enable: string): boolean {
  if (!reason) return true;
  if (REQUIRED)
    throw new Error(`${suite} is required here (REQUIRE_INTEGRATION_TESTS=1) but ${reason}; to run it: ${enable}`);
  console.warn(`skipping ${suite}: ${reason}`);
  try {
    fs.mkdirSync(path.dirname(SKIPS_FILE), { recursive: true });
    fs.appendFileSync(SKIPS_FILE, `${JSON.stringify({ suite, reason, enable })}\n`);
  } catch {
    // the summary is a convenience; the warning above was printed either way
  }
  return false;
}

/** Root, for the tests that switch users, mount file systems or write the system store. */
export function needsRoot(suite: string): boolean {
  return needs(suite, process.getuid?.() === 0 ? undefined : 'it needs root', ENABLE.root);
}

/** `needs` for several requirements: the first that is missing decides, with its own command. */
export function needsAll(
  suite: string,
  checks: readonly (readonly [reason: string | undefined, enable: string])[],
): boolean {
  const failed = checks.find(([reason]) => reason !== undefined);
  return failed ? needs(suite, failed[0], failed[1]) : true;
}

/** The ASP.NET Core runtime, as `dotnet --list-runtimes` lists it. */
export function missingAspNet(): string | undefined {
  const r = spawnSync('dotnet', ['--list-runtimes'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return 'dotnet is not installed';
  return r.stdout.includes('Microsoft.AspNetCore.App') ? undefined : 'the ASP.NET Core runtime is not installed';
}
