import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Actor,
  DEFAULT_LIFECYCLE_SETTINGS,
  type LifecycleProject,
  LifecycleRefusedError,
  RunbookLifecycle,
  type RunbookSandbox,
  type Store,
  silentLogger,
  systemClock,
} from '@wolfe/application';
import { compileRunbook } from '@wolfe/compiler';
import { RunbookRepository } from '@wolfe/git';
import { openSqliteStore } from '@wolfe/store-sqlite';
import { GitRunbookRepository } from './git-repository';
import { code, manifest, seedFolder } from './testing';
import { typeCheckRunbook } from './typecheck';

const ADMIN: Actor = { principal: 'admin', displayName: null, email: 'admin@wolfe.local' };
const sandbox: RunbookSandbox = { run: async () => ({ status: 'succeeded', result: null }), dispose: async () => undefined };

/** The use-cases straight over a real repository (no HTTP): project settings. */
describe('RunbookLifecycle project settings', () => {
  let tmp: string;
  let store: Store;
  let seed: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'wolfe-lifecycle-app-'));
    seed = await seedFolder({ echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('v1') } });
    store = await openSqliteStore({ path: join(tmp, 'wolfe.db') });
  });
  afterEach(async () => {
    await store.close();
    await rm(tmp, { recursive: true, force: true });
    await rm(seed, { recursive: true, force: true });
  });

  async function lifecycle(allowSkipTest: boolean): Promise<{ service: RunbookLifecycle; repo: RunbookRepository; refreshed: () => number }> {
    const repo = await RunbookRepository.open({ path: join(tmp, `r-${allowSkipTest}.git`), seedFrom: seed, branches: ['dev', 'test', 'prod'] });
    let refreshes = 0;
    const project: LifecycleProject = {
      name: 'default',
      repository: new GitRunbookRepository(repo),
      settings: { ...DEFAULT_LIFECYCLE_SETTINGS, allowSkipTest },
      runtime: { snapshot: () => null, refresh: async () => (refreshes += 1), kick: () => undefined },
      remoteUrl: null,
    };
    const service = new RunbookLifecycle({
      projects: { list: () => [project], get: (n) => (n === 'default' ? project : null) },
      store,
      sandbox,
      compile: (name, files) => compileRunbook({ name, files }),
      typeCheck: typeCheckRunbook,
      tests: null,
      clock: systemClock,
      logger: silentLogger,
    });
    return { service, repo, refreshed: () => refreshes };
  }

  it('dev → prod is refused by default and allowed when the project allows skipping test', async () => {
    for (const allow of [false, true]) {
      const { service, repo, refreshed } = await lifecycle(allow);
      const base = await repo.head('dev');
      await service.save('default', 'echo', { manifest: manifest('echo', 'Echo'), code: code('v2'), message: 'v2', baseVersion: base }, ADMIN);
      const attempt = service.promote('default', 'echo', { from: 'dev', to: 'prod', reason: 'hotfix' }, ADMIN);
      if (!allow) {
        await expect(attempt).rejects.toBeInstanceOf(LifecycleRefusedError);
        expect(await repo.readFile('prod', 'echo/index.ts')).toBe(code('v1'));
        continue;
      }
      const done = await attempt;
      expect(done).toMatchObject({ env: 'prod', changed: true, live: false });
      expect(await repo.readFile('prod', 'echo/index.ts')).toBe(code('v2'));
      expect(await repo.readFile('test', 'echo/index.ts')).toBe(code('v1'));
      // Every commit notifies the runtime at once (the catalog refresh that makes it live).
      expect(refreshed()).toBe(2);
    }
  });
});
