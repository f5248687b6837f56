// The `wolfe` CLI as a real child process: bundled by scripts/build-cli.mjs, run with node
// --no-node-snapshot on runbooks/disk-cleanup and on broken runbooks written to a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

jest.setTimeout(120_000);

const ROOT = process.cwd();
let work = '';
let bundle = '';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function wolfe(...args: string[]): Result {
  const r = spawnSync(process.execPath, ['--no-node-snapshot', bundle, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  // A signal (the timeout's SIGTERM, or a SIGKILL) leaves status null: say which, with stderr.
  if (r.status === null) process.stderr.write(`wolfe ${args.join(' ')}: ended by ${String(r.signal)} after spawn; stderr:\n${r.stderr}\n`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a runbook folder `<work>/<name>/` and returns its path. */
function runbookDir(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

const manifest = (name: string, extra = 'timeout: 2s\nmemory: 16\n') =>
  `name: ${name}\ndescription: a test runbook\nowner: team-test\ntriggers:\n  - match: '{alertname="DiskAlmostFull"}'\n${extra}`;

const BROKEN = {
  'runbook.yaml': manifest('broken-disk'),
  'index.ts': [
    "import { runbook } from '@wolfe/sdk';",
    "import { measure } from './lib/measure';",
    '',
    'export default runbook(async (ctx) => {',
    "  ctx.log.info('measuring', { instance: ctx.event.labels['instance'] ?? 'unknown' });",
    "  const free = await ctx.step('measure', () => measure(ctx.params['mount'] as string | undefined));",
    '  return { free };',
    '});',
    '',
  ].join('\n'),
  'lib/measure.ts': [
    'export function measure(mount: string | undefined): number {',
    '  if (mount === undefined) {',
    "    throw new RangeError('no mount given');",
    '  }',
    '  return 42;',
    '}',
    '',
  ].join('\n'),
  'tests/passes.yaml': 'params: { mount: /var }\nexpect:\n  result: { free: 42 }\n  steps: [{ name: measure, status: succeeded }]\n',
  'tests/throws.yaml': 'name: expects success but the runbook throws\nevent: { labels: { alertname: DiskAlmostFull, instance: db-9 } }\nexpect:\n  status: succeeded\n',
  'tests/wrong-result.yaml': 'params: { mount: /var }\nexpect:\n  result: { free: 41 }\n  logs: [not in the log]\n',
  'tests/typo.yaml': 'expect:\n  reslt: 1\n',
};

beforeAll(() => {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'tmp', 'cli-spec-'));
  bundle = join(work, 'cli', 'main.js');
  const build = spawnSync(process.execPath, ['scripts/build-cli.mjs', '--outfile', bundle], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build-cli failed: ${build.stderr}`);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('wolfe run', () => {
  it('runs runbooks/disk-cleanup with a raw Alertmanager webhook: logs, result, exit 0', () => {
    const r = wolfe('run', 'runbooks/disk-cleanup', '--event', 'runbooks/disk-cleanup/fixtures/alertmanager-firing.json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^disk-cleanup: running with DiskAlmostFull \(firing\), timeout 30s, memory 64 MiB\n/);
    expect(r.stdout).toMatch(/ info {2}disk almost full \{"instance":"db-1:9100","mountpoint":"\/var","severity":"warning"\}\n/);
    expect(r.stdout).toMatch(/succeeded in \d+ ms\nresult:\n/);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf('result:\n') + 8))).toEqual({ instance: 'db-1:9100', mountpoint: '/var', plan: ['rotated-logs'] });
  });

  it('takes a normalized event, params and env, and prints JSON with --json', () => {
    const event = join(work, 'event.json');
    writeFileSync(event, JSON.stringify({ labels: { alertname: 'DiskAlmostFull', instance: 'db-7', severity: 'critical' }, annotations: { used_percent: '99' } }));
    const r = wolfe('run', 'runbooks/disk-cleanup', '--event', event, '--env', 'prod', '--json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; result: unknown; logs: { level: string; message: string }[]; steps: unknown[] };
    expect(out).toMatchObject({ status: 'succeeded', result: { instance: 'db-7', mountpoint: '/', plan: ['rotated-logs', 'package-cache', 'tmp'] }, steps: [] });
    expect(out.logs.map((l) => l.level)).toEqual(['info', 'info', 'warn']);
  });

  it('fails with exit 1, the error and its TypeScript location, and shows the step that failed', () => {
    const dir = runbookDir('broken-disk', BROKEN);
    const r = wolfe('run', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('broken-disk: running with a manual event (no --event), timeout 2s, memory 16 MiB');
    expect(r.stdout).toMatch(/step 0 "measure" failed \(\d+ ms\) ✗ RangeError: no mount given/);
    expect(r.stderr).toMatch(/^failed after \d+ ms\nRangeError: no mount given \(at lib\/measure\.ts:3:11\)\n {4}at measure \(lib\/measure\.ts:3:11\)\n/);
    expect(r.stderr).toContain("  > 3 |     throw new RangeError('no mount given');\n");
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\/work\/|node_modules|wolfe:bootstrap/);
  });

  it('ends a runbook that runs past its timeout as timed_out, exit 1', () => {
    const dir = runbookDir('spinner', { 'runbook.yaml': manifest('spinner', 'timeout: 500ms\n'), 'index.ts': "import { runbook } from '@wolfe/sdk';\nexport default runbook(() => { for (;;) {} });\n" });
    const started = Date.now();
    const r = wolfe('run', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^timed_out after \d+ ms\nTimeoutError: the runbook exceeded the 500ms timeout set in runbook\.yaml \[limit: timeout\]/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses a runbook whose runbook.yaml or code does not load, naming file and line', () => {
    const dir = runbookDir('bad-manifest', {
      'runbook.yaml': manifest('bad-manifest', 'timeout: soon\n'),
      'index.ts': "import { runbook } from '@wolfe/sdk';\nimport { readFileSync } from 'fs';\nexport default runbook(() => readFileSync);\n",
    });
    const r = wolfe('run', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad-manifest: the runbook does not load:');
    expect(r.stderr).toContain(`bad-manifest/runbook.yaml:6 timeout: 'soon' is not a duration; write e.g. 30s, 500ms or 2m`);
    expect(r.stderr).toMatch(/bad-manifest\/index\.ts:2 .*imports 'fs'/);
  });

  it('exits 2 for bad usage: no such folder, an event file that is not an event', () => {
    expect(wolfe('run', join(work, 'nope'))).toMatchObject({ status: 2, stderr: expect.stringContaining('no such folder') });
    const bad = join(work, 'bad-event.json');
    writeFileSync(bad, JSON.stringify({ labels: { alertname: 5 } }));
    expect(wolfe('run', 'runbooks/disk-cleanup', '--event', bad)).toMatchObject({ status: 2, stderr: expect.stringContaining('not a valid event: labels.alertname') });
    expect(wolfe('run')).toMatchObject({ status: 2, stderr: expect.stringContaining("missing required argument 'runbook-dir'") });
  });
});

describe('wolfe test', () => {
  it('passes the tests of runbooks/disk-cleanup', () => {
    const r = wolfe('test', 'runbooks/disk-cleanup');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^disk-cleanup: 2 tests\n {2}✓ a critical disk gets the full cleanup plan \(\d+ ms\)\n {2}✓ a warning from Alertmanager plans rotated logs only \(\d+ ms\)\n2 passed, 0 failed/);
  });

  it('reports each failing test with the line of the test file and of the runbook, exit 1', () => {
    const dir = runbookDir('broken-disk', BROKEN);
    const r = wolfe('test', dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('broken-disk: 4 tests');
    expect(r.stdout).toMatch(/ {2}✓ passes \(\d+ ms\)/);
    expect(r.stdout).toMatch(/ {2}✗ expects success but the runbook throws \(\d+ ms\)\n {6}tests\/throws\.yaml:4: expected status succeeded, got failed\n {8}RangeError: no mount given \(at lib\/measure\.ts:3:11\)/);
    expect(r.stdout).toMatch(/ {2}✗ wrong-result \(\d+ ms\)\n {6}tests\/wrong-result\.yaml:3: result\.free: expected 41, got 42\n {6}tests\/wrong-result\.yaml:4: no log line contains "not in the log"/);
    expect(r.stdout).toContain('  ✗ tests/typo.yaml\n      tests/typo.yaml:2: unknown field expect.reslt; the fields are status, result, resultIncludes, error, logs, steps');
    expect(r.stderr).toMatch(/^1 passed, 3 failed/);
  });

  it('runs only the matching tests with --filter, and fails when there are none', () => {
    const dir = runbookDir('broken-disk', BROKEN);
    expect(wolfe('test', dir, '--filter', 'passes')).toMatchObject({ status: 0, stdout: expect.stringContaining('1 passed, 0 failed') });
    const none = runbookDir('no-tests', { 'runbook.yaml': manifest('no-tests'), 'index.ts': "import { runbook } from '@wolfe/sdk';\nexport default runbook(() => 1);\n" });
    expect(wolfe('test', none)).toMatchObject({ status: 1, stderr: expect.stringContaining('no-tests: no tests; add tests/<name>.yaml') });
  });
});
