// Execution leases end to end: two Wolfe processes (own data dirs) share one sqlite store file.
// A process that starts never fails what another live process runs (its lease is renewed);
// the executions of a process that died are failed once their lease expired.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { newId } from '@wolfe/application';
import { openSqliteStore } from '@wolfe/store-sqlite';
import { newEpisodeAlert } from './testing/alerts';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

/** Short leases (renewed every 200 ms) so that expiry is exercised within seconds. */
const LEASE_MS = 600;

const SLEEPER = `import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  await ctx.step('long remediation', async () => {
    await ctx.sleep(3000);
    return 'done';
  });
  return 'finished';
});
`;

async function seedFolder(root: string): Promise<string> {
  const dir = join(root, 'seed');
  await mkdir(join(dir, 'sleeper'), { recursive: true });
  await writeFile(join(dir, 'sleeper', 'runbook.yaml'), `name: sleeper\ndescription: test\nowner: tests\ntriggers:\n  - match: 'alertname="Sleepy"'\n`);
  await writeFile(join(dir, 'sleeper', 'index.ts'), SLEEPER);
  return dir;
}

async function detail(s: TestServer, id: string): Promise<ExecutionDetailDto> {
  const res = await api(s, `/api/v1/executions/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ExecutionDetailDto;
}

async function startSleeper(s: TestServer): Promise<string> {
  const res = await api(s, '/api/v1/events/alertmanager', { method: 'POST', body: newEpisodeAlert('Sleepy', { instance: 'db-1' }), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(202);
  const { eventIds } = (await res.json()) as { eventIds: string[] };
  return eventually(
    async () => {
      const page = (await (await api(s, '/api/v1/executions')).json()) as PageDto<ExecutionSummaryDto>;
      return page.items.find((e) => e.eventId === eventIds[0])?.id;
    },
    { timeoutMs: 15_000 },
  );
}

describe('execution leases: two Wolfe processes on one store', () => {
  let tmp: string;
  let seed: string;
  let storePath: string;
  const env = (): Record<string, string> => ({ WOLFE_SEED_DIR: seed, WOLFE_LEASE_MS: String(LEASE_MS) });

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'wolfe-leases-'));
    seed = await seedFolder(tmp);
    storePath = join(tmp, 'shared.db');
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('a process that starts does not fail what a live process runs: it finishes succeeded', async () => {
    const a = await startTestServer({ env: env(), server: { storePath } });
    let b: TestServer | undefined;
    try {
      const id = await startSleeper(a);
      await eventually(async () => ((await detail(a, id)).status === 'running' ? true : undefined), { timeoutMs: 15_000, intervalMs: 20 });
      // B starts while A runs it (its start-up sweep included), and sweeps every 200 ms meanwhile:
      // A's lease (600 ms) would have expired several times over without renewals.
      b = await startTestServer({ env: env(), server: { storePath } });
      expect((await detail(b, id)).status).toBe('running');
      const done = await eventually(
        async () => {
          const d = await detail(b as TestServer, id);
          return d.status === 'running' ? undefined : d;
        },
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(done.status).toBe('succeeded');
      expect(done.error).toBeNull();
      const record = await a.wolfe.store.executions.get(id);
      expect(record).toMatchObject({ status: 'succeeded', owner: a.wolfe.dispatcher.owner });
      expect(a.wolfe.dispatcher.owner).not.toBe(b.wolfe.dispatcher.owner);
    } finally {
      await b?.close();
      await a.close();
    }
  }, 60_000);

  it('the running execution of a process that died is failed by another once its lease expired', async () => {
    const b = await startTestServer({ env: env(), server: { storePath } });
    try {
      // "Process A" claims an execution on its own connection to the store, then dies (its
      // connection closed, no renewal ever again) while the execution is running.
      const dead = await openSqliteStore({ path: storePath });
      const id = newId();
      const owner = 'dead-host:4242:deadbeef';
      const now = Date.now();
      const leaseUntil = new Date(now + 1500).toISOString();
      // Written as claimed (running, owned, leased) in one insert: B's dispatcher never sees it queued.
      await dead.executions.createIfAbsent({
        id, project: 'default', runbook: 'sleeper', env: 'prod', version: 'v-dead', status: 'running', eventId: null, trigger: null, dedupKey: null,
        createdAt: new Date(now).toISOString(), startedAt: new Date(now).toISOString(), finishedAt: null, result: null, error: null, owner, leaseUntil,
      });
      expect(await dead.executions.get(id)).toMatchObject({ status: 'running', owner, leaseUntil });
      await dead.steps.upsert([{ executionId: id, seq: 0, name: 'cut off', status: 'running', startedAt: new Date(now).toISOString(), finishedAt: null, output: null, error: null }]);
      await dead.close();

      // Held until its lease ends: B's sweeps (every 200 ms) leave it alone.
      await new Promise((r) => setTimeout(r, 700));
      if (Date.now() < Date.parse(leaseUntil) - 100) expect((await detail(b, id)).status).toBe('running');

      const failed = await eventually(
        async () => {
          const d = await detail(b, id);
          return d.status === 'failed' ? d : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(Date.parse(failed.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(leaseUntil));
      expect(failed.error?.name).toBe('InterruptedError');
      expect(failed.error?.message).toContain('Wolfe stopped while this execution was running');
      expect(failed.error?.message).toContain(owner);
      expect(failed.steps.map((s) => ({ name: s.name, status: s.status, error: s.error }))).toEqual([
        { name: 'cut off', status: 'failed', error: 'InterruptedError: Wolfe stopped while this step was running' },
      ]);
    } finally {
      await b.close();
    }
  }, 60_000);
});
