import { loaderFor, normalizeRunbookPath, resolveRelativeImport } from './paths';

describe('normalizeRunbookPath', () => {
  it.each([
    ['index.ts', 'index.ts'],
    ['./lib/util.ts', 'lib/util.ts'],
    ['lib/./x/../util.ts', 'lib/util.ts'],
    ['lib//util.ts', 'lib/util.ts'],
  ])('%s → %s', (input, expected) => expect(normalizeRunbookPath(input)).toBe(expected));

  it.each(['', '/etc/passwd', '../secret.ts', 'lib/../../x.ts', 'C:/x.ts', 'lib\\x.ts', '.', 'a\0b'])('refuses %j', (input) => {
    expect(normalizeRunbookPath(input)).toBeNull();
  });
});

describe('loaderFor', () => {
  it.each([
    ['a.ts', 'ts'],
    ['a.mts', 'ts'],
    ['a.js', 'js'],
    ['a.mjs', 'js'],
    ['data.json', 'json'],
    ['types.d.ts', null],
    ['README.md', null],
    ['runbook.yaml', null],
  ])('%s → %s', (path, loader) => expect(loaderFor(path)).toBe(loader));
});

describe('resolveRelativeImport', () => {
  const files = new Set(['index.ts', 'lib/util.ts', 'lib/index.ts', 'lib/data.json', 'lib/legacy.js', 'notes.txt', 'deep/a/b.ts']);
  const exists = (p: string) => files.has(p);
  const resolve = (importer: string, specifier: string) => resolveRelativeImport(importer, specifier, exists);

  it.each([
    ['index.ts', './lib/util', 'lib/util.ts'],
    ['index.ts', './lib/util.ts', 'lib/util.ts'],
    ['index.ts', './lib/util.js', 'lib/util.ts'],
    ['index.ts', './lib', 'lib/index.ts'],
    ['index.ts', './lib/data.json', 'lib/data.json'],
    ['index.ts', './lib/legacy.js', 'lib/legacy.js'],
    ['lib/util.ts', '../index', 'index.ts'],
    ['deep/a/b.ts', '../../lib/util', 'lib/util.ts'],
    ['index.ts', './lib/util?raw', 'lib/util.ts'],
  ])('from %s, %s → %s', (importer, specifier, expected) => {
    expect(resolve(importer, specifier)).toEqual({ ok: true, path: expected });
  });

  it('refuses a path outside the runbook folder', () => {
    expect(resolve('lib/util.ts', '../../secrets')).toEqual({ ok: false, reason: expect.stringMatching(/^imports '..\/..\/secrets', which is outside the runbook folder/) });
  });

  it('says which file is missing', () => {
    expect(resolve('index.ts', './lib/utl')).toEqual({ ok: false, reason: expect.stringMatching(/^imports '.\/lib\/utl', but there is no such file in the runbook folder \(looked for lib\/utl.ts/) });
  });

  it('refuses files that cannot be imported', () => {
    expect(resolve('index.ts', './notes.txt')).toEqual({ ok: false, reason: "imports './notes.txt' — only .ts, .js and .json files can be imported" });
  });
});
