import { parseMatchers } from '@wolfe/matchers';
import type { Trigger, TriggerStatus } from '@wolfe/runbooks';
import { type RoutableEvent, dedupKey, routeEvent } from './route';

const trigger = (match: string, status: TriggerStatus = 'firing', source: string | null = null, forMs: number | null = null): Trigger => ({
  match,
  matchers: parseMatchers(match),
  status,
  source,
  forMs,
});

const event = (over: Partial<RoutableEvent> = {}): RoutableEvent => ({
  id: 'e1',
  env: 'prod',
  source: 'alertmanager',
  fingerprint: 'f00dfeedf00dfeed',
  labels: { alertname: 'DiskAlmostFull', severity: 'warning', instance: 'db-1' },
  status: 'firing',
  startsAt: '2026-11-21T10:00:00.000Z',
  ...over,
});

describe('routeEvent', () => {
  const disk = { name: 'disk-cleanup', version: 'abc', triggers: [trigger('{alertname="DiskAlmostFull", severity=~"warning|critical"}')] };
  const errors = { name: 'errors', version: 'abc', triggers: [trigger('alertname="HighErrorRate"')] };

  it('matches the runbook whose trigger matches and explains the others', () => {
    const [d, e] = routeEvent(event(), [disk, errors]);
    expect(d).toMatchObject({ runbook: 'disk-cleanup', matched: true, trigger: 0, dedupKey: dedupKey(event(), 'disk-cleanup') });
    expect(e).toMatchObject({ runbook: 'errors', matched: false, trigger: null, dedupKey: null });
    expect(e?.reason).toContain('alertname');
    expect(e?.reason).toContain('HighErrorRate');
  });

  it('respects the trigger status', () => {
    const [d] = routeEvent(event({ status: 'resolved' }), [disk]);
    expect(d?.matched).toBe(false);
    expect(d?.reason).toBe('status is resolved; the trigger wants firing');
    const any = { ...disk, triggers: [trigger('alertname="DiskAlmostFull"', 'any')] };
    expect(routeEvent(event({ status: 'resolved' }), [any])[0]?.matched).toBe(true);
  });

  it('respects the trigger source', () => {
    const rb = { ...disk, triggers: [trigger('alertname="DiskAlmostFull"', 'firing', 'grafana')] };
    expect(routeEvent(event(), [rb])[0]?.reason).toBe('source is alertmanager; the trigger wants grafana');
  });

  it('reports the first trigger that matches among several, and all reasons when none does', () => {
    const rb = { name: 'multi', version: 'v', triggers: [trigger('alertname="Nope"'), trigger('instance="db-1"')] };
    expect(routeEvent(event(), [rb])[0]).toMatchObject({ matched: true, trigger: 1 });
    const none = { name: 'none', version: 'v', triggers: [trigger('alertname="A"'), trigger('alertname="B"')] };
    const reason = routeEvent(event(), [none])[0]?.reason ?? '';
    expect(reason).toMatch(/^trigger 0: .*; trigger 1: /);
  });

  it('gives one dedup key per episode: re-sends share it, a new episode or a resolve does not', () => {
    const k = dedupKey(event(), 'disk-cleanup');
    expect(dedupKey(event({ id: 'e2' }), 'disk-cleanup')).toBe(k);
    expect(dedupKey(event({ startsAt: '2026-11-21T11:00:00.000Z' }), 'disk-cleanup')).not.toBe(k);
    expect(dedupKey(event({ status: 'resolved' }), 'disk-cleanup')).not.toBe(k);
    expect(dedupKey(event({ env: 'dev' }), 'disk-cleanup')).not.toBe(k);
    expect(dedupKey(event(), 'other')).not.toBe(k);
    // A runbook is (project, name): the default project keeps the key form it had before projects.
    expect(dedupKey(event(), 'disk-cleanup', undefined, 'default')).toBe(k);
    expect(dedupKey(event(), 'disk-cleanup', undefined, 'payments')).toBe(k.replace('|disk-cleanup|', '|payments/disk-cleanup|'));
    // No startsAt and no episode from the series: the event is its own episode.
    expect(dedupKey(event({ startsAt: null }), 'x')).not.toBe(dedupKey(event({ id: 'e2', startsAt: null }), 'x'));
    // The series' episode names it: a re-notification without startsAt joins it.
    expect(dedupKey(event({ startsAt: null }), 'x', 'seen:2026-11-21T10:00:00.000Z')).toBe(dedupKey(event({ id: 'e2', startsAt: null }), 'x', 'seen:2026-11-21T10:00:00.000Z'));
  });

  it('carries the for: of the trigger that matched', () => {
    const rb = { name: 'wait', version: 'v', triggers: [trigger('alertname="DiskAlmostFull"', 'firing', null, 120_000)] };
    expect(routeEvent(event(), [rb])[0]).toMatchObject({ matched: true, forMs: 120_000 });
  });
});
