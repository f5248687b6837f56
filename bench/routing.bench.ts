// The router's per-event cost, pure and in-process: 10,000 triggers (2,000 runbooks × 5)
// indexed by RoutingTable (libs/router), the path RoutingService takes for every event.
// (a) routing alone (index lookup, verification, near misses, dedup keys);
// (b) routing plus the series observation (libs/series: the pure state machine, no store).
// For comparison (c): the full scan routeEvent() that "why not" uses on demand.
import { parseMatchers } from '@wolfe/matchers';
import { type RoutableEvent, type RoutableRunbook, routeEvent, RoutingTable } from '@wolfe/router';
import type { Trigger } from '@wolfe/runbooks';
import { observe, type Series } from '@wolfe/series';
import { type BenchResult } from './lib';


const RUNBOOKS = 2000;
const TRIGGERS_PER_RUNBOOK = 5;
const TEAMS = ['db', 'web', 'payments', 'search', 'infra', 'ml', 'edge', 'storage'];

function trigger(i: number): Trigger {
  const team = TEAMS[i % TEAMS.length] as string;
  const shapes = [
    `{alertname="Alert${i}", severity=~"warning|critical"}`,
    `{alertname="Alert${i}", team="${team}", env!="dev"}`,
    `{alertname=~"Alert${i}|AlertX${i}", instance=~"db-.*"}`,
    `{service="svc-${i % 500}", alertname="Alert${i}", severity="critical"}`,
    `{alertname="Alert${i}", team=~"${team}|infra", cluster!~"staging.*"}`,
  ];
  const match = shapes[i % shapes.length] as string;
  return { match, matchers: parseMatchers(match), status: i % 7 === 0 ? 'any' : 'firing', source: i % 11 === 0 ? 'grafana' : null, forMs: i % 13 === 0 ? 60_000 : null };
}

function runbooks(): RoutableRunbook[] {
  let n = 0;
  return Array.from({ length: RUNBOOKS }, (_, r) => ({
    name: `rb-${r}`,
    version: 'bench',
    triggers: Array.from({ length: TRIGGERS_PER_RUNBOOK }, () => trigger(n++)),
  }));
}

function events(count: number): RoutableEvent[] {
  return Array.from({ length: count }, (_, k) => {
    // Every other event names an existing trigger's alertname (a hit or near miss); the rest are unknown alerts.
    const i = (k * 7919) % (RUNBOOKS * TRIGGERS_PER_RUNBOOK);
    const alertname = k % 2 === 0 ? `Alert${i}` : `Unknown${k}`;
    return {
      id: `e${k}`,
      env: 'prod',
      source: k % 5 === 0 ? 'grafana' : 'alertmanager',
      fingerprint: `fp${k % 1000}`,
      labels: {
        alertname,
        severity: k % 3 === 0 ? 'critical' : 'warning',
        team: TEAMS[k % TEAMS.length] as string,
        instance: `db-${k % 40}:9100`,
        service: `svc-${k % 500}`,
        cluster: k % 4 === 0 ? 'staging-1' : 'prod-eu-1',
        env: 'prod',
        job: 'node',
        namespace: 'default',
        pod: `pod-${k % 97}`,
      },
      status: 'firing',
      startsAt: new Date(Date.UTC(2026, 0, 1) + (k % 50) * 60_000).toISOString(),
    };
  });
}

/** Median µs per event over `rounds` passes of `fn` over all events. */
function measure(evs: readonly RoutableEvent[], rounds: number, fn: (e: RoutableEvent) => number): { us: number; sink: number } {
  let sink = 0;
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (const e of evs) sink += fn(e);
    perRound.push(Number(process.hrtime.bigint() - t0) / 1000 / evs.length);
  }
  perRound.sort((a, b) => a - b);
  return { us: perRound[Math.floor(perRound.length / 2)] as number, sink };
}

export async function run(): Promise<BenchResult[]> {
  const rbs = runbooks();
  const t0 = process.hrtime.bigint();
  const table = new RoutingTable(rbs);
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const stats = table.stats();
  const evs = events(20_000);

  // Warm-up (JIT, regex caches).
  measure(evs.slice(0, 5000), 2, (e) => table.route(e, e.startsAt ?? undefined).length);

  const routing = measure(evs, 7, (e) => table.route(e, e.startsAt ?? undefined).length);
  let matched = 0;
  for (const e of evs) matched += table.route(e).filter((c) => c.matched).length;

  const series = new Map<string, Series>();
  const withSeries = measure(evs, 7, (e) => {
    const obs = observe(series.get(e.fingerprint) ?? null, { ...e, receivedAt: '2026-01-01T12:00:00.000Z' }, '2026-01-01T12:00:00.000Z');
    series.set(e.fingerprint, obs.next);
    return table.route(e, obs.episode).length;
  });

  const sample = evs.slice(0, 200);
  const scan = measure(sample, 3, (e) => routeEvent(e, rbs).length);

  const target = 20;
  return [
    { name: 'routing: index (10,000 triggers)', metric: 'per event', value: routing.us, unit: 'µs', target: `≤ ${target} µs`, ok: routing.us <= target },
    { name: 'routing: index + series observe', metric: 'per event', value: withSeries.us, unit: 'µs', target: `≤ ${target} µs`, ok: withSeries.us <= target },
    { name: 'routing: full scan (why-not, on demand)', metric: 'per event', value: scan.us, unit: 'µs' },
    { name: 'routing: build the table', metric: '10,000 triggers', value: buildMs, unit: 'ms' },
    { name: 'routing: triggers checked for every event', metric: 'unindexed', value: stats.unindexed, unit: 'triggers' },
    { name: 'routing: matches in 20,000 events', metric: 'matched candidates', value: matched + (routing.sink + withSeries.sink + scan.sink) * 0, unit: 'candidates' },
  ];
}
