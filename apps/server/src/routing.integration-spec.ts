// Series, for:, flapping, heartbeats and the ledger through the real server (HTTP → sqlite →
// git-loaded runbooks → isolated-vm), with runbooks seeded for the purpose.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryDto, EventDetailDto, EventDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const code = "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => ({ status: ctx.event.status, labels: ctx.event.labels }));\n";
const runbook = (name: string, triggers: string[]) => ({
  'runbook.yaml': [`name: ${name}`, 'description: test', 'owner: tests', 'triggers:', ...triggers, 'timeout: 5s'].join('\n') + '\n',
  'index.ts': code,
});

const SEED: Record<string, Record<string, string>> = {
  episode: runbook('episode', [`  - match: '{alertname="EpisodeTest"}'`]),
  waiter: runbook('waiter', [`  - match: '{alertname="SlowBurn"}'`, '    for: 2s']),
  flappy: runbook('flappy', [`  - match: '{alertname="Flappy"}'`]),
  'flap-watch': runbook('flap-watch', [`  - match: '{alertname="WolfeSeriesFlapping", series_alertname="Flappy"}'`, '    status: any']),
  'hb-missing': runbook('hb-missing', [`  - match: '{alertname="WolfeHeartbeatMissing", heartbeat="watchdog"}'`, '    status: any']),
};

const CONFIG = `heartbeats:
  - name: watchdog
    match: '{alertname="Watchdog"}'
    source: alertmanager
    interval: 1s
routing:
  flapping: { transitions: 4, window: 1m }
`;

interface Alert {
  labels: Record<string, string>;
  status?: 'firing' | 'resolved';
  startsAt: string;
}

const body = (alerts: Alert[]) =>
  JSON.stringify({
    version: '4',
    groupKey: '{}:{}',
    status: 'firing',
    receiver: 'wolfe',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: a.labels,
      annotations: {},
      startsAt: a.startsAt,
      endsAt: a.status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: '',
    })),
  });

async function send(s: TestServer, alert: Alert): Promise<string> {
  const res = await api(s, '/api/v1/events/alertmanager', { method: 'POST', body: body([alert]), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(202);
  return ((await res.json()) as { eventIds: string[] }).eventIds[0] as string;
}

const event = async (s: TestServer, id: string): Promise<EventDetailDto> => (await (await api(s, `/api/v1/events/${id}`)).json()) as EventDetailDto;

/** Sends and waits for the router's decision. */
async function decided(s: TestServer, alert: Alert): Promise<EventDetailDto> {
  const id = await send(s, alert);
  return eventually(async () => {
    const e = await event(s, id);
    return e.decision === null ? undefined : e;
  });
}

async function executions(s: TestServer, runbook: string): Promise<ExecutionSummaryDto[]> {
  return ((await (await api(s, `/api/v1/executions?runbook=${runbook}&limit=500`)).json()) as PageDto<ExecutionSummaryDto>).items;
}

async function finished(s: TestServer, runbook: string, count: number): Promise<ExecutionSummaryDto[]> {
  return eventually(async () => {
    const items = await executions(s, runbook);
    return items.length >= count && items.every((e) => e.status === 'succeeded') ? items : undefined;
  });
}

describe('routing through the server: series, for:, flapping, heartbeats, ledger', () => {
  let seedDir: string;
  let configFile: string;
  let dataDir: string;
  let s: TestServer;
  const t = (offsetSec: number) => new Date(Date.UTC(2026, 0, 1) + offsetSec * 1000).toISOString();

  beforeAll(async () => {
    seedDir = await mkdtemp(join(tmpdir(), 'wolfe-seed-'));
    for (const [name, files] of Object.entries(SEED)) {
      await mkdir(join(seedDir, name), { recursive: true });
      for (const [file, content] of Object.entries(files)) await writeFile(join(seedDir, name, file), content);
    }
    configFile = join(seedDir, 'wolfe.yaml');
    await writeFile(configFile, CONFIG);
    dataDir = await mkdtemp(join(tmpdir(), 'wolfe-routing-'));
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir, WOLFE_CONFIG: configFile, WOLFE_DATA_DIR: dataDir } });
  }, 30_000);
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs once for a re-sent episode and again for a new episode', async () => {
    const labels = { alertname: 'EpisodeTest', instance: 'a' };
    expect((await decided(s, { labels, startsAt: t(0) })).decision).toBe('matched');
    const resent = await decided(s, { labels, startsAt: t(0) });
    expect(resent.decision).toBe('deduplicated');
    expect(resent.explanation.find((c) => c.runbook === 'episode')).toMatchObject({ origin: 'routing', matched: true });
    expect(resent.explanation.find((c) => c.runbook === 'episode')?.duplicateOf).toBeDefined();
    expect((await decided(s, { labels, startsAt: t(60) })).decision).toBe('matched');
    expect((await decided(s, { labels, startsAt: t(0) })).decision).toBe('suppressed'); // stale
    expect(await finished(s, 'episode', 2)).toHaveLength(2);
  }, 20_000);

  it('waits for for: 2s (pending), then runs', async () => {
    const startsAt = new Date().toISOString();
    const e = await decided(s, { labels: { alertname: 'SlowBurn', pod: 'p1' }, startsAt });
    expect(e.decision).toBe('pending');
    const c = e.explanation.find((x) => x.runbook === 'waiter');
    expect(c?.reason).toMatch(/pending until .* \(for: 2s\)/);
    expect(await executions(s, 'waiter')).toHaveLength(0);
    const ran = await eventually(async () => {
      const x = await event(s, e.id);
      return x.decision === 'matched' ? x : undefined;
    });
    expect(ran.executionIds).toHaveLength(1);
    expect(ran.explanation.find((x) => x.runbook === 'waiter')?.reason).toMatch(/waited for: 2s/);
    expect((await finished(s, 'waiter', 1))[0]?.eventId).toBe(e.id);
  }, 20_000);

  it('drops the pending run with the reason when the series resolves before for: elapses', async () => {
    const other = { alertname: 'SlowBurn', pod: 'p2' };
    const early = await decided(s, { labels: other, startsAt: new Date().toISOString() });
    expect(early.decision).toBe('pending');
    await decided(s, { labels: other, status: 'resolved', startsAt: early.startsAt as string });
    // The resolve's own decision is recorded first, then the series' pending runs are dropped.
    const dropped = await eventually(async () => {
      const x = await event(s, early.id);
      return x.decision === 'pending' ? undefined : x;
    });
    expect(dropped.decision).toBe('suppressed');
    expect(dropped.explanation.find((x) => x.runbook === 'waiter')?.reason).toMatch(/pending run dropped: the series resolved at .* before its for: elapsed/);
    // Past the due time: still dropped, nothing ran for it.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(early.startsAt as string) + 2600 - Date.now())));
    expect((await event(s, early.id)).decision).toBe('suppressed');
    expect((await executions(s, 'waiter')).filter((x) => x.eventId === early.id)).toEqual([]);
  }, 20_000);

  it('suppresses a flapping series and raises WolfeSeriesFlapping, which a runbook matches', async () => {
    const labels = { alertname: 'Flappy', job: 'api' };
    const decisions: (string | null)[] = [];
    for (let i = 0; i < 4; i++) decisions.push((await decided(s, { labels, status: i % 2 ? 'resolved' : 'firing', startsAt: t(100 + Math.floor(i / 2) * 10) })).decision);
    expect(decisions).toEqual(['matched', 'unmatched', 'matched', 'unmatched']);
    const held = await decided(s, { labels, startsAt: t(200) });
    expect(held.decision).toBe('suppressed');
    expect(held.explanation.find((c) => c.runbook === 'flappy')?.reason).toMatch(/the series is flapping \(4 transitions within 1m/);
    const [watch] = await finished(s, 'flap-watch', 1);
    const flapEvent = await event(s, watch?.eventId ?? '');
    expect(flapEvent).toMatchObject({ source: 'wolfe', status: 'firing', labels: { alertname: 'WolfeSeriesFlapping', series_alertname: 'Flappy' }, decision: 'matched' });
    expect(JSON.parse(flapEvent.delivery?.body ?? '{}')).toMatchObject({ labels: { alertname: 'WolfeSeriesFlapping' } });
    expect(await executions(s, 'flappy')).toHaveLength(2);
  }, 20_000);

  it('raises WolfeHeartbeatMissing when the heartbeat is missed, and resolves it when it comes back', async () => {
    // The heartbeat has no env: it is watched in every served environment.
    expect((await finished(s, 'hb-missing', 3)).map((e) => e.env).sort()).toEqual(['dev', 'prod', 'test']);
    const [missing] = await finished(s, 'hb-missing&env=prod', 1);
    const firing = await event(s, missing?.eventId ?? '');
    expect(firing).toMatchObject({ source: 'wolfe', status: 'firing', labels: { alertname: 'WolfeHeartbeatMissing', heartbeat: 'watchdog', env: 'prod' } });
    await send(s, { labels: { alertname: 'Watchdog' }, startsAt: t(0) });
    // (1s after this heartbeat it goes missing again: look for the resolve, not the newest run.)
    const resolved = await eventually(async () => {
      for (const run of await executions(s, 'hb-missing&env=prod')) {
        const e = await event(s, run.eventId ?? '');
        if (e.status === 'resolved' && run.status === 'succeeded') return e;
      }
      return undefined;
    });
    expect(resolved).toMatchObject({ status: 'resolved', labels: { alertname: 'WolfeHeartbeatMissing', heartbeat: 'watchdog' }, startsAt: firing.startsAt });
  }, 20_000);

  it('filters the ledger by match, since and decision; lists rejected deliveries', async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const a = await decided(s, { labels: { alertname: 'LedgerProbe', team: 'db' }, startsAt: t(0) });
    await decided(s, { labels: { alertname: 'LedgerProbe', team: 'web' }, startsAt: t(0) });
    const list = async (q: string) => (await (await api(s, `/api/v1/events?${q}`)).json()) as PageDto<EventDto>;
    const byMatch = await list(`match=${encodeURIComponent('{alertname="LedgerProbe", team=~"d.*"}')}`);
    expect(byMatch.items.map((e) => e.id)).toEqual([a.id]);
    expect(byMatch.items[0]).toHaveProperty('executionIds', []);
    const sinceItems = (await list(`since=${encodeURIComponent(before)}&limit=500`)).items;
    expect(sinceItems.every((e) => e.receivedAt >= before)).toBe(true);
    expect(sinceItems.filter((e) => e.labels['alertname'] === 'LedgerProbe')).toHaveLength(2);
    expect((await list(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toEqual([]);
    const suppressed = (await list('decision=suppressed&limit=500')).items;
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed.every((e) => e.decision === 'suppressed')).toBe(true);

    const bad = await api(s, `/api/v1/events?match=${encodeURIComponent('{alertname=="x"}')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/query parameter match=.*position \d+/);
    expect((await api(s, '/api/v1/events?since=yesterday')).status).toBe(400);
    expect((await api(s, '/api/v1/events?decision=maybe')).status).toBe(400);

    const detail = await event(s, a.id);
    expect(detail.explainedAt).toMatch(/^[0-9a-f]{40}$/);
    expect(detail.explanation.find((c) => c.runbook === 'episode')).toMatchObject({ origin: 'on_demand', matched: false });

    const rejected = await api(s, '/api/v1/events/alertmanager', { method: 'POST', body: '{"alerts": [', headers: { 'content-type': 'application/json' } });
    expect(rejected.status).toBe(400);
    const { deliveryId } = (await rejected.json()) as { deliveryId: string };
    const deliveries = (await (await api(s, '/api/v1/deliveries?outcome=rejected&source=alertmanager&limit=5')).json()) as PageDto<DeliveryDto>;
    expect(deliveries.items[0]).toMatchObject({ id: deliveryId, outcome: 'rejected', body: '{"alerts": [' });
    expect(deliveries.items.every((d) => d.outcome === 'rejected')).toBe(true);
    expect((await api(s, '/api/v1/deliveries?outcome=lost')).status).toBe(400);
  }, 20_000);
});

describe('pending across a restart', () => {
  it('runs a pending for: when due after the server restarted', async () => {
    const seedDir = await mkdtemp(join(tmpdir(), 'wolfe-seed-'));
    const dataDir = await mkdtemp(join(tmpdir(), 'wolfe-restart-'));
    try {
      await mkdir(join(seedDir, 'waiter'));
      for (const [file, content] of Object.entries(SEED['waiter'] ?? {})) await writeFile(join(seedDir, 'waiter', file), content);
      const env = { WOLFE_SEED_DIR: seedDir, WOLFE_DATA_DIR: dataDir };
      const first = await startTestServer({ env });
      let id: string;
      try {
        const e = await decided(first, { labels: { alertname: 'SlowBurn', pod: 'restart' }, startsAt: new Date().toISOString() });
        expect(e.decision).toBe('pending');
        id = e.id;
      } finally {
        await first.close();
      }
      const second = await startTestServer({ env });
      try {
        const ran = await eventually(async () => {
          const x = await event(second, id);
          return x.decision === 'matched' ? x : undefined;
        });
        expect(ran.executionIds).toHaveLength(1);
        const [ex] = await finished(second, 'waiter', 1);
        expect(ex?.eventId).toBe(id);
      } finally {
        await second.close();
      }
    } finally {
      await rm(seedDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
