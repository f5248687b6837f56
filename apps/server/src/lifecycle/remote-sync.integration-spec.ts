import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@wolfe/application';
import { RunbookRepository } from '@wolfe/git';
import { RemoteSync } from './remote-sync';
import { code, gitIn, manifest, seedFolder } from './testing';

const BRANCHES = ['dev', 'test', 'prod'] as const;
const ALICE = { name: 'Alice', email: 'alice@example.com' };

describe('RemoteSync: a local bare repository as the bound remote', () => {
  let tmp: string;
  let seed: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'wolfe-remote-sync-'));
    seed = await seedFolder({ echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('v1') } });
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
    await rm(seed, { recursive: true, force: true });
  });

  it('pushes its branches, takes what others push, pushes its own commits, and leaves a diverged branch alone', async () => {
    const remote = join(tmp, 'origin.git');
    await mkdir(remote);
    gitIn(remote, 'init', '--quiet', '--bare', '--initial-branch=dev');
    const repo = await RunbookRepository.open({ path: join(tmp, 'local.git'), seedFrom: seed, branches: BRANCHES });
    await repo.bindRemote({ url: `file://${remote}` });
    let arrivals = 0;
    const sync = new RemoteSync(repo, BRANCHES, silentLogger, async () => (arrivals += 1));

    // The remote is empty: every branch is pushed.
    expect((await sync.sync()).map((b) => [b.branch, b.local, b.remote])).toEqual(BRANCHES.map((b) => [b, 'missing-on-remote', 'pushed']));
    expect(gitIn(remote, 'rev-parse', 'prod')).toBe(await repo.head('prod'));

    // Someone pushes to prod from a laptop: it arrives locally (and the catalog is told).
    gitIn(tmp, 'clone', '--quiet', '--branch', 'prod', `file://${remote}`, 'laptop');
    const laptop = join(tmp, 'laptop');
    await writeFile(join(laptop, 'echo', 'index.ts'), code('laptop'));
    gitIn(laptop, 'commit', '--quiet', '-am', 'hotfix from a laptop');
    gitIn(laptop, 'push', '--quiet', 'origin', 'prod');
    const rounds = await sync.sync();
    expect(rounds.find((b) => b.branch === 'prod')).toMatchObject({ local: 'fast-forward' });
    expect(arrivals).toBe(1);
    expect(await repo.readFile('prod', 'echo/index.ts')).toBe(code('laptop'));

    // A commit made locally (as the API does) goes out.
    const mine = await repo.commitFiles('dev', [{ path: 'echo/index.ts', content: code('v2') }], { message: 'v2', author: ALICE });
    expect((await sync.sync()).find((b) => b.branch === 'dev')).toMatchObject({ local: 'ahead', remote: 'pushed' });
    expect(gitIn(remote, 'rev-parse', 'dev')).toBe(mine);

    // Both sides commit to test: diverged, nothing moves either way, it is reported.
    const local = await repo.commitFiles('test', [{ path: 'echo/index.ts', content: code('local') }], { message: 'local', author: ALICE });
    gitIn(laptop, 'fetch', '--quiet', 'origin');
    gitIn(laptop, 'checkout', '--quiet', '-B', 'test', 'origin/test');
    await writeFile(join(laptop, 'echo', 'index.ts'), code('remote'));
    gitIn(laptop, 'commit', '--quiet', '-am', 'remote');
    gitIn(laptop, 'push', '--quiet', 'origin', 'test');
    const diverged = (await sync.sync()).find((b) => b.branch === 'test');
    expect(diverged).toMatchObject({ local: 'diverged', remote: 'not-pushed', message: expect.stringContaining('never forces') });
    expect(await repo.head('test')).toBe(local);
    expect(gitIn(remote, 'rev-parse', 'test')).toBe(gitIn(laptop, 'rev-parse', 'HEAD'));
  });

  it('queues one more round when asked during a round (a webhook during a poll), and reports its state', async () => {
    const remote = join(tmp, 'origin.git');
    await mkdir(remote);
    gitIn(remote, 'init', '--quiet', '--bare', '--initial-branch=dev');
    const repo = await RunbookRepository.open({ path: join(tmp, 'local.git'), seedFrom: seed, branches: BRANCHES });
    await repo.bindRemote({ url: `file://${remote}` });
    const fetch = repo.fetch.bind(repo);
    let fetches = 0;
    repo.fetch = async () => {
      fetches += 1;
      return fetch();
    };
    const sync = new RemoteSync(repo, BRANCHES, silentLogger, async () => undefined, { project: 'p' });
    expect(sync.state()).toMatchObject({ lastSyncAt: null, ok: false, branches: [] });
    const first = sync.sync();
    const second = sync.sync();
    const third = sync.sync();
    expect(third).toBe(second);
    expect(second).not.toBe(first);
    await Promise.all([first, second]);
    expect(fetches).toBe(2);
    expect(sync.state()).toMatchObject({ ok: true, error: null, branches: BRANCHES.map((branch) => expect.objectContaining({ branch })) });
    expect(sync.state().lastSyncAt).not.toBeNull();

    // A remote that went away: the round fails and the state says why.
    await rm(remote, { recursive: true, force: true });
    await sync.sync();
    expect(sync.state()).toMatchObject({ ok: false, error: expect.stringContaining('git fetch') });
    // Stopped: no more rounds.
    await sync.stop();
    const before = fetches;
    await sync.sync();
    expect(fetches).toBe(before);
  });
});
