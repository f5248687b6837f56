// The lifecycle through the `wolfe` CLI (a real child process, bundled by
// scripts/build-cli.mjs) against a real server: the same operations as the API.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from './testing/test-server';

jest.setTimeout(90_000);
const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');

describe('wolfe CLI: lifecycle commands over the API', () => {
  let s: TestServer;
  let work: string;
  let bundle: string;

  beforeAll(async () => {
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    work = mkdtempSync(join(ROOT, 'tmp', 'cli-lifecycle-'));
    bundle = join(work, 'cli.js');
    const build = spawnSync(process.execPath, ['scripts/build-cli.mjs', '--outfile', bundle], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build-cli failed: ${build.stderr}`);
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function wolfe(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    try {
      const r = await run(process.execPath, ['--no-node-snapshot', bundle, ...args], {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: '', WOLFE_URL: s.url, WOLFE_TOKEN: s.token },
        timeout: 30_000,
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof x.code === 'number' ? x.code : -1, out: x.stdout ?? '', err: x.stderr ?? '' };
    }
  }

  it('pushes a runbook to dev, promotes it to test, and reads its history and diff', async () => {
    const dir = join(work, 'cli-note');
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'runbook.yaml'), "name: cli-note\ndescription: pushed by the CLI\nowner: tests\ntriggers:\n  - match: 'alertname=\"CliNote\"'\n");
    writeFileSync(join(dir, 'index.ts'), "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => ({ hello: ctx.event.labels.alertname }));\n");
    writeFileSync(join(dir, 'tests', 'hello.yaml'), 'name: says hello\nevent:\n  labels: { alertname: CliNote }\nexpect:\n  status: succeeded\n  result: { hello: CliNote }\n');

    const pushed = await wolfe('push', 'default', dir, '-m', 'add cli-note');
    expect(pushed.err).toBe('');
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.out)).toMatchObject({ version: expect.stringMatching(/^[0-9a-f]{40}$/) });

    const promoted = await wolfe('promote', 'default', 'cli-note', '--from', 'dev', '--to', 'test', '--reason', 'cli test');
    expect(promoted.code).toBe(0);
    expect(promoted.out).toContain('"tests"');

    const history = JSON.parse((await wolfe('history', 'default', 'cli-note', '--env', 'test')).out) as { items: { message: string }[] };
    expect(history.items[0]?.message).toContain('cli test');

    const diff = await wolfe('diff', 'default', 'cli-note', '--from', 'prod', '--to', 'test');
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('+export default runbook');

    const skip = await wolfe('promote', 'default', 'cli-note', '--from', 'dev', '--to', 'prod');
    expect(skip.code).toBe(1);
    expect(skip.err).toMatch(/^wolfe: 422: /);
  });

  it('lists projects and runbooks, and refuses a bad token with the server message', async () => {
    expect(JSON.parse((await wolfe('projects')).out)).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ name: 'default' })]) });
    expect((await wolfe('runbooks', 'default', '--env', 'prod')).out).toContain('disk-cleanup');
    const bad = await wolfe('projects', '--token', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('401');
  });
});
