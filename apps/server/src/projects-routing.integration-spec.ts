// Routing across projects, driven by a fake clock: the real application (libs/application) on a
// real sqlite store, two in-memory runbook repositories with runbooks of the same names, and a
// sandbox that only records what ran. Pending runs (for:) and internal events per project.
import { type Clock, type EventRecord, explainEvent, newId, type SandboxRequest, silentLogger, type Store, Wolfe } from '@wolfe/application';
import { fingerprint } from '@wolfe/events';
import { parseMatchers } from '@wolfe/matchers';
import { openSqliteStore } from '@wolfe/store-sqlite';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

class FakeClock implements Clock {
  t = T0;
  now(): Date {
    return new Date(this.t);
  }
}

const manifest = (name: string, triggers: string[]): string => [`name: ${name}`, 'description: test', 'owner: tests', 'triggers:', ...triggers].join('\n') + '\n';

/** The same runbook names in both repositories; `only-payments` exists in one. */
function repository(version: string, extra: Record<string, string> = {}) {
  const files: Record<string, string> = {
    'slow/runbook.yaml': manifest('slow', [`  - match: '{alertname="Slow"}'`, '    for: 2m']),
    'hb/runbook.yaml': manifest('hb', [`  - match: '{alertname="WolfeHeartbeatMissing", heartbeat="watchdog"}'`, '    status: any']),
    ...extra,
  };
  for (const name of Object.keys(files)) files[name.replace('runbook.yaml', 'index.ts')] = 'export default 1;\n';
  return { head: async () => version, readTree: async () => new Map(Object.entries(files)) };
}

describe('routing across projects (fake clock, sqlite)', () => {
  let store: Store;
  let wolfe: Wolfe;
  let clock: FakeClock;
  const ran: { name: string; version: string }[] = [];

  beforeEach(async () => {
    clock = new FakeClock();
    ran.length = 0;
    store = await openSqliteStore({ path: ':memory:' });
    wolfe = new Wolfe({
      store,
      sandbox: {
        run: async (r: SandboxRequest) => {
          ran.push({ name: r.runbook.name, version: r.runbook.version });
          return { status: 'succeeded', result: null };
        },
        dispose: async () => undefined,
      },
      runbookSource: repository('d1'),
      compile: async (name) => ({ ok: true, compiled: { code: '', sourceMap: '{}', filename: `${name}/index.js` } }),
      sources: () => undefined,
      envs: ['prod'],
      clock,
      logger: silentLogger,
      concurrency: 2,
      refreshMs: 0,
      sweepMs: 60_000,
      heartbeats: [{ name: 'watchdog', match: '{alertname="Watchdog"}', matchers: parseMatchers('{alertname="Watchdog"}'), source: null, intervalMs: 60_000, env: 'prod' }],
    });
    await wolfe.catalog.refresh();
    await wolfe.addProject('payments', repository('p1', { 'only-payments/runbook.yaml': manifest('only-payments', [`  - match: '{alertname="Slow"}'`]) }));
    await wolfe.heartbeats.start();
  });
  /** Routing settled and nothing queued or running (the dispatcher claims asynchronously). */
  async function idle(): Promise<void> {
    await wolfe.settled();
    for (let i = 0; i < 400; i++) {
      const busy = (await store.executions.listByStatus('queued', 1)).length + (await store.executions.listByStatus('running', 1)).length;
      if (busy === 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  afterEach(async () => {
    await idle();
    await wolfe.stop();
    await store.close();
  });

  async function send(labels: Record<string, string>, startsAt: string): Promise<EventRecord> {
    const deliveryId = newId(clock.t);
    const event: EventRecord = {
      id: newId(clock.t),
      deliveryId,
      source: 'alertmanager',
      env: 'prod',
      fingerprint: fingerprint(labels),
      sourceFingerprint: null,
      labels,
      annotations: {},
      status: 'firing',
      startsAt,
      endsAt: null,
      sourceUrl: null,
      receivedAt: clock.now().toISOString(),
      decision: null,
      decidedAt: null,
      explanation: [],
      executionIds: [],
    };
    await store.deliveries.record({ id: deliveryId, source: 'alertmanager', env: 'prod', receivedAt: event.receivedAt, contentType: null, body: '{}', outcome: 'accepted', error: null, eventIds: [event.id] }, [event]);
    await wolfe.routing.route(event);
    return (await store.events.get(event.id)) as EventRecord;
  }

  const executions = async () => (await store.executions.list({ limit: 100 })).items.map((e) => ({ id: e.id, project: e.project, runbook: e.runbook, version: e.version, eventId: e.eventId }));

  it('waits for: in each project apart, then runs each project\'s runbook at its own version', async () => {
    const e = await send({ alertname: 'Slow' }, iso(T0));
    expect(e.decision).toBe('matched'); // only-payments has no for: and runs at once
    expect(e.explanation.map((c) => [c.project, c.runbook, c.pendingUntil !== undefined, c.executionId !== undefined])).toEqual([
      ['default', 'slow', true, false],
      ['payments', 'only-payments', false, true],
      ['payments', 'slow', true, false],
    ]);
    const pending = await store.pending.listBySeries('prod', e.fingerprint);
    expect(pending.map((p) => [p.project, p.runbook, p.dedupKey.split('|')[1]])).toEqual([
      ['default', 'slow', 'slow'],
      ['payments', 'slow', 'payments/slow'],
    ]);
    // A re-send meanwhile is deduplicated against each project's own pending run.
    const again = await send({ alertname: 'Slow' }, iso(T0));
    expect(again.explanation.filter((c) => c.runbook === 'slow').map((c) => [c.project, c.duplicateOfEvent])).toEqual([
      ['default', e.id],
      ['payments', e.id],
    ]);

    clock.t += 120_000;
    expect(await wolfe.pending.runDue()).toBe(2);
    const ex = (await executions()).filter((x) => x.runbook === 'slow');
    expect(ex.map((x) => [x.project, x.version]).sort()).toEqual([
      ['default', 'd1'],
      ['payments', 'p1'],
    ]);
    // Each candidate names the execution of ITS project.
    const settled = (await store.events.get(e.id)) as EventRecord;
    for (const c of settled.explanation.filter((x) => x.runbook === 'slow')) {
      expect(c.pendingUntil).toBeUndefined();
      expect(ex.find((x) => x.id === c.executionId)?.project).toBe(c.project);
    }
    await idle();
    expect(ran.map((r) => `${r.name}@${r.version}`).sort()).toEqual(['only-payments@p1', 'slow@d1', 'slow@p1']);
  });

  it('routes internal events (a missing heartbeat) to every project', async () => {
    clock.t += 61_000;
    await wolfe.heartbeats.check();
    await idle();
    const hb = (await executions()).filter((x) => x.runbook === 'hb');
    expect(hb.map((x) => [x.project, x.version]).sort()).toEqual([
      ['default', 'd1'],
      ['payments', 'p1'],
    ]);
    const event = (await store.events.get(hb[0]?.eventId as string)) as EventRecord;
    expect(event.labels['alertname']).toBe('WolfeHeartbeatMissing');
    // On demand, the other runbooks of both projects are explained too.
    const detail = explainEvent(event, wolfe.catalogs.snapshots('prod').snapshots, null);
    expect(detail.explanation.filter((c) => c.origin === 'on_demand').map((c) => `${c.project}/${c.runbook}`)).toEqual(['default/slow', 'payments/only-payments', 'payments/slow']);
    expect(detail.explainedAtByProject).toEqual({ default: 'd1', payments: 'p1' });
  });
});
