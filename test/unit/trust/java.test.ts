// A JDK's cacerts as sidecar/trust/java.ts changes it, for real with keytool when a JDK is installed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCa } from '../../../sidecar/trust/ca.js';
import { javaStore } from '../../../sidecar/trust/java.js';
import { fixture } from '../../support/helpers.js';
import { ENABLE, missing, needs } from '../../support/skips.js';
import { sandbox } from '../../support/trust.js';

const tmp = (p = 'kcs-trust-') => fs.mkdtempSync(path.join(os.tmpdir(), p));
const haveKeytool = needs('trust into a Java cacerts', missing('keytool', ['-help']), ENABLE.keytool);

describe('trust: the Java store', () => {
  const ca = describeCa(fs.readFileSync(fixture('root.crt')), fixture('root.crt'));

  it.runIf(haveKeytool)("Java, for real: a JDK's cacerts takes the CA under our alias and gives it back", () => {
    const keytool = fs.realpathSync(execFileSync('sh', ['-c', 'command -v keytool'], { encoding: 'utf8' }).trim());
    const jdk = tmp('kcs-jdk-');
    fs.mkdirSync(path.join(jdk, 'bin'));
    fs.mkdirSync(path.join(jdk, 'lib/security'), { recursive: true });
    fs.symlinkSync(keytool, path.join(jdk, 'bin/keytool'));
    fs.copyFileSync(
      fs.realpathSync(path.join(path.dirname(path.dirname(keytool)), 'lib/security/cacerts')),
      path.join(jdk, 'lib/security/cacerts'),
    );
    fs.chmodSync(path.join(jdk, 'lib/security/cacerts'), 0o644);
    const before = fs.readFileSync(path.join(jdk, 'lib/security/cacerts'));
    const store = () => javaStore(ca, sandbox({ JAVA_HOME: jdk }));
    expect(store().label).toBe(`Java cacerts (${jdk}/lib/security/cacerts)`);
    expect(store().needsRoot).toBeUndefined();
    expect([store().status(), store().install(), store().install(), store().status()]).toEqual([
      false,
      true,
      false,
      true,
    ]);
    const listed = execFileSync(
      path.join(jdk, 'bin/keytool'),
      ['-list', '-keystore', path.join(jdk, 'lib/security/cacerts'), '-storepass', 'changeit', '-alias', ca.name, '-v'],
      { encoding: 'utf8' },
    );
    expect(listed).toContain(`SHA256: ${ca.sha256.replace(/(..)(?!$)/g, '$1:')}`);
    expect([store().uninstall(), store().uninstall(), store().status()]).toEqual([true, false, false]);
    const count = (f: string) =>
      execFileSync(path.join(jdk, 'bin/keytool'), ['-list', '-keystore', f, '-storepass', 'changeit'], {
        encoding: 'utf8',
      }).match(/trustedCertEntry/g)?.length;
    const orig = path.join(tmp(), 'orig');
    fs.writeFileSync(orig, before);
    expect(count(path.join(jdk, 'lib/security/cacerts'))).toBe(count(orig));
  });
});
