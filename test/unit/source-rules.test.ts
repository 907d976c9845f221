// Rules of the source that the bundler alone used to enforce, checked here too, so the type checker's
// world and the build's agree:
//  - sidecar/ imports Node's built-ins only as default imports (the build turns them into
//    process.getBuiltinModule: an ESM named import would make Node build the module's ES facade, ~5 ms);
//  - no source file over 300 lines without a comment at its top that says why.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'types' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('the source of sidecar/', () => {
  const files = sources('sidecar');

  it('imports built-ins only as default imports', () => {
    const named = files.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => /^import\s+(?!type\b)[^'"]*from\s+'node:/.test(l) && !/^import\s+[A-Za-z_$][\w$]*\s+from\s+'node:/.test(l))
        .map((l) => `${f}: ${l}`),
    );
    expect(named).toEqual([]);
  });

  it('has no file over 300 lines unless it says why at its top', () => {
    const long = files.filter((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return text.split('\n').length > 300 && !/^\/\/ Over 300 lines: /m.test(text.split('\n').slice(0, 12).join('\n'));
    });
    expect(long.map((f) => `${f}: ${fs.readFileSync(f, 'utf8').split('\n').length} lines`)).toEqual([]);
  });
});
