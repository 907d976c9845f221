// The commands of sidecar/trust/platforms.ts for the stores of macOS and Windows, which this machine cannot run.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeCa } from '../../../sidecar/trust/ca.js';
import { macosCommands, windowsCommands } from '../../../sidecar/trust/platforms.js';
import { fixture } from '../../support/helpers.js';

describe('trust: the macOS and Windows stores', () => {
  const ca = describeCa(fs.readFileSync(fixture('root.crt')), fixture('root.crt'));

  it('macOS: the login keychain, through security(1)', () => {
    const c = macosCommands(ca, '/Users/you');
    expect(c.install).toEqual([
      [
        'security',
        'add-trusted-cert',
        '-r',
        'trustRoot',
        '-k',
        '/Users/you/Library/Keychains/login.keychain-db',
        ca.file,
      ],
    ]);
    expect(c.uninstall).toEqual([
      ['security', 'remove-trusted-cert', ca.file],
      ['security', 'delete-certificate', '-Z', ca.sha1, '/Users/you/Library/Keychains/login.keychain-db'],
    ]);
    expect(c.status).toEqual([
      'security',
      'find-certificate',
      '-a',
      '-Z',
      '/Users/you/Library/Keychains/login.keychain-db',
    ]);
    expect(c.found(`SHA-256 hash: ${ca.sha256}\nSHA-1 hash: ${ca.sha1}\n`)).toBe(true);
    expect(c.found('SHA-1 hash: 00\n')).toBe(false);
  });

  it("Windows: the current user's Root store, through certutil.exe", () => {
    const c = windowsCommands(ca);
    expect(c.install).toEqual([['certutil', '-addstore', '-user', 'Root', ca.file]]);
    expect(c.uninstall).toEqual([['certutil', '-delstore', '-user', 'Root', ca.sha1]]);
    expect(c.status).toEqual(['certutil', '-user', '-store', 'Root', ca.sha1]);
  });
});
