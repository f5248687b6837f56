// Real esbuild (a native binary). The compiled scripts are run here in node:vm only to check
// their shape; the sandbox's own specs run them in isolated-vm.
import { runInNewContext } from 'node:vm';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import * as sdk from '@wolfe/sdk';
import { compileRunbook, type CompileResult } from './index';

type Compiled = Extract<CompileResult, { ok: true }>['compiled'];

const files = (entries: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(entries));

async function ok(entries: Record<string, string>, name = 'payments/disk-cleanup'): Promise<Compiled> {
  const result = await compileRunbook({ name, files: files(entries) });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.compiled;
}

async function problems(entries: Record<string, string>) {
  const result = await compileRunbook({ name: 'x', files: files(entries) });
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

/** Runs the script as a classic script in a fresh realm and returns that realm's global. */
function load(compiled: Compiled): Record<string, unknown> {
  const global: Record<string, unknown> = {};
  runInNewContext(compiled.code, global, { filename: compiled.filename });
  return global;
}

const SDK_IMPORT = "import { runbook } from '@wolfe/sdk';";

describe('compileRunbook', () => {
  it('bundles index.ts and its relative imports into a classic script that publishes the definition', async () => {
    const compiled = await ok({
      'index.ts': `${SDK_IMPORT}\nimport { double } from './lib/math.js';\nimport limits from './lib/limits.json';\nimport type { Stats } from 'node:fs';\n\nexport default runbook(async (ctx) => {\n  const s: Partial<Stats> = {};\n  return { v: double(limits.max), env: ctx.env, s };\n});\n`,
      'lib/math.ts': 'export const double = (n: number): number => n * 2;\n',
      'lib/limits.json': '{ "max": 21 }',
      'runbook.yaml': 'name: disk-cleanup\n',
      'README.md': '# not imported',
    });
    expect(compiled.filename).toBe('payments/disk-cleanup/index.js');
    expect(compiled.code).toMatch(/^"use strict";\n\(\(\) => \{/);
    expect(compiled.code).not.toMatch(/^\s*(import|export)\b|require\(/m);
    const global = load(compiled);
    const definition = global['__wolfe_runbook__'];
    expect(sdk.isRunbookDefinition(definition)).toBe(true);
    await expect((definition as sdk.RunbookDefinition).handler({ env: 'prod' } as sdk.RunbookContext)).resolves.toEqual({ v: 42, env: 'prod', s: {} });
  });

  it('emits a source map with the runbook files named relative to its folder, with their content', async () => {
    const index = `${SDK_IMPORT}\nimport { fail } from './lib/fail';\n\ninterface Input {\n  readonly n: number;\n}\n\nexport default runbook(() => fail({ n: 1 } satisfies Input));\n`;
    const fail = `export function fail(input: { n: number }): never {\n  type Why = string;\n  const why: Why = 'because ' + input.n;\n  throw new Error(why);\n}\n`;
    const compiled = await ok({ 'index.ts': index, 'lib/fail.ts': fail });
    const map = JSON.parse(compiled.sourceMap) as { sources: string[]; sourcesContent: string[] };
    expect(map.sources).toEqual(['wolfe:sdk', 'lib/fail.ts', 'index.ts', 'wolfe:entry']);
    expect(map.sourcesContent[map.sources.indexOf('index.ts')]).toBe(index);
    expect(map.sourcesContent[map.sources.indexOf('lib/fail.ts')]).toBe(fail);
    // The generated `throw` maps back to line 4 of lib/fail.ts.
    const lines = compiled.code.split('\n');
    const line = lines.findIndex((l) => l.includes('throw new Error(why)'));
    const column = lines[line]!.indexOf('throw');
    expect(originalPositionFor(new TraceMap(compiled.sourceMap), { line: line + 1, column })).toMatchObject({ source: 'lib/fail.ts', line: 4, column: 2 });
  });

  it('refuses node builtins and npm packages, naming the file and line', async () => {
    expect(
      await problems({
        'index.ts': `${SDK_IMPORT}\nimport { helper } from './lib/helper';\nimport fs from 'fs';\nexport default runbook(() => [fs.readFileSync, helper]);\n`,
        'lib/helper.ts': `import { exec } from 'node:child_process';\nimport _ from 'lodash';\n\nexport const helper = [exec, _];\n`,
      }),
    ).toEqual([
      { file: 'index.ts', field: null, line: 3, message: "index.ts:3: imports 'fs' — runbooks run in a sandbox and can only import '@wolfe/sdk' and their own relative files" },
      { file: 'lib/helper.ts', field: null, line: 1, message: "lib/helper.ts:1: imports 'node:child_process' — runbooks run in a sandbox and can only import '@wolfe/sdk' and their own relative files" },
      { file: 'lib/helper.ts', field: null, line: 2, message: "lib/helper.ts:2: imports 'lodash' — runbooks run in a sandbox and can only import '@wolfe/sdk' and their own relative files" },
    ]);
  });

  it('refuses require() and deep sdk imports too', async () => {
    const found = await problems({ 'index.ts': `${SDK_IMPORT}\nimport { x } from '@wolfe/sdk/internal';\nconst cp = require('child_process');\nexport default runbook(() => [cp, x]);\n` });
    expect(found.map((p) => p.message)).toEqual([
      "index.ts:2: imports '@wolfe/sdk/internal' — runbooks run in a sandbox and can only import '@wolfe/sdk' and their own relative files",
      "index.ts:3: imports 'child_process' — runbooks run in a sandbox and can only import '@wolfe/sdk' and their own relative files",
    ]);
  });

  it('only knows the files it was given (never the disk)', async () => {
    // package.json and tsconfig.json exist in the working directory, not in the runbook.
    const found = await problems({ 'index.ts': `${SDK_IMPORT}\nimport pkg from './package.json';\nimport '../tsconfig.json';\nexport default runbook(() => pkg);\n` });
    expect(found.map((p) => p.message)).toEqual([
      expect.stringMatching(/^index\.ts:2: imports '\.\/package\.json', but there is no such file in the runbook folder/),
      expect.stringMatching(/^index\.ts:3: imports '\.\.\/tsconfig\.json', which is outside the runbook folder/),
    ]);
  });

  it('reports a missing index.ts, a missing default export, syntax errors and top-level await', async () => {
    expect(await problems({ 'main.ts': 'export default 1;' })).toEqual([
      { file: 'index.ts', field: null, line: null, message: expect.stringMatching(/^index\.ts: missing — a runbook needs an index\.ts/) },
    ]);
    expect(await problems({ 'index.ts': `${SDK_IMPORT}\nexport const handler = runbook(() => 1);\n` })).toEqual([
      { file: 'index.ts', field: null, line: null, message: expect.stringMatching(/^index\.ts: has no default export — end it with `export default runbook/) },
    ]);
    expect(await problems({ 'index.ts': `${SDK_IMPORT}\nimport './lib/bad';\nexport default runbook(() => 1);\n`, 'lib/bad.ts': 'const a = 1;\nconst b = ;\n' })).toEqual([
      { file: 'lib/bad.ts', field: null, line: 2, message: 'lib/bad.ts:2: Unexpected ";"' },
    ]);
    expect(await problems({ 'index.ts': `${SDK_IMPORT}\nawait Promise.resolve();\nexport default runbook(() => 1);\n` })).toEqual([
      { file: 'index.ts', field: null, line: 2, message: expect.stringMatching(/^index\.ts:2: Top-level await is currently not supported/) },
    ]);
  });

  it('refuses file paths that leave the folder', async () => {
    expect(await problems({ 'index.ts': 'export default 1;', '../evil.ts': 'x' })).toEqual([
      { file: '../evil.ts', field: null, line: null, message: '../evil.ts: file paths must be relative to the runbook folder, without ".." above it or ":"' },
    ]);
  });

  it('checks at run time that the default export is a runbook() definition', async () => {
    const compiled = await ok({ 'index.ts': 'export default { handler: () => 1 };\n' });
    expect(() => load(compiled)).toThrow(/index\.ts: the default export must be runbook\(async \(ctx\) => \{ … \}\) from '@wolfe\/sdk', got object/);
  });

  it("'@wolfe/sdk' in the sandbox exports the same values as the real sdk, and behaves alike", async () => {
    const compiled = await ok({
      'index.ts': `import * as sdk from '@wolfe/sdk';\nexport default sdk.runbook(() => {\n  let thrown = '';\n  try { sdk.runbook(42 as never); } catch (e) { thrown = String(e); }\n  return { keys: Object.keys(sdk).sort(), key: sdk.RUNBOOK_BRAND_KEY, brand: sdk.RUNBOOK_BRAND, thrown };\n});\n`,
    });
    const definition = load(compiled)['__wolfe_runbook__'] as sdk.RunbookDefinition<{ keys: string[]; key: string; brand: symbol; thrown: string }>;
    expect(Object.isFrozen(definition)).toBe(true);
    const got = await definition.handler({} as sdk.RunbookContext);
    let hostThrown = '';
    try {
      sdk.runbook(42 as never);
    } catch (e) {
      hostThrown = String(e);
    }
    expect(got).toEqual({ keys: Object.keys(sdk).sort(), key: sdk.RUNBOOK_BRAND_KEY, brand: sdk.RUNBOOK_BRAND, thrown: hostThrown });
  });

  it('names the script after the runbook, with only safe characters', async () => {
    expect((await ok({ 'index.ts': `${SDK_IMPORT}\nexport default runbook(() => 1);` }, 'team a/(x):1')).filename).toBe('team_a/_x__1/index.js');
  });

  it('keeps concurrent compilations apart and is fast', async () => {
    const runbookWith = (n: number) => ({ 'index.ts': `${SDK_IMPORT}\nimport { n } from './lib/n';\nexport default runbook(() => n);\n`, 'lib/n.ts': `export const n = ${n};\n` });
    await ok(runbookWith(0)); // warm the esbuild service
    const started = performance.now();
    const compiled = await Promise.all(Array.from({ length: 20 }, (_, i) => ok(runbookWith(i))));
    const perRunbook = (performance.now() - started) / 20;
    for (const [i, c] of compiled.entries()) {
      const definition = load(c)['__wolfe_runbook__'] as sdk.RunbookDefinition;
      expect(definition.handler({} as sdk.RunbookContext)).toBe(i);
    }
    expect(perRunbook).toBeLessThan(100);
  });
});
