import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleRunbookListDto, PromotionResultDto, RunbookCatalogDto } from '@wolfe/api-types';
import { call, code, executionFor, gitIn, manifest, seedFolder, sendAlert } from './lifecycle/testing';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const P = '/api/v1/projects/default';

/**
 * GitOps: commits that reach a branch without the API (here: pushed with plain git straight
 * into the server's bare repository) are validated like a promotion and reported.
 */
describe('commits that arrive outside the API (GitOps)', () => {
  let s: TestServer;
  let seedDir: string;
  let work: string;

  beforeAll(async () => {
    seedDir = await seedFolder({
      echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('v1') },
      calm: { 'runbook.yaml': manifest('calm', 'Calm'), 'index.ts': code('calm-v1') },
    });
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir, WOLFE_REFRESH_MS: '100' } });
    work = await mkdtemp(join(tmpdir(), 'wolfe-gitops-work-'));
    gitIn(work, 'clone', '--quiet', `file://${join(s.dataDir, 'repos', 'default.git')}`, 'repo');
  });
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  const repo = (): string => join(work, 'repo');
  async function pushTo(branch: string, files: Record<string, string>, message: string): Promise<string> {
    gitIn(repo(), 'fetch', '--quiet', 'origin');
    gitIn(repo(), 'checkout', '--quiet', '-B', branch, `origin/${branch}`);
    for (const [path, content] of Object.entries(files)) await writeFile(join(repo(), path), content);
    gitIn(repo(), 'add', '-A');
    gitIn(repo(), 'commit', '--quiet', '-m', message);
    gitIn(repo(), 'push', '--quiet', 'origin', branch);
    return gitIn(repo(), 'rev-parse', 'HEAD');
  }
  const list = async (env: string) => (await call<LifecycleRunbookListDto>(s, 'GET', `${P}/runbooks?env=${env}`)).body;

  it('an invalid runbook pushed to prod is reported (API); its previous valid version keeps running', async () => {
    const pushed = await pushTo('prod', { 'echo/index.ts': code('v2', '  const n: number = ctx.event.labels.instance;\n  ctx.log.info(String(n));\n') }, 'hotfix echo straight on prod');
    const catalog = await eventually(async () => {
      const c = (await (await api(s, '/api/v1/runbooks?env=prod')).json()) as RunbookCatalogDto;
      return c.version === pushed ? c : undefined;
    });
    expect(catalog.items.map((r) => r.name).sort()).toEqual(['calm', 'echo']);
    const kept = catalog.items.find((r) => r.name === 'echo');
    expect(kept?.version).not.toBe(pushed);
    expect(catalog.problems).toEqual([expect.objectContaining({ runbook: 'echo', file: 'echo/index.ts', line: 5, message: expect.stringContaining("TS2322: Type 'string' is not assignable to type 'number'") })]);

    const echo = await eventually(async () => (await list('prod')).items.find((r) => r.name === 'echo' && r.validation !== null));
    expect(echo.problems[0]).toMatchObject({ file: 'echo/index.ts', line: 5 });
    expect(echo.validation).toMatchObject({ commit: pushed, ok: false });
    expect(echo.validation?.gates.find((g) => g.name === 'typecheck')).toMatchObject({ status: 'failed', problems: [expect.objectContaining({ file: 'echo/index.ts', line: 5 })] });

    expect((await executionFor(s, await sendAlert(s, 'prod', 'Calm'))).result).toMatchObject({ variant: 'calm-v1', env: 'prod' });
    // The broken commit did not take the runbook away: the last valid version answers.
    const echoRun = await executionFor(s, await sendAlert(s, 'prod', 'Echo'));
    expect(echoRun.status).toBe('succeeded');
    expect(echoRun.result).toMatchObject({ variant: 'v1', env: 'prod' });
    expect(echoRun.version).toBe(kept?.version);
  });

  it('a valid commit that fails its replay is loaded and flagged with the failing event', async () => {
    expect((await executionFor(s, await sendAlert(s, 'test', 'Calm', { mode: 'boom' }))).status).toBe('succeeded');
    const pushed = await pushTo('test', { 'calm/index.ts': code('calm-v2', "  if (ctx.event.labels['mode'] === 'boom') throw new Error('no boom');\n") }, 'calm v2 from a laptop');
    const calm = await eventually(async () => {
      const l = await list('test');
      return l.commit === pushed ? l.items.find((r) => r.name === 'calm' && r.validation?.commit === pushed) : undefined;
    });
    expect(calm.problems).toEqual([]);
    expect(calm.validation?.ok).toBe(false);
    expect(calm.validation?.gates.find((g) => g.name === 'replay')).toMatchObject({ status: 'failed', count: '0/1', message: expect.stringContaining('no boom') });
    expect((await executionFor(s, await sendAlert(s, 'test', 'Calm', { mode: 'fine' }))).result).toMatchObject({ variant: 'calm-v2' });
  });

  it('a commit made through the API is not re-validated; a clean pushed commit validates ok', async () => {
    const promoted = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'test', reason: 'sync' });
    // dev and test hold the same echo (seed): nothing to promote, so edit dev first.
    expect(promoted.status).toBe(201);
    const pushed = await pushTo('dev', { 'echo/index.ts': code('v5') }, 'clean change');
    const echo = await eventually(async () => {
      const l = await list('dev');
      return l.commit === pushed ? l.items.find((r) => r.name === 'echo' && r.validation?.commit === pushed) : undefined;
    });
    expect(echo.validation?.ok).toBe(true);
    const viaApi = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'test', reason: 'v5' });
    expect(viaApi.status).toBe(201);
    await new Promise((r) => setTimeout(r, 400));
    expect((await list('test')).items.find((r) => r.name === 'echo')?.validation).toBeNull();
  });
});
