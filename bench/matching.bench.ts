// Benchmark: routing one alert event against 10,000 triggers, and fingerprinting it.
// Bundled with esbuild and called by bench/run.mjs: `run()` resolves to a list of results.
import { fingerprint } from '@wolfe/events';
import { MatcherIndex, matchesLabels, parseMatchers, type Matcher } from '@wolfe/matchers';
import { type BenchResult } from './lib';


const TRIGGERS = 10_000;
const ALERTNAMES = 2_000;
const EVENTS = 1_000;

/** Deterministic pseudo-random numbers (the benchmark must not vary between runs). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
}

/**
 * A realistic trigger set: mostly `alertname="X"` plus a few more matchers (severity regex,
 * team, env, service regex), and ~1% of triggers without any equality matcher.
 */
function makeTriggers(rnd: (n: number) => number): Matcher[][] {
  const triggers: Matcher[][] = [];
  for (let i = 0; i < TRIGGERS; i++) {
    if (i % 100 === 99) {
      triggers.push(parseMatchers(i % 200 === 99 ? `alertname=~"Disk.*", team!=""` : `severity="page", env!~"dev|test"`));
      continue;
    }
    const parts = [`alertname="Alert${rnd(ALERTNAMES)}"`];
    if (rnd(2) === 0) parts.push('severity=~"warning|critical"');
    if (rnd(3) === 0) parts.push(`team="team${rnd(50)}"`);
    if (rnd(4) === 0) parts.push('env!="dev"');
    if (rnd(6) === 0) parts.push(`service=~"svc-${rnd(20)}-.*"`);
    triggers.push(parseMatchers(`{${parts.join(', ')}}`));
  }
  return triggers;
}

function makeEvents(rnd: (n: number) => number): Record<string, string>[] {
  const events: Record<string, string>[] = [];
  const severities = ['info', 'warning', 'critical', 'page'];
  for (let i = 0; i < EVENTS; i++) {
    events.push({
      alertname: rnd(10) === 0 ? `Disk${rnd(5)}` : `Alert${rnd(ALERTNAMES)}`,
      severity: severities[rnd(severities.length)] as string,
      team: `team${rnd(50)}`,
      env: rnd(3) === 0 ? 'dev' : 'prod',
      service: `svc-${rnd(20)}-api`,
      instance: `10.0.${rnd(256)}.${rnd(256)}:9100`,
      job: 'node-exporter',
      namespace: `ns-${rnd(30)}`,
      cluster: 'eu-west-1',
    });
  }
  return events;
}

/** Median over `rounds` of the mean time per call, in µs; each round runs about `budgetMs`. */
function measure(fn: (i: number) => unknown, rounds: number, budgetMs: number): number {
  let sink = 0;
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) if (fn(i)) sink++;
    if (performance.now() - t0 >= budgetMs / 4 || calls >= 1 << 24) break;
    calls *= 2;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) if (fn(i)) sink++;
    samples.push(((performance.now() - t0) * 1000) / calls);
  }
  samples.sort((a, b) => a - b);
  if (sink < 0) throw new Error('unreachable');
  return samples[Math.floor(samples.length / 2)] as number;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export async function run(): Promise<BenchResult[]> {
  const rnd = rng(2024);
  const triggers = makeTriggers(rnd);
  const events = makeEvents(rnd);

  const t0 = performance.now();
  const index = new MatcherIndex<number>();
  triggers.forEach((ms, id) => index.add(id, ms));
  const buildMs = performance.now() - t0;

  // Correctness check before timing: the index must return what a full scan returns.
  let exact = true;
  let matched = 0;
  for (const labels of events) {
    const fromIndex = index.candidates(labels);
    const fromScan: number[] = [];
    for (let id = 0; id < triggers.length; id++) if (matchesLabels(triggers[id] as Matcher[], labels)) fromScan.push(id);
    matched += fromIndex.length;
    if (fromIndex.length !== fromScan.length || fromIndex.some((id, k) => id !== fromScan[k])) exact = false;
  }

  const indexed = measure((i) => index.candidates(events[i % EVENTS] as Record<string, string>).length, 7, 200);
  const brute = measure(
    (i) => {
      const labels = events[i % EVENTS] as Record<string, string>;
      let n = 0;
      for (let id = 0; id < triggers.length; id++) if (matchesLabels(triggers[id] as Matcher[], labels)) n++;
      return n;
    },
    5,
    300,
  );
  const fp = measure((i) => fingerprint(events[i % EVENTS] as Record<string, string>).length, 7, 200);
  const stats = index.stats();

  return [
    {
      name: 'matchers: index candidates (10k triggers)',
      metric: 'per event',
      value: round(indexed),
      unit: 'µs',
      target: '≤ 20 µs',
      ok: indexed <= 20 && exact,
    },
    { name: 'matchers: brute-force scan (10k triggers)', metric: 'per event', value: round(brute), unit: 'µs' },
    { name: 'matchers: index speed-up over scan', metric: 'ratio', value: round(brute / indexed), unit: '×' },
    { name: 'matchers: index equals brute force', metric: `${EVENTS} events`, value: exact ? 1 : 0, unit: 'bool', target: '1', ok: exact },
    { name: 'matchers: matches per event', metric: 'mean', value: round(matched / EVENTS), unit: 'ids' },
    { name: 'matchers: index build (10k triggers)', metric: 'total', value: round(buildMs), unit: 'ms' },
    { name: 'matchers: index fallback entries', metric: 'count', value: stats.fallback, unit: 'entries' },
    { name: 'events: fingerprint (9 labels)', metric: 'per event', value: round(fp), unit: 'µs', target: '≤ 5 µs', ok: fp <= 5 },
  ];
}
