// Routing with series, for:, flapping, heartbeats and the ledger, driven by a fake clock:
// the real application (libs/application) on a real sqlite store, with an in-memory runbook
// source and a sandbox that only counts runs. No timers run: each test advances the clock
// and calls the periodic work (pending.runDue, series.recheckFlapping, heartbeats.check).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Clock,
  type EventRecord,
  explainEvent,
  type HeartbeatSpec,
  listEvents,
  newId,
  silentLogger,
  type Store,
  Wolfe,
} from '@wolfe/application';
import { fingerprint } from '@wolfe/events';
import { parseMatchers } from '@wolfe/matchers';
import type { FlappingConfig } from '@wolfe/series';
import { openSqliteStore } from '@wolfe/store-sqlite';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

class FakeClock implements Clock {
  constructor(public t = T0) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const manifest = (name: string, triggers: string[]): string =>
  [`name: ${name}`, 'description: test', 'owner: tests', 'triggers:', ...triggers].join('\n') + '\n';

const RUNBOOKS: Record<string, string> = {
  'disk/runbook.yaml': manifest('disk', [`  - match: '{alertname="DiskAlmostFull", severity=~"warning|critical"}'`]),
  'disk-resolved/runbook.yaml': manifest('disk-resolved', [`  - match: '{alertname="DiskAlmostFull"}'`, '    status: resolved']),
  'slow/runbook.yaml': manifest('slow', [`  - match: '{alertname="Slow"}'`, '    for: 2m']),
  'flap-watch/runbook.yaml': manifest('flap-watch', [`  - match: '{alertname="WolfeSeriesFlapping", series_alertname="Flappy"}'`, '    status: any']),
  'flappy/runbook.yaml': manifest('flappy', [`  - match: '{alertname="Flappy"}'`]),
  'hb/runbook.yaml': manifest('hb', [`  - match: '{alertname="WolfeHeartbeatMissing", heartbeat="watchdog"}'`, '    status: any']),
  'other/runbook.yaml': manifest('other', [`  - match: '{alertname="Other"}'`]),
};
for (const name of Object.keys(RUNBOOKS)) RUNBOOKS[name.replace('runbook.yaml', 'index.ts')] = 'export default 1;\n';

interface Harness {
  readonly wolfe: Wolfe;
  /** Waits for the (counting) sandbox to finish what was queued, then stops the application. */
  stop(): Promise<void>;
  readonly store: Store;
  readonly clock: FakeClock;
  send(labels: Record<string, string>, status: 'firing' | 'resolved', startsAt: string | null, source?: string): Promise<EventRecord>;
  event(id: string): Promise<EventRecord>;
  executions(runbook?: string): Promise<{ id: string; runbook: string; eventId: string | null }[]>;
  internalEvents(alertname: string): Promise<EventRecord[]>;
}

async function harness(options: { store?: Store; clock?: FakeClock; heartbeats?: HeartbeatSpec[]; flapping?: FlappingConfig } = {}): Promise<Harness> {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? (await openSqliteStore({ path: ':memory:' }));
  const wolfe = new Wolfe({
    store,
    sandbox: { run: async () => ({ status: 'succeeded', result: null }), dispose: async () => undefined },
    runbookSource: { head: async () => 'v1', readTree: async () => new Map(Object.entries(RUNBOOKS)) },
    compile: async (name) => ({ ok: true, compiled: { code: '', sourceMap: '{}', filename: `${name}/index.js` } }),
    sources: () => undefined,
    envs: ['prod'],
    clock,
    logger: silentLogger,
    concurrency: 1,
    refreshMs: 0,
    sweepMs: 60_000,
    heartbeats: options.heartbeats ?? [],
    flapping: options.flapping ?? { transitions: 6, windowMs: 600_000 },
  });
  await wolfe.catalog.refresh();
  await wolfe.heartbeats.start();
  const h: Harness = {
    wolfe,
    store,
    clock,
    async stop() {
      for (let i = 0; i < 200; i++) {
        const busy = (await store.executions.listByStatus('queued', 1)).length + (await store.executions.listByStatus('running', 1)).length;
        if (busy === 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      await wolfe.stop();
    },
    async send(labels, status, startsAt, source = 'alertmanager') {
      const deliveryId = newId(clock.t);
      const event: EventRecord = {
        id: newId(clock.t),
        deliveryId,
        source,
        env: 'prod',
        fingerprint: fingerprint(labels),
        sourceFingerprint: null,
        labels,
        annotations: {},
        status,
        startsAt,
        endsAt: null,
        sourceUrl: null,
        receivedAt: clock.now().toISOString(),
        decision: null,
        decidedAt: null,
        explanation: [],
        executionIds: [],
      };
      await store.deliveries.record(
        { id: deliveryId, source, env: 'prod', receivedAt: event.receivedAt, contentType: 'application/json', body: JSON.stringify(labels), outcome: 'accepted', error: null, eventIds: [event.id] },
        [event],
      );
      await wolfe.routing.route(event);
      await wolfe.settled();
      return h.event(event.id);
    },
    async event(id) {
      const e = await store.events.get(id);
      if (!e) throw new Error(`no event ${id}`);
      return e;
    },
    async executions(runbook) {
      const page = await store.executions.list({ limit: 500, ...(runbook ? { runbook } : {}) });
      return page.items.map((x) => ({ id: x.id, runbook: x.runbook, eventId: x.eventId }));
    },
    async internalEvents(alertname) {
      const page = await store.events.list({ source: 'wolfe', limit: 500 });
      return page.items.filter((e) => e.labels['alertname'] === alertname).reverse();
    },
  };
  return h;
}

const disk = { alertname: 'DiskAlmostFull', severity: 'critical', instance: 'db-1' };

describe('routing: series and episodes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.stop();
    await h.store.close();
  });

  it('runs once per episode: a re-send is deduplicated, a new episode runs again, an older one is suppressed as stale', async () => {
    const first = await h.send(disk, 'firing', iso(T0));
    expect(first.decision).toBe('matched');
    h.clock.advance(60_000);
    const again = await h.send(disk, 'firing', iso(T0));
    expect(again.decision).toBe('deduplicated');
    expect(again.explanation.find((c) => c.runbook === 'disk')?.duplicateOf).toBe(first.executionIds[0]);

    h.clock.advance(60_000);
    const second = await h.send(disk, 'firing', iso(T0 + 100_000));
    expect(second.decision).toBe('matched');
    const stale = await h.send(disk, 'firing', iso(T0));
    expect(stale.decision).toBe('suppressed');
    expect(stale.explanation.find((c) => c.runbook === 'disk')?.reason).toMatch(/not run: stale: startsAt .* is before the current episode/);
    expect(await h.executions('disk')).toHaveLength(2);

    const resolved = await h.send(disk, 'resolved', iso(T0 + 100_000));
    expect(resolved.decision).toBe('matched');
    expect(resolved.explanation.find((c) => c.runbook === 'disk-resolved')?.executionId).toBeDefined();
    const resolvedAgain = await h.send(disk, 'resolved', iso(T0 + 100_000));
    expect(resolvedAgain.decision).toBe('deduplicated');
    expect(await h.executions('disk-resolved')).toHaveLength(1);

    const series = await h.store.series.get('prod', fingerprint(disk));
    // 6 events, 5 writes: the re-send of the first episode does not rewrite the series.
    expect(series).toMatchObject({ state: 'resolved', episode: iso(T0 + 100_000), version: 5 });
    expect(series?.transitions.map((t) => t.to)).toEqual(['firing', 'firing', 'resolved']);
  });

  it('keeps a re-notification without startsAt in the current episode (one run)', async () => {
    const first = await h.send(disk, 'firing', iso(T0));
    const renotify = await h.send(disk, 'firing', null);
    expect(renotify.decision).toBe('deduplicated');
    expect(renotify.explanation[0]?.duplicateOf).toBe(first.executionIds[0]);
    // Without any startsAt, the episode is named by when Wolfe first saw it.
    const other = { alertname: 'DiskAlmostFull', severity: 'warning', instance: 'db-2' };
    const a = await h.send(other, 'firing', null);
    h.clock.advance(1000);
    const b = await h.send(other, 'firing', null);
    expect([a.decision, b.decision]).toEqual(['matched', 'deduplicated']);
  });

  it('stores matches and near misses; explains every other runbook on demand, naming the catalog version', async () => {
    const e = await h.send({ alertname: 'DiskAlmostFull', severity: 'info' }, 'firing', iso(T0));
    expect(e.decision).toBe('unmatched');
    expect(e.explanation.map((c) => c.runbook).sort()).toEqual(['disk', 'disk-resolved']);
    expect(e.explanation.find((c) => c.runbook === 'disk')?.reason).toBe('label severity="info" does not match severity=~"warning|critical"');
    const detail = explainEvent(e, h.wolfe.catalog.snapshot('prod'), null);
    expect(detail.explainedAt).toBe('v1');
    expect(detail.explanation.filter((c) => c.origin === 'routing').map((c) => c.runbook).sort()).toEqual(['disk', 'disk-resolved']);
    const onDemand = detail.explanation.filter((c) => c.origin === 'on_demand');
    expect(onDemand.map((c) => c.runbook).sort()).toEqual(['flap-watch', 'flappy', 'hb', 'other', 'slow']);
    expect(onDemand.find((c) => c.runbook === 'other')).toMatchObject({ matched: false, version: 'v1', reason: 'label alertname="DiskAlmostFull" does not match alertname="Other"' });
  });

  it('routes concurrent events of one series without losing an observation (compare-and-set)', async () => {
    const labels = { alertname: 'Other', instance: 'x' };
    const events: EventRecord[] = [];
    for (let i = 0; i < 12; i++) {
      const id = newId(h.clock.t);
      const deliveryId = newId(h.clock.t);
      const ev: EventRecord = {
        id, deliveryId, source: 'alertmanager', env: 'prod', fingerprint: fingerprint(labels), sourceFingerprint: null, labels, annotations: {},
        status: 'firing', startsAt: iso(T0), endsAt: null, sourceUrl: null, receivedAt: iso(h.clock.t), decision: null, decidedAt: null, explanation: [], executionIds: [],
      };
      await h.store.deliveries.record({ id: deliveryId, source: 'alertmanager', env: 'prod', receivedAt: ev.receivedAt, contentType: null, body: '{}', outcome: 'accepted', error: null, eventIds: [id] }, [ev]);
      events.push(ev);
    }
    const decisions = await Promise.all(events.map((e) => h.wolfe.routing.route(e)));
    expect(decisions.filter((d) => d === 'matched')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'deduplicated')).toHaveLength(11);
    // Re-sends of the current state do not rewrite the series (lastSeenAt is kept to the
    // minute), so only the first observation wrote; the store's compare-and-set under a
    // writers' race is covered by the store contract suite.
    expect(await h.store.series.get('prod', fingerprint(labels))).toMatchObject({ version: 1, state: 'firing' });
    expect(await h.executions('other')).toHaveLength(1);
  });
});

describe('routing: for: (pending)', () => {
  let h: Harness;
  const slow = { alertname: 'Slow', service: 'api' };
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.stop();
    await h.store.close();
  });

  it('waits until the series has fired for 2m, then runs and updates the event', async () => {
    const e = await h.send(slow, 'firing', iso(T0));
    expect(e.decision).toBe('pending');
    const c = e.explanation.find((x) => x.runbook === 'slow');
    expect(c?.pendingUntil).toBe(iso(T0 + 120_000));
    expect(c?.reason).toBe(`trigger 0 matched: {alertname="Slow"} (status firing); pending until ${iso(T0 + 120_000)} (for: 2m), firing since ${iso(T0)}`);

    h.clock.advance(60_000);
    const repeat = await h.send(slow, 'firing', iso(T0));
    expect(repeat.decision).toBe('deduplicated');
    expect(repeat.explanation[0]?.duplicateOfEvent).toBe(e.id);
    expect(await h.wolfe.pending.runDue()).toBe(0);
    expect(await h.executions('slow')).toHaveLength(0);

    h.clock.advance(60_000);
    expect(await h.wolfe.pending.runDue()).toBe(1);
    const after = await h.event(e.id);
    expect(after.decision).toBe('matched');
    expect(after.executionIds).toHaveLength(1);
    expect(after.explanation[0]?.pendingUntil).toBeUndefined();
    expect(after.explanation[0]?.reason).toMatch(/waited for: 2m until .*; the series was still firing: execution .* started/);
    expect(await h.executions('slow')).toEqual([{ id: after.executionIds[0], runbook: 'slow', eventId: e.id }]);
    expect(await h.store.pending.listDue(iso(T0 + 1e9), 10)).toEqual([]);
    // Once due, a re-send is deduplicated against the execution.
    expect((await h.send(slow, 'firing', iso(T0))).decision).toBe('deduplicated');
  });

  it('measures for: from the startsAt: an alert firing for 10 minutes runs at once', async () => {
    h.clock.advance(600_000);
    const e = await h.send(slow, 'firing', iso(T0));
    expect(e.decision).toBe('matched');
    expect(e.explanation[0]?.reason).toMatch(/for: already elapsed$/);
  });

  it('measures for: from when Wolfe first saw the episode when there is no startsAt', async () => {
    const e = await h.send(slow, 'firing', null);
    expect(e.explanation[0]?.pendingUntil).toBe(iso(T0 + 120_000));
  });

  it('drops the pending run with a reason when the series resolves first', async () => {
    const e = await h.send(slow, 'firing', iso(T0));
    h.clock.advance(30_000);
    const resolve = await h.send(slow, 'resolved', iso(T0));
    expect(resolve.decision).toBe('unmatched');
    const dropped = await h.event(e.id);
    expect(dropped.decision).toBe('suppressed');
    expect(dropped.explanation[0]).toMatchObject({ suppressed: true });
    expect(dropped.explanation[0]?.reason).toContain(`pending run dropped: the series resolved at ${iso(T0 + 30_000)} (event ${resolve.id}) before its for: elapsed`);
    h.clock.advance(600_000);
    expect(await h.wolfe.pending.runDue()).toBe(0);
    expect(await h.executions('slow')).toHaveLength(0);
  });

  it('drops at due time when the series resolved and the eager drop was missed', async () => {
    const e = await h.send(slow, 'firing', iso(T0));
    // Simulate a crash right after the resolve was observed: series resolved, pending still there.
    const s = await h.store.series.get('prod', fingerprint(slow));
    if (!s) throw new Error('no series');
    await h.store.series.put({ ...s, state: 'resolved', transitions: [...s.transitions, { at: iso(T0 + 1000), to: 'resolved', episode: s.episode, eventId: 'x' }], version: s.version + 1 }, s.version);
    h.clock.advance(120_000);
    expect(await h.wolfe.pending.runDue()).toBe(1);
    const after = await h.event(e.id);
    expect(after.decision).toBe('suppressed');
    expect(after.explanation[0]?.reason).toContain(`pending run dropped: the series resolved at ${iso(T0 + 1000)} before for: 2m elapsed`);
  });

  it('drops the run of an episode replaced by a new one, and waits in the new one', async () => {
    const e = await h.send(slow, 'firing', iso(T0));
    h.clock.advance(60_000);
    const next = await h.send(slow, 'firing', iso(T0 + 50_000));
    expect(next.decision).toBe('pending');
    expect((await h.event(e.id)).explanation[0]?.reason).toMatch(/pending run dropped: a new episode \(started .*\) replaced it/);
    h.clock.advance(110_000);
    expect(await h.wolfe.pending.runDue()).toBe(1);
    expect((await h.event(next.id)).decision).toBe('matched');
  });
});

describe('routing: flapping', () => {
  let h: Harness;
  const flappy = { alertname: 'Flappy', pod: 'p-1' };
  beforeEach(async () => {
    h = await harness({ flapping: { transitions: 4, windowMs: 60_000 } });
  });
  afterEach(async () => {
    await h.stop();
    await h.store.close();
  });

  it('suppresses a flapping series, raises WolfeSeriesFlapping (which a runbook matches) and resolves it when it settles', async () => {
    const decisions: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      h.clock.advance(5000);
      const startsAt = iso(T0 + Math.floor(i / 2) * 10_000);
      decisions.push((await h.send(flappy, i % 2 === 0 ? 'firing' : 'resolved', startsAt)).decision);
    }
    expect(decisions).toEqual(['matched', 'unmatched', 'matched', 'unmatched']);
    h.clock.advance(5000);
    // The 4th transition started the flapping; the 5th event (a new episode) is suppressed.
    const held = await h.send(flappy, 'firing', iso(T0 + 30_000));
    expect(held.decision).toBe('suppressed');
    expect(held.explanation[0]?.reason).toMatch(/suppressed: the series is flapping \(4 transitions within 1m; flapping since .*\); automation resumes once it settles/);
    expect(await h.executions('flappy')).toHaveLength(2);

    const [raised] = await h.internalEvents('WolfeSeriesFlapping');
    expect(raised).toMatchObject({
      source: 'wolfe',
      status: 'firing',
      labels: { alertname: 'WolfeSeriesFlapping', series_alertname: 'Flappy', series_fingerprint: fingerprint(flappy) },
      decision: 'matched',
    });
    const delivery = await h.store.deliveries.get(raised?.deliveryId ?? '');
    expect(delivery).toMatchObject({ source: 'wolfe', outcome: 'accepted' });
    expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({ labels: raised?.labels, status: 'firing' });
    expect(await h.executions('flap-watch')).toHaveLength(1);

    // Quiet for a window: the timer ends it and raises the resolve.
    h.clock.advance(30_000);
    expect(await h.wolfe.series.recheckFlapping()).toBe(0);
    h.clock.advance(60_000);
    expect(await h.wolfe.series.recheckFlapping()).toBe(1);
    await h.wolfe.settled();
    const all = await h.internalEvents('WolfeSeriesFlapping');
    expect(all.map((e) => e.status)).toEqual(['firing', 'resolved']);
    expect(all[1]?.startsAt).toBe(all[0]?.startsAt);
    expect(await h.executions('flap-watch')).toHaveLength(2);
    expect((await h.store.series.get('prod', fingerprint(flappy)))?.flapping).toBe(false);
    // Automation runs again.
    h.clock.advance(1000);
    expect((await h.send(flappy, 'firing', iso(T0 + 200_000))).decision).toBe('matched');
  });
});

describe('heartbeats', () => {
  const watchdog: HeartbeatSpec = { name: 'watchdog', match: '{alertname="Watchdog"}', matchers: parseMatchers('{alertname="Watchdog"}'), source: 'alertmanager', intervalMs: 60_000, env: null };
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wolfe-hb-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('raises WolfeHeartbeatMissing when the heartbeat is not seen within its interval, resolves it when it comes back, across a restart', async () => {
    const clock = new FakeClock();
    const path = join(dir, 'wolfe.db');
    const h = await harness({ store: await openSqliteStore({ path }), clock, heartbeats: [watchdog] });
    h.clock.advance(30_000);
    await h.send({ alertname: 'Watchdog' }, 'firing', iso(T0));
    h.clock.advance(59_000);
    await h.wolfe.heartbeats.check();
    expect(await h.internalEvents('WolfeHeartbeatMissing')).toEqual([]);
    // From another source it does not count.
    await h.send({ alertname: 'Watchdog' }, 'firing', iso(T0), 'grafana');
    h.clock.advance(2000);
    await h.wolfe.heartbeats.check();
    await h.wolfe.settled();
    const [missing] = await h.internalEvents('WolfeHeartbeatMissing');
    expect(missing).toMatchObject({ status: 'firing', startsAt: iso(T0 + 90_000), labels: { alertname: 'WolfeHeartbeatMissing', heartbeat: 'watchdog', env: 'prod' }, decision: 'matched' });
    expect(await h.executions('hb')).toHaveLength(1);
    // Checking again raises nothing new.
    await h.wolfe.heartbeats.check();
    expect(await h.internalEvents('WolfeHeartbeatMissing')).toHaveLength(1);
    await h.stop();
    await h.store.close();

    // Restart: the missing-alert is still firing; the next heartbeat resolves it.
    const h2 = await harness({ store: await openSqliteStore({ path }), clock, heartbeats: [watchdog] });
    expect(h2.wolfe.heartbeats.status()).toEqual([expect.objectContaining({ name: 'watchdog', env: 'prod', missing: true, missingSince: iso(T0 + 90_000) })]);
    await h2.send({ alertname: 'Watchdog' }, 'firing', iso(T0));
    await h2.wolfe.settled();
    const both = await h2.internalEvents('WolfeHeartbeatMissing');
    expect(both.map((e) => [e.status, e.startsAt])).toEqual([
      ['firing', iso(T0 + 90_000)],
      ['resolved', iso(T0 + 90_000)],
    ]);
    expect(both[1]?.decision).toBe('matched');
    expect(await h2.executions('hb')).toHaveLength(2);
    expect(h2.wolfe.heartbeats.status()[0]?.missing).toBe(false);
    await h2.stop();
    await h2.store.close();
  });
});

describe('the ledger', () => {
  let h: Harness;
  // Ids are UUIDv7 made from the clock, and never go back in one process: a base far after
  // every other test's keeps this test's ids on the fake clock (since is an id bound).
  const BASE = Date.UTC(2035, 0, 1);
  beforeEach(async () => {
    h = await harness({ clock: new FakeClock(BASE) });
  });
  afterEach(async () => {
    await h.stop();
    await h.store.close();
  });

  it('filters by matchers with a bounded scan per page, and by since', async () => {
    for (let i = 0; i < 30; i++) {
      h.clock.advance(1000);
      await h.send({ alertname: 'Other', instance: `i-${i}`, team: i % 3 === 0 ? 'db' : 'web' }, 'firing', iso(h.clock.t));
    }
    const db = parseMatchers('team="db"');
    const all = await listEvents(h.store, { matchers: db, limit: 100 });
    expect(all.items).toHaveLength(10);
    expect(all.next).toBeNull();
    expect(all.items.every((e) => e.labels['team'] === 'db')).toBe(true);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listEvents>> = await listEvents(h.store, { matchers: db, limit: 3, cursor }, 8);
      expect(page.scanned).toBeLessThanOrEqual(8);
      paged.push(...page.items.map((e) => e.id));
      cursor = page.next;
    } while (cursor !== null);
    expect(paged).toEqual(all.items.map((e) => e.id));

    const since = await listEvents(h.store, { since: iso(BASE + 25_000), limit: 100 });
    expect(since.items.map((e) => e.labels['instance'])).toEqual(['i-29', 'i-28', 'i-27', 'i-26', 'i-25', 'i-24']);
    const both = await listEvents(h.store, { since: iso(BASE + 25_000), matchers: db, decision: 'matched', limit: 100 });
    expect(both.items.map((e) => e.labels['instance'])).toEqual(['i-27', 'i-24']);
  });
});
