// ctx.step and ctx.attach end to end: a runbook's notebook (steps) and attachments are kept with
// the execution, visible while it runs, and served by the API (real server: sqlite file, git
// repository, isolated-vm).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiErrorDto, ExecutionDetailDto, ExecutionSummaryDto, PageDto, StepDto } from '@wolfe/api-types';
import { newId } from '@wolfe/application';
import { openSqliteStore } from '@wolfe/store-sqlite';
import { newEpisodeAlert } from './testing/alerts';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const manifest = (name: string, alertname: string, extra = ''): string =>
  `name: ${name}\ndescription: test\nowner: tests\ntriggers:\n  - match: 'alertname="${alertname}"'\n${extra}`;

async function seed(dir: string, runbooks: Record<string, Record<string, string>>): Promise<void> {
  for (const [name, files] of Object.entries(runbooks)) {
    await mkdir(join(dir, name), { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(join(dir, name, file), content);
  }
}


const LARGEST = [
  { path: '/var/log', bytes: 1_200_000, owner: 'syslog' },
  { path: '/var/cache/apt', bytes: 800_000, owner: 'root' },
  { path: '/var/lib/ünï ✓', bytes: 10, owner: null },
];

/** A runbook that writes a notebook: steps that succeed (sync and async), one that fails and is caught, attachments. */
const NOTEBOOK = `import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  const usage = await ctx.step('measure disk', () => ({ mount: '/var', freePercent: 3.5 }));
  ctx.attach('largest directories', ${JSON.stringify(LARGEST)});
  const rotated = await ctx.step('rotate logs', async () => {
    await ctx.sleep(20);
    return ['app.log.1', 'app.log.2'];
  });
  try {
    await ctx.step('page the owner', () => {
      throw new RangeError('pager is down');
    });
  } catch {
    ctx.log.warn('could not page; going on');
  }
  ctx.attach('free space', { series: [[0, usage.freePercent], [1, 12.25]] });
  return { rotated: rotated.length };
});
`;

/** Fails at an uncaught step: the step and the execution are failed. */
const CRASH = `import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  await ctx.step('check replica', () => 'lagging');
  await ctx.step('promote replica', async () => {
    throw new Error('replica db-2 is 40 s behind');
  });
  return 'unreachable';
});
`;

/** A step that takes a while: seen running while the execution runs. */
const SLOW = `import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  await ctx.step('quick look', () => 1);
  await ctx.step('wait for the disk to drain', async () => {
    await ctx.sleep(2500);
    return 'drained';
  });
  return 'done';
});
`;

async function start(s: TestServer, alertname: string): Promise<string> {
  const res = await api(s, '/api/v1/events/alertmanager', { method: 'POST', body: newEpisodeAlert(alertname, { instance: 'db-1' }), headers: { 'content-type': 'application/json' } });
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

async function detail(s: TestServer, id: string): Promise<ExecutionDetailDto> {
  const res = await api(s, `/api/v1/executions/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ExecutionDetailDto;
}

async function finished(s: TestServer, id: string): Promise<ExecutionDetailDto> {
  return eventually(
    async () => {
      const d = await detail(s, id);
      return d.status === 'queued' || d.status === 'running' ? undefined : d;
    },
    { timeoutMs: 20_000 },
  );
}

const brief = (steps: StepDto[]) => steps.map(({ seq, name, status, output, error }) => ({ seq, name, status, output, error }));

jest.setTimeout(60_000);

describe('steps and attachments through the real server', () => {
  let seedDir: string;
  let s: TestServer;

  beforeAll(async () => {
    seedDir = await mkdtemp(join(tmpdir(), 'wolfe-seed-'));
    await seed(seedDir, {
      notebook: { 'runbook.yaml': manifest('notebook', 'Notebook'), 'index.ts': NOTEBOOK },
      crash: { 'runbook.yaml': manifest('crash', 'Crash'), 'index.ts': CRASH },
      slow: { 'runbook.yaml': manifest('slow', 'Slow', 'timeout: 20s\n'), 'index.ts': SLOW },
    });
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
  });

  it('records every step in order with its status, output, duration, and a caught failing step with its error', async () => {
    const d = await finished(s, await start(s, 'Notebook'));
    expect(d).toMatchObject({ status: 'succeeded', result: { rotated: 2 } });
    expect(brief(d.steps)).toEqual([
      { seq: 0, name: 'measure disk', status: 'succeeded', output: '{"mount":"/var","freePercent":3.5}', error: null },
      { seq: 1, name: 'rotate logs', status: 'succeeded', output: '["app.log.1","app.log.2"]', error: null },
      { seq: 2, name: 'page the owner', status: 'failed', output: null, error: expect.stringContaining('pager is down') },
    ]);
    for (const step of d.steps) {
      expect(step.finishedAt).not.toBeNull();
      expect(step.durationMs).toBe(Date.parse(step.finishedAt ?? '') - Date.parse(step.startedAt));
      expect(Date.parse(step.startedAt)).toBeGreaterThanOrEqual(Date.parse(d.startedAt ?? ''));
      expect(Date.parse(step.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(d.finishedAt ?? ''));
    }
    expect(d.steps[1]?.durationMs).toBeGreaterThanOrEqual(15); // it slept 20 ms
    expect(d.steps[2]?.error).toMatch(/RangeError/);
    expect(d.logs.map((l) => l.message)).toEqual(['could not page; going on']);
  });

  it('lists the attachments without their data, and serves each one exactly as attached', async () => {
    const d = await finished(s, await start(s, 'Notebook'));
    const largest = JSON.stringify(LARGEST);
    expect(d.attachments).toEqual([
      { seq: 0, name: 'largest directories', contentType: 'application/json', size: Buffer.byteLength(largest) },
      { seq: 1, name: 'free space', contentType: 'application/json', size: expect.any(Number) },
    ]);
    expect(JSON.stringify(d)).not.toContain('/var/cache/apt'); // the detail carries no data

    const res = await api(s, `/api/v1/executions/${d.id}/attachments/0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename="largest directories.json"; filename*=UTF-8''largest%20directories.json`);
    const text = await res.text();
    expect(text).toBe(largest);
    expect(JSON.parse(text)).toEqual(LARGEST);
    expect(await (await api(s, `/api/v1/executions/${d.id}/attachments/1`)).json()).toEqual({ series: [[0, 3.5], [1, 12.25]] });
  });

  it('answers 404 naming the missing attachment or execution, and 400 for a seq that is not one', async () => {
    const d = await finished(s, await start(s, 'Notebook'));
    const missing = await api(s, `/api/v1/executions/${d.id}/attachments/7`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ApiErrorDto).message).toBe(`execution ${d.id} has no attachment with seq 7 (its attachments are seq 0, 1)`);

    const unknown = newId();
    const noExecution = await api(s, `/api/v1/executions/${unknown}/attachments/0`);
    expect(noExecution.status).toBe(404);
    expect(((await noExecution.json()) as ApiErrorDto).message).toBe(`no execution with id "${unknown}"`);

    for (const bad of ['abc', '-1', '1.5', '01']) {
      const res = await api(s, `/api/v1/executions/${d.id}/attachments/${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(((await res.json()) as ApiErrorDto).message).toContain(`attachment seq "${bad}"`);
    }

    const crash = await finished(s, await start(s, 'Crash'));
    const none = await api(s, `/api/v1/executions/${crash.id}/attachments/0`);
    expect(((await none.json()) as ApiErrorDto).message).toBe(`execution ${crash.id} has no attachment with seq 0 (it has no attachments)`);
  });

  it('records an uncaught failing step as failed with its error, and the execution fails at it', async () => {
    const d = await finished(s, await start(s, 'Crash'));
    expect(d.status).toBe('failed');
    expect(d.error?.message).toContain('replica db-2 is 40 s behind');
    expect(brief(d.steps)).toEqual([
      { seq: 0, name: 'check replica', status: 'succeeded', output: '"lagging"', error: null },
      { seq: 1, name: 'promote replica', status: 'failed', output: null, error: expect.stringContaining('replica db-2 is 40 s behind') },
    ]);
    expect(d.attachments).toEqual([]);
  });

  it('shows a running step while the execution runs, then its end', async () => {
    const id = await start(s, 'Slow');
    const during = await eventually(
      async () => {
        const d = await detail(s, id);
        return d.status === 'running' && d.steps.length === 2 ? d : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(brief(during.steps)).toEqual([
      { seq: 0, name: 'quick look', status: 'succeeded', output: '1', error: null },
      { seq: 1, name: 'wait for the disk to drain', status: 'running', output: null, error: null },
    ]);
    expect(during.steps[1]).toMatchObject({ finishedAt: null, durationMs: null });

    const after = await finished(s, id);
    expect(after.status).toBe('succeeded');
    expect(after.steps).toHaveLength(2); // the end replaced the start: still one record per step
    expect(after.steps[1]).toMatchObject({ seq: 1, status: 'succeeded', output: '"drained"', startedAt: during.steps[1]?.startedAt });
    expect(after.steps[1]?.durationMs).toBeGreaterThanOrEqual(2400);
  });
});

describe('steps of an execution cut off by a stop', () => {
  it('are recorded as failed when the server starts again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wolfe-steps-restart-'));
    try {
      const store = await openSqliteStore({ path: join(dataDir, 'wolfe.db') });
      const id = newId();
      const t = (ms: number): string => new Date(Date.UTC(2026, 10, 21, 10, 0, 0, ms)).toISOString();
      await store.executions.createIfAbsent({
        id, project: 'default', runbook: 'disk-cleanup', env: 'prod', version: 'v1', status: 'queued', eventId: null, trigger: null, dedupKey: null,
        createdAt: t(0), startedAt: null, finishedAt: null, result: null, error: null, owner: null, leaseUntil: null,
      });
      // Claimed by a process that then died: its lease expired a minute ago.
      expect(await store.executions.claimNext(t(1), 'crashed-host:1:dead', new Date(Date.now() - 60_000).toISOString())).toMatchObject({ id, status: 'running' });
      await store.steps.upsert([
        { executionId: id, seq: 0, name: 'done before the stop', status: 'succeeded', startedAt: t(2), finishedAt: t(3), output: 'true', error: null },
        { executionId: id, seq: 1, name: 'cut off', status: 'running', startedAt: t(4), finishedAt: null, output: null, error: null },
      ]);
      await store.close();

      const s = await startTestServer({ env: { WOLFE_DATA_DIR: dataDir } });
      try {
        const d = await detail(s, id);
        expect(d.status).toBe('failed');
        expect(d.error?.name).toBe('InterruptedError');
        expect(brief(d.steps)).toEqual([
          { seq: 0, name: 'done before the stop', status: 'succeeded', output: 'true', error: null },
          { seq: 1, name: 'cut off', status: 'failed', output: null, error: 'InterruptedError: Wolfe stopped while this step was running' },
        ]);
        expect(d.steps[1]?.finishedAt).toBe(d.finishedAt);
      } finally {
        await s.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
