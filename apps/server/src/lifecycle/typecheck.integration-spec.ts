import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileRunbook } from '@wolfe/compiler';
import type { CompileRunbook } from '@wolfe/application';
import { typeCheckedCompile, typeCheckFiles, typeCheckRunbook } from './typecheck';

const seeded = (name: string): Map<string, string> => new Map([['index.ts', readFileSync(resolve(__dirname, `../../../../runbooks/${name}/index.ts`), 'utf8')]]);
const head = "import { runbook } from '@wolfe/sdk';\n";

describe('type-checking runbooks against @wolfe/sdk (in-memory TypeScript program)', () => {
  it('accepts the seeded runbooks, relative imports, console and the whole ctx', () => {
    expect(typeCheckFiles(seeded('disk-cleanup'))).toEqual([]);
    expect(typeCheckFiles(seeded('error-budget-note'))).toEqual([]);
    const files = new Map([
      ['index.ts', `${head}import { parse } from './lib/parse';\nimport { twice } from './lib/more.ts';\nexport default runbook(async (ctx) => {\n  console.log('x', 1);\n  const n: number = parse(ctx.event.labels['v'] ?? '1');\n  await ctx.step('double', () => twice(n));\n  ctx.attach('n', { n });\n  return { n, env: ctx.env, p: ctx.params };\n});\n`],
      ['lib/parse.ts', 'export const parse = (s: string): number => Number(s);\n'],
      ['lib/more.ts', 'export function twice(n: number): number { return n * 2; }\n'],
    ]);
    expect(typeCheckFiles(files)).toEqual([]);
  });

  it('names file and line of each type error, and knows nothing of Node', () => {
    const files = new Map([
      ['index.ts', `${head}import { helper } from './lib/h';\nexport default runbook(async (ctx) => {\n  ctx.log.infoo('typo');\n  const port: number = ctx.event.labels.port;\n  return helper(process.env.HOME);\n});\n`],
      ['lib/h.ts', 'export const helper = (x: string): string => {\n  return x.toFixed(2);\n};\n'],
    ]);
    const problems = typeCheckFiles(files);
    const lines = problems.map((p) => `${p.file}:${p.line} ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^index\.ts:4 TS2551: Property 'infoo' does not exist on type 'RunbookLogger'/),
        expect.stringMatching(/^index\.ts:5 TS2322: Type 'string' is not assignable to type 'number'/),
        expect.stringMatching(/^index\.ts:6 TS2591: Cannot find name 'process'\. Runbooks run in a sandbox: ECMAScript, console and ctx only/),
        expect.stringMatching(/^lib\/h\.ts:2 TS2551: Property 'toFixed' does not exist on type 'string'/),
      ]),
    );
    expect(typeCheckFiles(new Map([['index.ts', "import fs from 'fs';\nexport default fs;\n"]]))[0]?.message).toMatch(/Cannot find (module|name) 'fs'.*sandbox/);
  });

  it('is quick once the library is parsed, and caches by content', async () => {
    const files = seeded('disk-cleanup');
    await typeCheckRunbook('disk-cleanup', files);
    const variant = new Map([['index.ts', `${files.get('index.ts')}\n// ${Date.now()}\n`]]);
    const t = performance.now();
    expect(await typeCheckRunbook('disk-cleanup', variant)).toEqual([]);
    const ms = performance.now() - t;
    expect(ms).toBeLessThan(1000);
    const again = performance.now();
    await typeCheckRunbook('disk-cleanup', variant);
    expect(performance.now() - again).toBeLessThan(5);
  });

  it('makes the loader refuse code that compiles but does not type-check', async () => {
    const compile: CompileRunbook = (name, files) => compileRunbook({ name, files });
    const loader = typeCheckedCompile(compile);
    const bad = new Map([['index.ts', `${head}export default runbook(async (ctx) => ctx.event.labels.x.toFixed());\n`], ['runbook.yaml', 'name: x\n']]);
    expect((await compile('x', bad)).ok).toBe(true);
    const out = await loader('x', bad);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.problems[0]).toMatchObject({ file: 'index.ts', line: 2 });
    expect((await loader('disk-cleanup', seeded('disk-cleanup'))).ok).toBe(true);
  });
});
