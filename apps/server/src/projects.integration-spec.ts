import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type {
  EventDetailDto,
  ExecutionDetailDto,
  ExecutionSummaryDto,
  LifecycleCommitResultDto,
  LifecycleRunbookListDto,
  PageDto,
  ProjectDto,
  ProjectListDto,
  ProjectSyncResultDto,
  PromotionResultDto,
  RunbookCatalogDto,
  RunbookHistoryDto,
} from '@wolfe/api-types';
import { call, code, finished, gitIn, manifest, seedFolder, sendAlert } from './lifecycle/testing';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

// Real git and a real server per describe: generous on a loaded machine.
jest.setTimeout(30_000);

const HOOK_SECRET = 'payments-webhook-secret-0123456789';
const ALL = ['dev', 'test', 'prod'] as const;

/** A bare repository standing in for GitHub: the runbooks on dev, test and prod, and a work clone to push from. */
function makeOrigin(dir: string, name: string, runbooks: Record<string, Record<string, string>>): Promise<{ origin: string; work: string }> {
  return (async () => {
    const origin = join(dir, `${name}.git`);
    await mkdir(origin, { recursive: true });
    gitIn(origin, 'init', '--quiet', '--bare', '--initial-branch=dev');
    const work = join(dir, `${name}-work`);
    gitIn(dir, 'clone', '--quiet', `file://${origin}`, `${name}-work`);
    for (const [rb, files] of Object.entries(runbooks)) {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(dirname(join(work, rb, file)), { recursive: true });
        await writeFile(join(work, rb, file), content);
      }
    }
    gitIn(work, 'add', '-A');
    gitIn(work, 'commit', '--quiet', '-m', `seed ${name}`);
    gitIn(work, 'push', '--quiet', 'origin', ...ALL.map((b) => `HEAD:refs/heads/${b}`));
    return { origin, work };
  })();
}

/** Someone else pushes to the remote: one commit on `branch`. */
async function pushFromLaptop(work: string, branch: string, files: Record<string, string>, message: string): Promise<string> {
  gitIn(work, 'fetch', '--quiet', 'origin');
  gitIn(work, 'checkout', '--quiet', '-B', branch, `origin/${branch}`);
  for (const [path, content] of Object.entries(files)) await writeFile(join(work, path), content);
  gitIn(work, 'commit', '--quiet', '-am', message);
  gitIn(work, 'push', '--quiet', 'origin', branch);
  return gitIn(work, 'rev-parse', 'HEAD');
}

/** Every finished execution an event started. */
async function executionsOf(s: TestServer, eventId: string, count: number): Promise<ExecutionDetailDto[]> {
  const ids = await eventually(
    async () => {
      const page = (await (await api(s, '/api/v1/executions?limit=100')).json()) as PageDto<ExecutionSummaryDto>;
      const mine = page.items.filter((e) => e.eventId === eventId);
      return mine.length >= count ? mine.map((e) => e.id) : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 20 },
  );
  return Promise.all(ids.map((id) => finished(s, id)));
}

const sign = (body: string, secret = HOOK_SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function webhook(s: TestServer, project: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: ProjectSyncResultDto & { message?: string } }> {
  const res = await fetch(`${s.url}/api/v1/projects/${project}/sync`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: (await res.json()) as ProjectSyncResultDto & { message?: string } };
}

describe('several projects, each its own git repository (real git, sqlite, isolated-vm)', () => {
  let tmp: string;
  let seed: string;
  let payments: { origin: string; work: string };
  let search: { origin: string; work: string };
  let s: TestServer;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'wolfe-projects-'));
    seed = await seedFolder({ echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('default-v1') } });
    payments = await makeOrigin(tmp, 'payments', { echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('payments-v1') } });
    search = await makeOrigin(tmp, 'search', { indexer: { 'runbook.yaml': manifest('indexer', 'Indexer'), 'index.ts': code('search-v1') } });
    const config = join(tmp, 'wolfe.yaml');
    await writeFile(
      config,
      [
        'projects:',
        '  - name: payments',
        `    remote: { url: "file://${payments.origin}" }`,
        '    pollInterval: 1h            # only the webhook fetches in these tests',
        '    allowSkipTest: true',
        '    webhookSecret: ${PAYMENTS_WEBHOOK_SECRET}',
        '  - name: search',
        `    remote: { url: "file://${search.origin}" }`,
        '    pollInterval: 1s',
        '  - name: broken',
        `    remote: { url: "file://${join(tmp, 'nowhere.git')}" }`,
        '',
      ].join('\n'),
    );
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seed, WOLFE_CONFIG: config, PAYMENTS_WEBHOOK_SECRET: HOOK_SECRET } });
  });
  afterAll(async () => {
    await s?.close();
    await rm(tmp, { recursive: true, force: true });
    await rm(seed, { recursive: true, force: true });
  });

  it('lists every project with its source, settings and sync state (one that cannot be cloned: unavailable, the others served); an unknown one is a 404 naming them', async () => {
    const list = await call<ProjectListDto>(s, 'GET', '/api/v1/projects');
    expect(list.body.items.map((p) => [p.name, p.source, p.allowSkipTest, p.webhook])).toEqual([
      ['default', 'embedded', false, false],
      ['payments', 'config', true, true],
      ['search', 'config', false, false],
    ]);
    const p = list.body.items[1] as ProjectDto;
    expect(p.remote).toBe(`file://${payments.origin}`);
    expect(p.heads.prod).toBe(gitIn(payments.origin, 'rev-parse', 'prod'));
    expect(p.sync).toMatchObject({ pollIntervalMs: 3_600_000, ok: true, error: null });
    expect(list.body.unavailable).toEqual([{ name: 'broken', reason: expect.stringContaining('git fetch from file://') }]);
    const missing = await call<{ message: string }>(s, 'GET', '/api/v1/projects/nope/runbooks?env=dev');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('known projects: default, payments, search');
    const catalog = await call<{ message: string }>(s, 'GET', '/api/v1/runbooks?project=nope');
    expect(catalog.status).toBe(404);
    expect(catalog.body.message).toContain('known projects: default, payments, search');
  });

  it('one alert runs the runbook of the same name in two projects, each at its own repository version', async () => {
    const eventId = await sendAlert(s, 'prod', 'Echo');
    const runs = await executionsOf(s, eventId, 2);
    const by = Object.fromEntries(runs.map((r) => [r.project, r]));
    expect(Object.keys(by).sort()).toEqual(['default', 'payments']);
    expect(by['default']).toMatchObject({ runbook: 'echo', status: 'succeeded', result: { variant: 'default-v1' } });
    expect(by['payments']).toMatchObject({ runbook: 'echo', status: 'succeeded', result: { variant: 'payments-v1', version: gitIn(payments.origin, 'rev-parse', 'prod') } });
    expect(by['payments']?.version).toBe(gitIn(payments.origin, 'rev-parse', 'prod'));
    expect(by['default']?.version).not.toBe(by['payments']?.version);

    // Filter by project; the summary names it.
    const only = (await call<PageDto<ExecutionSummaryDto>>(s, 'GET', '/api/v1/executions?project=payments&limit=100')).body.items;
    expect(only.length).toBeGreaterThan(0);
    expect(new Set(only.map((e) => e.project))).toEqual(new Set(['payments']));
    expect(only.some((e) => e.eventId === eventId)).toBe(true);
    expect((await call(s, 'GET', '/api/v1/executions?project=Not_A_Project')).status).toBe(400);

    // The explanation names the project of each candidate; the runbooks API serves each project's catalog.
    const detail = (await call<EventDetailDto>(s, 'GET', `/api/v1/events/${eventId}`)).body;
    expect(detail.explanation.filter((c) => c.origin === 'routing').map((c) => [c.project, c.runbook, c.matched])).toEqual([
      ['default', 'echo', true],
      ['payments', 'echo', true],
    ]);
    expect(detail.explanation.find((c) => c.runbook === 'indexer')).toMatchObject({ project: 'search', matched: false, origin: 'on_demand' });
    expect(Object.keys(detail.explainedAtByProject).sort()).toEqual(['default', 'payments', 'search']);
    const catalog = (await call<RunbookCatalogDto>(s, 'GET', '/api/v1/runbooks?project=payments&env=prod')).body;
    expect(catalog).toMatchObject({ project: 'payments', env: 'prod', items: [expect.objectContaining({ name: 'echo' })] });
    expect((await call<RunbookCatalogDto>(s, 'GET', '/api/v1/runbooks?env=prod')).body.project).toBe('default');

  });

  it('edits, promotes (with the project\'s own settings), shows history and diff in a project, and pushes Wolfe\'s commits to its remote', async () => {
    const P = '/api/v1/projects/payments';
    const saved = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: code('payments-v2'), message: 'payments v2' }, { 'x-wolfe-actor': 'Pat Payments' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ project: 'payments', env: 'dev', changed: true, live: true });
    await eventually(async () => (gitIn(payments.origin, 'rev-parse', 'dev') === saved.body.commit ? true : undefined));

    // payments allows dev → prod; the default project does not.
    const skip = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'prod', reason: 'hotfix' });
    expect(skip.status).toBe(201);
    expect(skip.body).toMatchObject({ project: 'payments', env: 'prod', changed: true, live: true });
    await eventually(async () => (gitIn(payments.origin, 'rev-parse', 'prod') === skip.body.commit ? true : undefined));
    expect(gitIn(payments.origin, 'log', '-1', '--format=%(trailers:key=Wolfe-Action,valueonly)', 'prod')).toBe('promote');
    expect((await call(s, 'POST', '/api/v1/projects/default/runbooks/echo/promotions', { from: 'dev', to: 'prod', reason: 'hotfix' })).status).toBe(422);

    const history = await call<RunbookHistoryDto>(s, 'GET', `${P}/runbooks/echo/history?env=prod`);
    expect(history.body).toMatchObject({ project: 'payments', items: [expect.objectContaining({ version: skip.body.commit, audit: expect.objectContaining({ action: 'promote' }) }), expect.anything()] });
    const diff = await call<{ project: string; diff: string }>(s, 'GET', `${P}/runbooks/echo/diff?from=test&to=prod`);
    expect(diff.body.project).toBe('payments');
    expect(diff.body.diff).toContain('payments-v2');

    // The new version runs for payments, the default project's echo is untouched.
    const runs = await executionsOf(s, await sendAlert(s, 'prod', 'Echo', { run: 'after-promotion' }), 2);
    expect(Object.fromEntries(runs.map((r) => [r.project, (r.result as { variant: string }).variant]))).toEqual({ default: 'default-v1', payments: 'payments-v2' });
  });

  it('takes a push by someone else through the sync webhook (signed), and refuses a bad or missing signature', async () => {
    const pushed = await pushFromLaptop(payments.work, 'prod', { 'echo/index.ts': code('payments-laptop') }, 'hotfix from a laptop');
    const body = JSON.stringify({ ref: 'refs/heads/prod', after: pushed });

    const unsigned = await webhook(s, 'payments', body, {});
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toContain('X-Hub-Signature-256');
    const wrong = await webhook(s, 'payments', body, { 'x-hub-signature-256': sign(body, 'not-the-secret-0123456789') });
    expect(wrong.status).toBe(401);
    const tampered = await webhook(s, 'payments', `${body} `, { 'x-hub-signature-256': sign(body) });
    expect(tampered.status).toBe(401);
    // A project without a secret (or an unknown one) answers the same: nothing to learn.
    const other = await webhook(s, 'search', body, { 'x-hub-signature-256': sign(body) });
    expect([other.status, other.body.message]).toEqual([401, wrong.body.message]);
    expect((await webhook(s, 'nope', body, { 'x-hub-signature-256': sign(body) })).body.message).toBe(wrong.body.message);
    expect((await call<LifecycleRunbookListDto>(s, 'GET', '/api/v1/projects/payments/runbooks?env=prod')).body.commit).not.toBe(pushed);

    const ok = await webhook(s, 'payments', body, { 'x-hub-signature-256': sign(body), 'x-github-event': 'push' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ project: 'payments', done: true, heads: { prod: pushed } });
    expect(ok.body.sync.branches.find((b) => b.branch === 'prod')).toMatchObject({ local: 'fast-forward' });
    // Live at once: the next alert runs it.
    const runs = await executionsOf(s, await sendAlert(s, 'prod', 'Echo', { run: 'after-webhook' }), 2);
    expect(runs.find((r) => r.project === 'payments')).toMatchObject({ version: pushed, result: { variant: 'payments-laptop' } });

    // GitLab's token header, and the admin token, work too.
    expect((await webhook(s, 'payments', '{}', { 'x-gitlab-token': HOOK_SECRET })).status).toBe(200);
    expect((await webhook(s, 'payments', '{}', { 'x-gitlab-token': 'wrong-secret-0123456789' })).status).toBe(401);
    expect((await call<ProjectSyncResultDto>(s, 'POST', '/api/v1/projects/payments/sync')).status).toBe(200);
    expect((await call(s, 'POST', '/api/v1/projects/default/sync')).status).toBe(422);
  });

  it('takes a push by someone else by polling (pollInterval), validated like any GitOps commit', async () => {
    const pushed = await pushFromLaptop(search.work, 'prod', { 'indexer/index.ts': code('search-polled') }, 'search: polled change');
    await eventually(async () => {
      const c = (await call<RunbookCatalogDto>(s, 'GET', '/api/v1/runbooks?project=search&env=prod')).body;
      return c.version === pushed ? c : undefined;
    });
    const [run] = await executionsOf(s, await sendAlert(s, 'prod', 'Indexer'), 1);
    expect(run).toMatchObject({ project: 'search', runbook: 'indexer', version: pushed, result: { variant: 'search-polled' } });
    // Commits that did not come through the API are gated (GitOps) like in the embedded repository.
    const indexer = await eventually(async () => (await call<LifecycleRunbookListDto>(s, 'GET', '/api/v1/projects/search/runbooks?env=prod')).body.items.find((r) => r.validation?.commit === pushed));
    expect(indexer.validation?.ok).toBe(true);
  });

  it('reports a branch that diverged from the remote, overwrites neither side, and refuses to commit on it', async () => {
    const local = join(s.dataDir, 'repos', 'payments.git');
    // Someone pushes straight into Wolfe's local copy, someone else to the remote: both moved.
    gitIn(tmp, 'clone', '--quiet', '--branch', 'test', `file://${local}`, 'payments-local-work');
    const localWork = join(tmp, 'payments-local-work');
    await writeFile(join(localWork, 'echo', 'index.ts'), code('payments-local-only'));
    gitIn(localWork, 'commit', '--quiet', '-am', 'straight into the local copy');
    gitIn(localWork, 'push', '--quiet', 'origin', 'test');
    const localHead = gitIn(localWork, 'rev-parse', 'HEAD');
    const remoteHead = await pushFromLaptop(payments.work, 'test', { 'echo/index.ts': code('payments-remote-only') }, 'on the remote');

    const synced = await call<ProjectSyncResultDto>(s, 'POST', '/api/v1/projects/payments/sync');
    expect(synced.body.sync.ok).toBe(false);
    expect(synced.body.sync.branches.find((b) => b.branch === 'test')).toMatchObject({ local: 'diverged', remote: 'not-pushed', message: expect.stringContaining('never forces') });
    expect(gitIn(local, 'rev-parse', 'test')).toBe(localHead);
    expect(gitIn(payments.origin, 'rev-parse', 'test')).toBe(remoteHead);
    const project = (await call<ProjectDto>(s, 'GET', '/api/v1/projects/payments')).body;
    expect(project.sync?.branches.find((b) => b.branch === 'test')?.local).toBe('diverged');

    const refused = await call<{ message: string }>(s, 'POST', '/api/v1/projects/payments/runbooks/echo/promotions', { from: 'dev', to: 'test', reason: 'would pile on' });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('diverged');
    expect(gitIn(local, 'rev-parse', 'test')).toBe(localHead);
  });
});

describe('projects created through the API', () => {
  let tmp: string;
  let seed: string;
  let dataDir: string;
  let ops: { origin: string; work: string };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'wolfe-projects-api-'));
    dataDir = join(tmp, 'data');
    seed = await seedFolder({ echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('default-v1') } });
    ops = await makeOrigin(tmp, 'ops', { restart: { 'runbook.yaml': manifest('restart', 'Restart'), 'index.ts': code('ops-v1') } });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
    await rm(seed, { recursive: true, force: true });
  });

  it('creates projects (empty, or cloned from a remote), refuses bad requests, and serves them again after a restart', async () => {
    const env = { WOLFE_SEED_DIR: seed, WOLFE_REFRESH_MS: '0' };
    const s1 = await startTestServer({ env, dataDir, server: { env: { OPS_TOKEN: 'not-used-by-file-remotes' } } });
    try {
      const scratch = await call<ProjectDto>(s1, 'POST', '/api/v1/projects', { name: 'scratch', allowSkipTest: true, replayEvents: 0 });
      expect(scratch.status).toBe(201);
      expect(scratch.body).toMatchObject({ name: 'scratch', source: 'api', remote: null, allowSkipTest: true, replayEvents: 0, sync: null });
      // Three branches on one empty commit.
      expect(new Set(ALL.map((e) => scratch.body.heads[e])).size).toBe(1);
      expect((await call<LifecycleRunbookListDto>(s1, 'GET', '/api/v1/projects/scratch/runbooks?env=dev')).body.items).toEqual([]);
      const saved = await call(s1, 'PUT', '/api/v1/projects/scratch/runbooks/echo', { manifest: manifest('echo', 'Echo'), code: code('scratch-v1'), message: 'first runbook' });
      expect(saved.status).toBe(200);

      const cloned = await call<ProjectDto>(s1, 'POST', '/api/v1/projects', { name: 'ops', remote: { url: `file://${ops.origin}` }, pollInterval: '1h' });
      expect(cloned.status).toBe(201);
      expect(cloned.body).toMatchObject({ name: 'ops', source: 'api', remote: `file://${ops.origin}`, heads: { prod: gitIn(ops.origin, 'rev-parse', 'prod') }, sync: { pollIntervalMs: 3_600_000 } });
      const [run] = await executionsOf(s1, await sendAlert(s1, 'prod', 'Restart'), 1);
      expect(run).toMatchObject({ project: 'ops', runbook: 'restart', result: { variant: 'ops-v1' } });

      // Refusals: a duplicate, a bad name, a secret in the body, a token variable that is not set, an unreachable remote.
      expect((await call(s1, 'POST', '/api/v1/projects', { name: 'ops' })).status).toBe(409);
      expect((await call(s1, 'POST', '/api/v1/projects', { name: 'default' })).status).toBe(409);
      expect((await call(s1, 'POST', '/api/v1/projects', { name: 'Bad_Name' })).status).toBe(400);
      const secret = await call<{ message: string }>(s1, 'POST', '/api/v1/projects', { name: 'leaky', remote: { url: 'https://git.example.com/a/b.git', token: 'ghp_secret_value_0123456789' } });
      expect(secret.status).toBe(400);
      expect(secret.body.message).toContain('never takes a secret');
      expect(secret.body.message).not.toContain('ghp_secret_value_0123456789');
      const unset = await call<{ message: string }>(s1, 'POST', '/api/v1/projects', { name: 'tokenless', remote: { url: 'https://git.example.com/a/b.git', tokenEnv: 'NOT_SET_ANYWHERE' } });
      expect([unset.status, unset.body.message]).toEqual([422, expect.stringContaining('environment variable NOT_SET_ANYWHERE is not set')]);
      const unreachable = await call<{ message: string }>(s1, 'POST', '/api/v1/projects', { name: 'gone', remote: { url: join(tmp, 'no-such.git') } });
      expect([unreachable.status, unreachable.body.message]).toEqual([422, expect.stringContaining('project gone was not created')]);
      expect((await call<ProjectListDto>(s1, 'GET', '/api/v1/projects')).body.items.map((p) => p.name)).toEqual(['default', 'ops', 'scratch']);
    } finally {
      await s1.close();
    }

    // A restart on the same data dir (and store): both are served again, from the store.
    const pushed = await pushFromLaptop(ops.work, 'prod', { 'restart/index.ts': code('ops-v2') }, 'ops v2 while Wolfe was down');
    const s2 = await startTestServer({ env, dataDir });
    try {
      const list = (await call<ProjectListDto>(s2, 'GET', '/api/v1/projects')).body;
      expect(list.items.map((p) => [p.name, p.source])).toEqual([
        ['default', 'embedded'],
        ['ops', 'api'],
        ['scratch', 'api'],
      ]);
      expect(list.items.find((p) => p.name === 'scratch')).toMatchObject({ allowSkipTest: true, replayEvents: 0 });
      // The local copy caught up with the remote at start.
      expect(list.items.find((p) => p.name === 'ops')?.heads.prod).toBe(pushed);
      expect((await call<LifecycleRunbookListDto>(s2, 'GET', '/api/v1/projects/scratch/runbooks?env=dev')).body.items.map((r) => r.name)).toEqual(['echo']);
      const [run] = await executionsOf(s2, await sendAlert(s2, 'prod', 'Restart', { after: 'restart' }), 1);
      expect(run).toMatchObject({ project: 'ops', version: pushed, result: { variant: 'ops-v2' } });
    } finally {
      await s2.close();
    }
  });
});

describe('two Wolfe processes (own data dirs, one store) serving the same project', () => {
  let tmp: string;
  let seed: string;
  let team: { origin: string; work: string };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'wolfe-projects-ha-'));
    seed = await seedFolder({ echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('default-v1') } });
    team = await makeOrigin(tmp, 'team', { pager: { 'runbook.yaml': manifest('pager', 'Pager'), 'index.ts': code('team-v1') } });
    const store = join(tmp, 'shared.db');
    const env = { WOLFE_SEED_DIR: seed };
    a = await startTestServer({ env, server: { storePath: store, projectsReconcileMs: 100 } });
    b = await startTestServer({ env, server: { storePath: store, projectsReconcileMs: 100 } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await rm(tmp, { recursive: true, force: true });
    await rm(seed, { recursive: true, force: true });
  });

  it('a project created on one is served by the other; a promotion made on one reaches the other through the remote', async () => {
    expect((await call(a, 'POST', '/api/v1/projects', { name: 'team', remote: { url: `file://${team.origin}` }, pollInterval: '1h' })).status).toBe(201);
    // B reads the store and clones it too (its own copy in its own data dir).
    await eventually(async () => ((await call<ProjectListDto>(b, 'GET', '/api/v1/projects')).body.items.some((p) => p.name === 'team') ? true : undefined));
    expect((await call(b, 'POST', '/api/v1/projects', { name: 'team' })).status).toBe(409);

    const P = '/api/v1/projects/team';
    expect((await call(a, 'PUT', `${P}/runbooks/pager`, { manifest: manifest('pager', 'Pager'), code: code('team-v2'), message: 'v2' })).status).toBe(200);
    const promoted = await call<PromotionResultDto>(a, 'POST', `${P}/runbooks/pager/promotions`, { from: 'dev', to: 'test', reason: 'ready' });
    expect(promoted.status).toBe(201);
    await eventually(async () => (gitIn(team.origin, 'rev-parse', 'test') === promoted.body.commit ? true : undefined));

    // The push hook (pointed at B, too) makes B fetch it at once.
    const synced = await call<ProjectSyncResultDto>(b, 'POST', `${P}/sync`);
    expect(synced.body.heads.test).toBe(promoted.body.commit);
    const onB = (await call<RunbookCatalogDto>(b, 'GET', '/api/v1/runbooks?project=team&env=test')).body;
    expect(onB.version).toBe(promoted.body.commit);
    // B's copy was fast-forwarded: the same commits, not a second history.
    expect(gitIn(join(b.dataDir, 'repos', 'team.git'), 'rev-parse', 'test')).toBe(promoted.body.commit);
  });
});
