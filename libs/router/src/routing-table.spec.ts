import { parseMatchers } from '@wolfe/matchers';
import type { Trigger, TriggerStatus } from '@wolfe/runbooks';
import { type RoutableEvent, type RoutableRunbook, routeEvent } from './route';
import { RoutingTable } from './routing-table';

const trigger = (match: string, status: TriggerStatus = 'firing', source: string | null = null, forMs: number | null = null): Trigger => ({
  match,
  matchers: parseMatchers(match),
  status,
  source,
  forMs,
});

const event = (labels: Record<string, string>, over: Partial<RoutableEvent> = {}): RoutableEvent => ({
  id: 'e1',
  env: 'prod',
  source: 'alertmanager',
  fingerprint: 'fp',
  labels,
  status: 'firing',
  startsAt: '2026-11-21T10:00:00.000Z',
  ...over,
});

describe('RoutingTable', () => {
  const runbooks: RoutableRunbook[] = [
    { name: 'disk', version: 'v1', triggers: [trigger('{alertname="DiskAlmostFull", severity=~"warning|critical"}', 'firing', null, 60_000)] },
    { name: 'errors', version: 'v1', triggers: [trigger('alertname="HighErrorRate"')] },
    { name: 'multi', version: 'v1', triggers: [trigger('{alertname="DiskAlmostFull", team="db"}'), trigger('{instance="db-1"}', 'resolved')] },
    { name: 'wide', version: 'v1', triggers: [trigger('severity!="info"', 'any', 'grafana')] },
  ];
  const table = new RoutingTable(runbooks);

  it('returns the matched runbooks with trigger, dedup key and for:, and the near misses with their reason', () => {
    const out = table.route(event({ alertname: 'DiskAlmostFull', severity: 'info', instance: 'db-1' }), 'ep');
    expect(out.map((c) => [c.runbook, c.matched])).toEqual([
      ['disk', false],
      ['multi', false],
    ]);
    expect(out[0]?.reason).toBe('label severity="info" does not match severity=~"warning|critical"');
    expect(out[1]?.reason).toBe('trigger 0: label team is missing; team="db" needs it; trigger 1: status is firing; the trigger wants resolved');

    const hit = table.route(event({ alertname: 'DiskAlmostFull', severity: 'critical' }), 'ep');
    expect(hit[0]).toMatchObject({ runbook: 'disk', matched: true, trigger: 0, forMs: 60_000, dedupKey: 'prod|disk|fp|firing|ep' });
    expect(hit[0]?.reason).toBe('trigger 0 matched: {alertname="DiskAlmostFull", severity=~"warning|critical"} (status firing)');
  });

  it('leaves out runbooks the event is nowhere near (their reason is computed on demand)', () => {
    expect(table.route(event({ alertname: 'Unrelated', severity: 'info' }))).toEqual([]);
    // 'wide' has no selective matcher: it is checked for every event but is a near miss only by source.
    expect(table.route(event({ alertname: 'Unrelated', severity: 'critical' }))).toMatchObject([{ runbook: 'wide', matched: false, reason: 'source is alertmanager; the trigger wants grafana' }]);
    expect(table.stats()).toEqual({ runbooks: 4, triggers: 5, unindexed: 1 });
  });

  it('agrees with the full scan on what matches, for many random events and triggers', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['alertname', 'severity', 'team', 'instance'];
    const values = ['A', 'B', 'C', 'warning', 'critical', ''];
    const matcher = (): string => {
      const name = names[rand(names.length)] as string;
      const v = values[rand(values.length)] as string;
      switch (rand(5)) {
        case 0:
          return `${name}!="${v}"`;
        case 1:
          return `${name}=~"${v}|${values[rand(values.length)] as string}"`;
        case 2:
          return `${name}!~"${v}.*"`;
        default:
          return `${name}="${v}"`;
      }
    };
    const rbs: RoutableRunbook[] = Array.from({ length: 60 }, (_, r) => ({
      name: `rb-${r}`,
      version: 'v',
      triggers: Array.from({ length: 1 + rand(3) }, () =>
        trigger(`{${Array.from({ length: 1 + rand(3), }, matcher).join(', ')}}`, (['firing', 'resolved', 'any'] as const)[rand(3)], rand(4) === 0 ? 'grafana' : null),
      ),
    }));
    const t = new RoutingTable(rbs);
    for (let i = 0; i < 500; i++) {
      const labels: Record<string, string> = {};
      for (const n of names) if (rand(4) > 0) labels[n] = values[rand(values.length - 1)] as string;
      const e = event(labels, { status: rand(2) ? 'firing' : 'resolved', source: rand(3) ? 'alertmanager' : 'grafana' });
      const reference = routeEvent(e, rbs, 'ep');
      const indexed = t.route(e, 'ep');
      expect(indexed.filter((c) => c.matched)).toEqual(reference.filter((c) => c.matched));
      // Near misses are runbooks the full scan did not match either.
      const unmatched = new Set(reference.filter((c) => !c.matched).map((c) => c.runbook));
      for (const c of indexed.filter((x) => !x.matched)) expect(unmatched.has(c.runbook)).toBe(true);
    }
  });

  it('keeps runbooks of the same name in two projects apart: both match, each with its own version and dedup key', () => {
    const t = new RoutingTable([
      { name: 'echo', version: 'a1', triggers: [trigger('alertname="Echo"')] },
      { project: 'payments', name: 'echo', version: 'p1', triggers: [trigger('alertname="Echo"')] },
    ]);
    const out = t.route(event({ alertname: 'Echo' }), 'ep');
    expect(out.map((c) => [c.project, c.runbook, c.version, c.matched, c.dedupKey])).toEqual([
      ['default', 'echo', 'a1', true, 'prod|echo|fp|firing|ep'],
      ['payments', 'echo', 'p1', true, 'prod|payments/echo|fp|firing|ep'],
    ]);
    expect(routeEvent(event({ alertname: 'Echo' }), t.runbooks, 'ep').map((c) => c.dedupKey)).toEqual(out.map((c) => c.dedupKey));
  });
});
