// Rules of the source that the bundler alone used to enforce, checked here too, so the type checker's
// world and the build's agree:
//  - sidecar/ imports Node's built-ins only as default imports (the build turns them into
//    process.getBuiltinModule: an ESM import makes Node build the module's ES facade; measured, +21 ms
//    of CPU for `init`, docs/performance.md);
//  - no source file over 300 lines without a comment at its top that says why;
//  - no top-level function over 60 lines without a docblock that says why ("Over 60 lines: ...");
//  - the entries of the bundles (sidecar/entry/bundles/) hold only comments and one-line re-exports,
//    which is all the build reads to know which modules belong to which bundle;
//  - no import cycle among the modules, type-only and dynamic imports included: a layer that reaches
//    back up (trust/ taking a type from cli/main.ts) is read only by reading both;
//  - the words of every finding are written in the catalogue (sidecar/messages/) alone: elsewhere a
//    finding is raised from a message of it, never from a literal, so a code's wording is changed in
//    one file; and the catalogue imports nothing that does work, so importing it costs `init` nothing;
//  - no line over 120 characters in any source file of the project, whatever its language (what counts
//    as source is said above projectSources(), at the end).
import { execFileSync } from 'node:child_process';
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

const CATALOGUE = path.join('sidecar', 'messages') + path.sep;

/**
 * Where a finding's words are written outside the catalogue: `fail(`, `finding(` or `raise(` given a
 * string, template or object literal; `new KcsError(` given one (findings.ts alone builds it from a
 * message); a `message:`, `hint:` or `fix:` set to a literal, the fields of a finding's words.
 */
function wordsOutsideCatalogue(sourceFiles: readonly string[]): string[] {
  const rules: [RegExp, string][] = [
    [/\b(?:fail|finding|raise)\(\s*['"`{]/g, 'a finding raised from a literal'],
    [/\bnew KcsError\(\s*['"`{]/g, 'a KcsError built from a literal'],
    [/\b(?:message|hint|fix):\s*['"`]/g, "a finding's words written here"],
  ];
  return sourceFiles
    .filter((f) => !f.startsWith(CATALOGUE) && f !== path.join('sidecar', 'findings.ts'))
    .flatMap((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return rules.flatMap(([re, what]) =>
        [...text.matchAll(re)].map((m) => `${f}:${text.slice(0, m.index).split('\n').length}: ${what}`),
      );
    });
}

describe('the source of sidecar/', () => {
  const files = sources('sidecar');

  it('imports built-ins only as default imports', () => {
    const named = files.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter(
          (l) =>
            /^import\s+(?!type\b)[^'"]*from\s+'node:/.test(l) && !/^import\s+[A-Za-z_$][\w$]*\s+from\s+'node:/.test(l),
        )
        .map((l) => `${f}: ${l}`),
    );
    expect(named).toEqual([]);
  });

  it('has no file over 300 lines unless it says why at its top', () => {
    const lines = (f: string) => fs.readFileSync(f, 'utf8').replace(/\n$/, '').split('\n');
    const long = files.filter(
      (f) => lines(f).length > 300 && !/^\/\/ Over 300 lines: /m.test(lines(f).slice(0, 12).join('\n')),
    );
    expect(long.map((f) => `${f}: ${lines(f).length} lines`)).toEqual([]);
  });

  it('has no top-level function over 60 lines unless its docblock says why', () => {
    const long: string[] = [];
    for (const f of files) {
      const lines = fs.readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /^(?:export )?(?:async )?function (\w+)/.exec(line);
        if (!m) return;
        let depth = 0;
        let end = i;
        for (let j = i; j < lines.length; j++) {
          depth += (lines[j]!.match(/\{/g)?.length ?? 0) - (lines[j]!.match(/\}/g)?.length ?? 0);
          end = j;
          if (depth <= 0 && j > i) break;
        }
        const doc = lines.slice(Math.max(0, i - 8), i).join('\n');
        if (end - i + 1 > 60 && !/Over 60 lines: /.test(doc)) long.push(`${f}:${i + 1} ${m[1]} (${end - i + 1} lines)`);
      });
    }
    expect(long).toEqual([]);
  });

  it('has bundle entries that only re-export, one module a line, as the build reads them', () => {
    const dir = 'sidecar/entry/bundles';
    const other = fs.readdirSync(dir).flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(
          (l) =>
            l.trim() !== '' &&
            !l.startsWith('//') &&
            !/^export (\*|\{[^}]*\}) from '\.\.\/\.\.\/[\w/.-]+\.js';$/.test(l),
        )
        .map((l) => `${dir}/${f}: ${l}`),
    );
    expect(other).toEqual([]);
  });

  it('has no import cycle, counting type-only and dynamic imports', () => {
    const imports = new Map(
      files.map((f) => [
        f,
        [...fs.readFileSync(f, 'utf8').matchAll(/(?:^(?:import|export)[^;]*? from |import\()'(\.[^']+)\.js'/gms)].map(
          (m) => path.join(path.dirname(f), `${m[1]}.ts`),
        ),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const to of imports.get(f) ?? []) {
        if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].join(' -> '));
        else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
  it("writes a finding's words only in the catalogue (sidecar/messages/)", () => {
    expect(wordsOutsideCatalogue(files)).toEqual([]);
  });

  it('has a catalogue that imports only its own files, the limits and the finding types', () => {
    const imports = files
      .filter((f) => f.startsWith(CATALOGUE))
      .flatMap((f) =>
        [...fs.readFileSync(f, 'utf8').matchAll(/^(import|export)(?: type)?[^;]*? from '([^']+)'/gms)]
          .filter((m) => !m[2]!.startsWith('./') && m[2] !== '../limits.js')
          .filter((m) => !(m[2] === '../findings.js' && /^import type /.test(m[0])))
          .map((m) => `${f}: ${m[0]}`),
      );
    expect(imports).toEqual([]);
  });
});

// The tests mirror the source, so a maintainer finds a module's tests by its name: test/unit/<dir>/<file>.test.ts
// (or <file>.mutants.test.ts, the tests written against StrykerJS's survivors) for sidecar/<dir>/<file>.ts, and
// <dir>/index.test.ts or <dir>.test.ts for a folder. A file that tests the whole tree is named here, with why.
const WHOLE_TREE: Record<string, string> = {
  'docs.test.ts': 'docs/reference.md held to the settings and findings tables',
  'runtime-docs.test.ts': 'docs/runtimes/ held to the commands the integration tests run',
  'k8s-manifests.test.ts': 'the Kubernetes manifests of k8s/ and examples/',
  'source-rules.test.ts': 'these rules',
  'fuzz.test.ts': 'seeded random input through every parser, the pipeline included',
};

function tree(dir: string, keep: (name: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tree(p, keep);
    return keep(e.name) ? [p] : [];
  });
}

describe('the tests', () => {
  it('name the module or folder of sidecar/ they test: test/unit/<dir>/<file>.test.ts', () => {
    const orphans = tree('test/unit', (n) => n.endsWith('.test.ts'))
      .map((f) => path.relative('test/unit', f))
      .filter((rel) => {
        if (rel in WHOLE_TREE) return false;
        const name = rel.replace(/(\.mutants)?\.test\.ts$/, '');
        const folder = name.replace(/\/index$/, '');
        return (
          !fs.existsSync(path.join('sidecar', `${name}.ts`)) &&
          !fs
            .statSync(path.join('sidecar', folder), {
              throwIfNoEntry: false,
            })
            ?.isDirectory()
        );
      });
    expect(orphans).toEqual([]);
  });
});

// Source is what a person writes and a tool runs, builds or reads as its settings: the TypeScript and
// JavaScript, the C# of harness/dotnet/ and test/conformance/judge/ with their project files, the shell
// scripts (by name or by a `#!` first line, as .ci/run), the Dockerfiles, the YAML (manifests, compose
// files), the JSON settings (package.json, tsconfig.json, biome.json), bench/'s Python and the ignore
// files. Not source, so not held here:
//  - Markdown: prose, and its tables cannot wrap (a table row is one line);
//  - data that tools write: the lockfile (npm), test/conformance/generator/seeds.json (the nightly
//    generator records what it found, Kestrel's messages quoted whole), test/fixtures/files/ and
//    test/fixtures/hostile/ (made by the scripts in test/fixtures/, which are source; many are binary);
//  - LICENSE, a legal text kept as it was issued.
const SOURCE_EXTENSIONS = /\.(?:[cm]?ts|[cm]?js|cs|csproj|props|targets|slnx|sh|py|ya?ml|json)$/;
const SOURCE_NAMES = /(?:^|\/)(?:Dockerfile|\.gitignore|\.dockerignore|\.npmrc)$/;
const DATA = /^(?:package-lock\.json|test\/conformance\/generator\/seeds\.json|test\/fixtures\/(?:files|hostile)\/)/;

/**
 * The project's source files, as git knows them (the tests run in a clone): tracked, or new and not ignored,
 * so a file is held before `git add`, and nothing built (bin/, obj/, dist/, node_modules/) is read.
 */
function projectSources(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    encoding: 'utf8',
  });
  return listed
    .split('\0')
    .filter((f) => f !== '' && !DATA.test(f) && fs.lstatSync(f, { throwIfNoEntry: false })?.isFile())
    .filter((f) => SOURCE_EXTENSIONS.test(f) || SOURCE_NAMES.test(f) || fs.readFileSync(f, 'latin1').startsWith('#!'));
}

describe('the source of the project', () => {
  const files = projectSources();

  it('is found: this file, the C#, the shell scripts, the Dockerfile and .ci/run among it', () => {
    for (const f of [
      'test/unit/source-rules.test.ts',
      'harness/dotnet/KestrelCertSidecar.Testcontainers/KestrelCertsContainer.cs',
      'harness/dotnet/KestrelCertSidecar.Testcontainers/KestrelCertSidecar.Testcontainers.csproj',
      'test/fixtures/make-fixtures.sh',
      'Dockerfile',
      '.ci/run',
      'vitest.config.ts',
    ]) {
      expect(files).toContain(f);
    }
  });

  it('has no line over 120 characters (Biome wraps TypeScript code; strings, comments and the rest are ours)', () => {
    const long = files.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split(/\r?\n/)
        .flatMap((l, i) => {
          const characters = [...l].length; // code points, not bytes or UTF-16 units: `─` is one
          return characters > 120 ? [`${f}:${i + 1} (${characters} characters)`] : [];
        }),
    );
    expect(long).toEqual([]);
  });
});
