import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionDetailDto, ExecutionSummaryDto, PageDto, RunbookCatalogDto } from '@wolfe/api-types';
import { newId } from '@wolfe/application';
import { fingerprint } from '@wolfe/events';
import { openSqliteStore } from '@wolfe/store-sqlite';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';
import { alertmanagerWebhook } from './testing/alerts';

const manifest = (name: string, alertname: string, extra = '') =>
  `name: ${name}\ndescription: test\nowner: tests\ntriggers:\n  - match: 'alertname="${alertname}"'\n${extra}`;

async function seed(dir: string, runbooks: Record<string, Record<string, string>>): Promise<void> {
  for (const [name, files] of Object.entries(runbooks)) {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(join(dir, name), { recursive: true });
      await writeFile(join(dir, name, file), content);
    }
  }
}


async function runFor(s: TestServer, alertname: string, startsAt?: string): Promise<ExecutionDetailDto> {
  const res = await api(s, '/api/v1/events/alertmanager', { method: 'POST', body: alertmanagerWebhook([{ labels: { alertname }, startsAt: startsAt ?? '2026-11-21T10:00:00Z' }]), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(202);
  const { eventIds } = (await res.json()) as { eventIds: string[] };
  return eventually(
    async () => {
      const page = (await (await api(s, '/api/v1/executions')).json()) as PageDto<ExecutionSummaryDto>;
      const ex = page.items.find((e) => e.eventId === eventIds[0]);
      if (!ex || ex.status === 'queued' || ex.status === 'running') return undefined;
      return (await (await api(s, `/api/v1/executions/${ex.id}`)).json()) as ExecutionDetailDto;
    },
    { timeoutMs: 15_000 },
  );
}

describe('failing runbooks, bad manifests and restarts', () => {
  let seedDir: string;
  let s: TestServer;

  beforeAll(async () => {
    seedDir = await mkdtemp(join(tmpdir(), 'wolfe-seed-'));
    await seed(seedDir, {
      boom: {
        'runbook.yaml': manifest('boom', 'Boom'),
        'index.ts': [
          "import { runbook } from '@wolfe/sdk';",
          '',
          'interface Disk { free: number }',
          '',
          'export default runbook(async (ctx) => {',
          "  ctx.log.info('about to fail');",
          '  const disk: Disk | undefined = undefined as Disk | undefined;',
          "  if (!disk) throw new Error('no disk data for ' + ctx.event.labels.alertname);",
          '  return disk.free;',
          '});',
        ].join('\n'),
      },
      hang: {
        'runbook.yaml': manifest('hang', 'Hang', 'timeout: 1s\n'),
        'index.ts': "import { runbook } from '@wolfe/sdk';\nexport default runbook(async () => { await new Promise(() => {}); });\n",
      },
      spin: {
        'runbook.yaml': manifest('spin', 'Spin', 'timeout: 1s\n'),
        'index.ts': "import { runbook } from '@wolfe/sdk';\nexport default runbook(() => { for (;;) {} });\n",
      },
      broken: { 'runbook.yaml': manifest('broken', 'Broken', 'timeout: soon\n'), 'index.ts': "import { runbook } from '@wolfe/sdk';\nexport default runbook(() => 1);\n" },
      ok: { 'runbook.yaml': manifest('ok', 'Ok'), 'index.ts': "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => { ctx.log.info('fine'); return 'ok'; });\n" },
    });
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir } });
  });
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
  });

  it('reports an invalid manifest by file, field and line while the other runbooks load', async () => {
    const cat = (await (await api(s, '/api/v1/runbooks?env=prod')).json()) as RunbookCatalogDto;
    expect(cat.items.map((r) => r.name).sort()).toEqual(['boom', 'hang', 'ok', 'spin']);
    expect(cat.problems).toHaveLength(1);
    expect(cat.problems[0]).toMatchObject({ runbook: 'broken', file: 'broken/runbook.yaml', field: 'timeout', line: 6 });
    expect(cat.problems[0]?.message).toMatch(/30s/);
  });

  it('records a thrown error with the runbook source line', async () => {
    const d = await runFor(s, 'Boom');
    expect(d.status).toBe('failed');
    expect(d.error?.message).toContain('no disk data for Boom');
    expect(d.error?.location).toMatchObject({ file: 'index.ts', line: 8 });
    expect(d.error?.message).toContain('index.ts:8');
    expect(d.error?.stack ?? '').not.toMatch(/\/work\/|node_modules|\/tmp\//);
    expect(d.logs.map((l) => l.message)).toEqual(['about to fail']);
  });

  it('times out a runbook awaiting forever and one spinning, and keeps serving others', async () => {
    const [hang, spin, ok] = await Promise.all([runFor(s, 'Hang'), runFor(s, 'Spin'), runFor(s, 'Ok')]);
    expect(hang).toMatchObject({ status: 'timed_out', error: { limit: 'timeout' } });
    expect(spin).toMatchObject({ status: 'timed_out', error: { limit: 'timeout' } });
    expect(ok).toMatchObject({ status: 'succeeded', result: 'ok' });
  });

  it('pages executions newest first with a cursor', async () => {
    for (let i = 0; i < 3; i++) await runFor(s, 'Ok', `2026-11-21T11:0${i}:00Z`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/executions?runbook=ok&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await api(s, q)).json()) as PageDto<ExecutionSummaryDto>;
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next;
    } while (cursor);
    expect(seen.length).toBe(4);
    expect([...seen].sort().reverse()).toEqual(seen);
  });
});

describe('restart', () => {
  it('routes and runs an event that was accepted just before the process stopped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'wolfe-restart-'));
    try {
      // Simulate a crash right after the 202: the event is recorded, not yet routed.
      const store = await openSqliteStore({ path: join(dataDir, 'wolfe.db') });
      const labels = { alertname: 'DiskAlmostFull', severity: 'critical', instance: 'db-9' };
      const deliveryId = newId();
      const eventId = newId();
      const now = new Date().toISOString();
      await store.deliveries.record(
        { id: deliveryId, source: 'alertmanager', env: 'prod', receivedAt: now, contentType: 'application/json', body: '{}', outcome: 'accepted', error: null, eventIds: [eventId] },
        [
          {
            id: eventId, deliveryId, source: 'alertmanager', env: 'prod', fingerprint: fingerprint(labels), sourceFingerprint: null, labels, annotations: {},
            status: 'firing', startsAt: now, endsAt: null, sourceUrl: null, receivedAt: now, decision: null, decidedAt: null, explanation: [], executionIds: [],
          },
        ],
      );
      await store.close();

      const s = await startTestServer({ env: { WOLFE_DATA_DIR: dataDir } });
      try {
        const ex = await eventually(async () => {
          const page = (await (await api(s, '/api/v1/executions')).json()) as PageDto<ExecutionSummaryDto>;
          const e = page.items.find((x) => x.eventId === eventId);
          return e?.status === 'succeeded' ? e : undefined;
        });
        expect(ex.runbook).toBe('disk-cleanup');
      } finally {
        await s.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
