import { buildCatalog, type CompileResult } from './catalog';

const manifest = (name: string, extra: string[] = []): string =>
  [`name: ${name}`, 'description: test runbook', 'owner: team-test', 'triggers:', `  - match: '{alertname="${name}"}'`, ...extra, ''].join('\n');

const INDEX = 'export default async function run() {}\n';

interface Compiled {
  name: string;
  files: string[];
}

/** A compile function that records its calls and succeeds. */
function recordingCompile() {
  const calls: { name: string; files: Map<string, string> }[] = [];
  const compile = async (name: string, files: ReadonlyMap<string, string>): Promise<CompileResult<Compiled>> => {
    calls.push({ name, files: new Map(files) });
    return { ok: true, compiled: { name, files: [...files.keys()].sort() } };
  };
  return { calls, compile };
}

describe('buildCatalog', () => {
  it('loads every runbook folder, gives compile folder-relative paths and ignores root files', async () => {
    const files = new Map([
      ['README.md', '# runbooks'],
      ['package.json', '{}'],
      ['disk-cleanup/runbook.yaml', manifest('disk-cleanup')],
      ['disk-cleanup/index.ts', INDEX],
      ['disk-cleanup/lib/util.ts', 'export const x = 1;'],
      ['disk-cleanup/index.spec.ts', 'test'],
      ['alpha/runbook.yaml', manifest('alpha', ['timeout: 2m', 'memory: 128'])],
      ['alpha/index.ts', INDEX],
    ]);
    const { calls, compile } = recordingCompile();
    const catalog = await buildCatalog(files, compile);

    expect(catalog.problems).toEqual([]);
    expect(catalog.runbooks.map((r) => r.name)).toEqual(['alpha', 'disk-cleanup']);
    const alpha = catalog.runbooks[0];
    expect(alpha?.manifest).toMatchObject({ name: 'alpha', timeoutMs: 120_000, memoryMiB: 128 });
    expect(alpha?.compiled).toEqual({ name: 'alpha', files: ['index.ts', 'runbook.yaml'] });
    expect(catalog.runbooks[1]?.compiled.files).toEqual(['index.spec.ts', 'index.ts', 'lib/util.ts', 'runbook.yaml']);
    expect(calls.find((c) => c.name === 'disk-cleanup')?.files.get('lib/util.ts')).toBe('export const x = 1;');
  });

  it('ignores dot folders and node_modules', async () => {
    const files = new Map([
      ['.github/workflows/ci.yaml', 'on: push'],
      ['node_modules/foo/index.ts', ''],
      ['a/runbook.yaml', manifest('a')],
      ['a/index.ts', INDEX],
    ]);
    const catalog = await buildCatalog(files, recordingCompile().compile);
    expect(catalog).toEqual({ runbooks: [expect.objectContaining({ name: 'a' })], problems: [] });
  });

  it('rejects a manifest whose name differs from its folder, with the line of name, and keeps the others', async () => {
    const files = new Map([
      ['good/runbook.yaml', manifest('good')],
      ['good/index.ts', INDEX],
      ['disk-cleanup/runbook.yaml', ['# the manifest', manifest('disk-clean-up')].join('\n')],
      ['disk-cleanup/index.ts', INDEX],
    ]);
    const catalog = await buildCatalog(files, recordingCompile().compile);
    expect(catalog.runbooks.map((r) => r.name)).toEqual(['good']);
    expect(catalog.problems).toEqual([
      {
        runbook: 'disk-cleanup',
        file: 'disk-cleanup/runbook.yaml',
        field: 'name',
        line: 2,
        message: expect.stringContaining('name: disk-clean-up does not match the folder name disk-cleanup'),
      },
    ]);
  });

  it('reports manifest problems with repository paths', async () => {
    const files = new Map([
      ['a/runbook.yaml', manifest('a', ["timeout: '30 seconds'"])],
      ['a/index.ts', INDEX],
    ]);
    const catalog = await buildCatalog(files, recordingCompile().compile);
    expect(catalog.problems).toEqual([
      { runbook: 'a', file: 'a/runbook.yaml', field: 'timeout', line: 6, message: "timeout: '30 seconds' is not a duration; write e.g. 30s, 500ms or 2m" },
    ]);
    expect(catalog.runbooks).toEqual([]);
  });

  it('requires index.ts and does not compile without it', async () => {
    const files = new Map([['a/runbook.yaml', manifest('a')], ['a/main.ts', INDEX]]);
    const { calls, compile } = recordingCompile();
    const catalog = await buildCatalog(files, compile);
    expect(calls).toEqual([]);
    expect(catalog.problems).toEqual([{ runbook: 'a', file: 'a/index.ts', field: null, line: null, message: expect.stringContaining('a/ has no index.ts') }]);
  });

  it('requires runbook.yaml and names a misnamed one', async () => {
    const files = new Map([
      ['a/index.ts', INDEX],
      ['b/runbook.yml', manifest('b')],
      ['b/index.ts', INDEX],
    ]);
    const catalog = await buildCatalog(files, recordingCompile().compile);
    expect(catalog.runbooks).toEqual([]);
    expect(catalog.problems).toEqual([
      { runbook: 'a', file: 'a/runbook.yaml', field: null, line: null, message: expect.stringContaining('a/ has no runbook.yaml') },
      { runbook: 'b', file: 'b/runbook.yaml', field: null, line: null, message: 'b/runbook.yml must be named runbook.yaml; rename it' },
    ]);
  });

  it('reports a folder name that is not a valid runbook name', async () => {
    const files = new Map([
      ['Disk_Cleanup/runbook.yaml', manifest('disk-cleanup')],
      ['Disk_Cleanup/index.ts', INDEX],
    ]);
    const catalog = await buildCatalog(files, recordingCompile().compile);
    expect(catalog.problems.map((p) => [p.runbook, p.field])).toEqual([
      ['Disk_Cleanup', null],
      ['Disk_Cleanup', 'name'],
    ]);
    expect(catalog.problems[0]?.message).toContain('e.g. disk-cleanup');
  });

  it('collects compile problems (rewriting folder-relative paths) and compile crashes per runbook', async () => {
    const files = new Map([
      ['broken/runbook.yaml', manifest('broken')],
      ['broken/index.ts', 'export default 1 +;'],
      ['crashing/runbook.yaml', manifest('crashing')],
      ['crashing/index.ts', INDEX],
      ['fine/runbook.yaml', manifest('fine')],
      ['fine/index.ts', INDEX],
    ]);
    const catalog = await buildCatalog(files, async (name): Promise<CompileResult<string>> => {
      if (name === 'broken') {
        return {
          ok: false,
          problems: [
            { file: 'index.ts', field: null, line: 1, message: 'Expression expected' },
            { file: 'sdk/types.d.ts', field: null, line: 3, message: 'not a folder file: kept as is' },
          ],
        };
      }
      if (name === 'crashing') throw new Error('esbuild service stopped');
      return { ok: true, compiled: `compiled ${name}` };
    });
    expect(catalog.runbooks).toEqual([{ name: 'fine', manifest: expect.objectContaining({ name: 'fine' }), compiled: 'compiled fine' }]);
    expect(catalog.problems).toEqual([
      { runbook: 'broken', file: 'broken/index.ts', field: null, line: 1, message: 'Expression expected' },
      { runbook: 'broken', file: 'sdk/types.d.ts', field: null, line: 3, message: 'not a folder file: kept as is' },
      { runbook: 'crashing', file: 'crashing/index.ts', field: null, line: null, message: 'could not compile: esbuild service stopped' },
    ]);
  });

  it('reports manifest and compile problems of one runbook together', async () => {
    const files = new Map([
      ['a/runbook.yaml', manifest('a', ['memory: 1024'])],
      ['a/index.ts', 'syntax error'],
    ]);
    const catalog = await buildCatalog(files, async () => ({ ok: false, problems: [{ file: 'index.ts', field: null, line: 1, message: 'bad' }] }));
    expect(catalog.problems.map((p) => [p.file, p.field])).toEqual([
      ['a/runbook.yaml', 'memory'],
      ['a/index.ts', null],
    ]);
  });

  it('runs at most `concurrency` compiles at once', async () => {
    const files = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      files.set(`r${i}/runbook.yaml`, manifest(`r${i}`));
      files.set(`r${i}/index.ts`, INDEX);
    }
    let running = 0;
    let peak = 0;
    const catalog = await buildCatalog(
      files,
      async (name) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { ok: true, compiled: name };
      },
      { concurrency: 3 },
    );
    expect(catalog.runbooks).toHaveLength(10);
    expect(peak).toBe(3);
  });

  it('returns an empty catalog for an empty repository', async () => {
    expect(await buildCatalog(new Map(), recordingCompile().compile)).toEqual({ runbooks: [], problems: [] });
  });
});
