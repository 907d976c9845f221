// No silent skips: a machine whose Docker has no compose plugin runs the container suite as skipped, and
// the run ends with the summary that says why and the command that enables it; with
// REQUIRE_INTEGRATION_TESTS=1 the same machine fails instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { section } from '../support/output.js';

function runContainerSuite(extra: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-skips-'));
  // A Docker CLI whose engine answers and whose compose plugin is missing, as Debian 12's docker.io is.
  fs.writeFileSync(
    path.join(dir, 'docker'),
    `#!/bin/sh\ncase "$1" in\n  info) exit 0 ;;\n  compose) echo "docker: 'compose' is ` +
      `not a docker command." >&2; echo "See 'docker --help'" >&2; exit 1 ;;\nesac\nexit 1\n`,
    { mode: 0o755 },
  );
  const env: Record<string, string> = {
    PATH: `${dir}:${process.env.PATH}`,
    HOME: process.env.HOME ?? os.tmpdir(),
    KCS_TEST_SKIPS_FILE: path.join(dir, 'skips.jsonl'),
    ...extra,
  };
  // What `npm test` runs, for the container suite alone.
  const r = spawnSync(
    process.execPath,
    ['test/support/run-tests.mjs', '--project', 'integration', 'test/integration/container.test.ts'],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

describe('the skip summary', () => {
  it('a missing compose plugin: the suite skips, and the run ends with why and the command that fixes it', () => {
    const r = runContainerSuite({});
    expect(r.code).toBe(0);
    expect(section(r.stdout.trimEnd(), '== 1 skipped suite')).toBe(`== 1 skipped suite: the tests passed without them ==
  container (the image, compose): docker compose version failed: docker: 'compose' is not a docker command.
    to run it: sudo bash test/integration/docker/setup-engine.sh
Then run \`npm test\` again. CI sets REQUIRE_INTEGRATION_TESTS=1, which fails on any skip instead.`);
  });

  it('with REQUIRE_INTEGRATION_TESTS=1 the same machine fails, naming the command', () => {
    const r = runContainerSuite({ REQUIRE_INTEGRATION_TESTS: '1' });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      'container (the image, compose) is required here (REQUIRE_INTEGRATION_TESTS=1) but ' +
        "docker compose version failed: docker: 'compose' is not a docker command.; to " +
        'run it: sudo bash test/integration/docker/setup-engine.sh',
    );
  });
});
