// The sandbox alone (no HTTP, no store): compile time of a runbook, trivial executions per
// second (sequential, 4 at a time, and per core with 2 per core), the latency from
// `sandbox.run()` being called to the runbook's first statement (its first ctx.log line
// reaching the host, which is synchronous), and the memory each execution costs while 1,000
// of them sleep at once (ctx.sleep). Measured for the default (isolates reused, a fresh context
// per execution) and for a new isolate per execution.
import { cpus } from 'node:os';
import type { CompiledRunbook, SandboxRequest } from '@wolfe/application';
import { compileRunbook } from '@wolfe/compiler';
import { IsolateSandbox, type IsolateSandboxOptions } from '@wolfe/sandbox';
import { type BenchResult, percentile as pct } from './lib';



const TRIVIAL = "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => { ctx.log.info('first'); return 1; });\n";

async function compile(files: Record<string, string>): Promise<CompiledRunbook> {
  const r = await compileRunbook({ name: 'bench/probe', files: new Map(Object.entries(files)) });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.compiled;
}

function request(compiled: CompiledRunbook, onLog: SandboxRequest['onLog'] = () => undefined): SandboxRequest {
  return {
    executionId: 'bench',
    runbook: { name: 'bench/probe', version: '0'.repeat(40) },
    env: 'dev',
    compiled,
    event: {
      id: 'e',
      source: 'alertmanager',
      fingerprint: 'f',
      labels: { alertname: 'BenchProbe', instance: 'host-1' },
      annotations: {},
      status: 'firing',
      startsAt: null,
      endsAt: null,
      receivedAt: new Date().toISOString(),
    },
    limits: { timeoutMs: 5_000, memoryMiB: 16 },
    onLog,
  };
}

async function mustSucceed(sandbox: IsolateSandbox, req: SandboxRequest): Promise<void> {
  const outcome = await sandbox.run(req);
  if (outcome.status !== 'succeeded') throw new Error(`bench execution ${outcome.status}: ${outcome.error.message}`);
}

async function measure(label: string, options: IsolateSandboxOptions, compiled: CompiledRunbook, targets: { seq: number; conc: number; perCore: number; p50: number; p99: number }): Promise<BenchResult[]> {
  const sandbox = new IsolateSandbox(options);
  const results: BenchResult[] = [];
  try {
    for (let i = 0; i < 50; i++) await mustSucceed(sandbox, request(compiled)); // warm-up

    // Sequential throughput.
    const seqN = 1_000;
    let started = performance.now();
    for (let i = 0; i < seqN; i++) await mustSucceed(sandbox, request(compiled));
    const seq = seqN / ((performance.now() - started) / 1000);
    results.push({ name: `sandbox trivial executions, sequential (${label})`, metric: 'executions/s', value: seq, unit: '1/s', target: `≥ ${targets.seq}`, ok: seq >= targets.seq });

    // Concurrency 4.
    const concN = 2_000;
    let next = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < concN) {
          next += 1;
          await mustSucceed(sandbox, request(compiled));
        }
      }),
    );
    const conc = concN / ((performance.now() - started) / 1000);
    results.push({ name: `sandbox trivial executions, concurrency 4 (${label})`, metric: 'executions/s', value: conc, unit: '1/s', target: `≥ ${targets.conc}`, ok: conc >= targets.conc });

    // Per core: two executions in flight per core (isolates run on their own threads).
    const cores = cpus().length;
    const coreN = 1_000 * cores;
    let taken = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: 2 * cores }, async () => {
        while (taken < coreN) {
          taken += 1;
          await mustSucceed(sandbox, request(compiled));
        }
      }),
    );
    const perCore = coreN / ((performance.now() - started) / 1000) / cores;
    results.push({ name: `sandbox trivial executions per core, ${cores} cores × 2 in flight (${label})`, metric: 'executions/s/core', value: perCore, unit: '1/s', target: `≥ ${targets.perCore}`, ok: perCore >= targets.perCore });

    // Dispatch → first statement.
    const latencies: number[] = [];
    for (let i = 0; i < 500; i++) {
      let first = Number.NaN;
      const dispatched = performance.now();
      await mustSucceed(
        sandbox,
        request(compiled, () => {
          if (Number.isNaN(first)) first = performance.now();
        }),
      );
      latencies.push(first - dispatched);
      // Let a reused isolate get back to the pool, as between real executions.
      await new Promise((r) => setImmediate(r));
    }
    const p99 = pct(latencies, 99);
    const p50 = pct(latencies, 50);
    results.push(
      { name: `sandbox dispatch → first statement (${label})`, metric: 'p50', value: p50, unit: 'ms', target: `≤ ${targets.p50} ms`, ok: p50 <= targets.p50 },
      { name: `sandbox dispatch → first statement (${label})`, metric: 'p99', value: p99, unit: 'ms', target: `≤ ${targets.p99} ms`, ok: p99 <= targets.p99 },
    );
  } finally {
    await sandbox.dispose();
  }
  return results;
}

const SLEEPER = "import { runbook } from '@wolfe/sdk';\nexport default runbook(async (ctx) => { ctx.log.info('sleeping'); await ctx.sleep(ctx.params['ms'] as number); return 1; });\n";

/**
 * Memory per concurrent execution: `n` executions sleeping at once (each in its own isolate:
 * an isolate runs one execution at a time). RSS and V8 heap (isolates included) before and
 * while they all sleep, divided by `n`; then all must wake and succeed.
 */
async function concurrentSleepers(n: number, target: number): Promise<BenchResult[]> {
  const compiled = await compile({ 'index.ts': SLEEPER });
  const sandbox = new IsolateSandbox();
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    await mustSucceed(sandbox, { ...request(compiled), params: { ms: 1 } }); // warm-up (and esbuild, compile caches)
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    const before = process.memoryUsage();
    let sleeping = 0;
    let allAsleep: () => void = () => undefined;
    const asleep = new Promise<void>((resolve) => (allAsleep = resolve));
    const started = performance.now();
    const runs = Array.from({ length: n }, () =>
      sandbox.run({
        ...request(compiled, () => {
          sleeping += 1;
          if (sleeping === n) allAsleep();
        }),
        params: { ms: 5_000 },
        limits: { timeoutMs: 60_000, memoryMiB: 8 },
      }),
    );
    await asleep;
    const rampMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 500)); // let RSS settle
    const during = process.memoryUsage();
    const isolates = sandbox.isolateCount;
    const outcomes = await Promise.all(runs);
    const failed = outcomes.filter((o) => o.status !== 'succeeded').length;
    if (failed > 0) throw new Error(`${failed} of ${n} sleeping executions did not succeed`);
    const mib = 1024 * 1024;
    const perRss = (during.rss - before.rss) / n / mib;
    return [
      { name: `sandbox ${n} executions sleeping at once (ctx.sleep), ${isolates} isolates`, metric: 'RSS per execution', value: perRss, unit: 'MiB', target: `≤ ${target} MiB`, ok: perRss <= target },
      { name: `sandbox ${n} executions sleeping at once (ctx.sleep), ${isolates} isolates`, metric: 'host heap per execution', value: (during.heapUsed - before.heapUsed) / n / mib, unit: 'MiB' },
      { name: `sandbox ${n} executions sleeping at once (ctx.sleep), ${isolates} isolates`, metric: 'time until all are asleep', value: rampMs, unit: 'ms' },
    ];
  } finally {
    await sandbox.dispose();
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];

  // Compile (done when runbooks are loaded, not per execution).
  const files = {
    'index.ts': `import { runbook } from '@wolfe/sdk';\nimport { plan } from './lib/plan';\n\nexport default runbook(async (ctx) => {\n  const steps = plan(ctx.event.labels['instance'] ?? 'unknown');\n  for (const s of steps) ctx.log.info(s.name, { s });\n  return { steps: steps.length };\n});\n`,
    'lib/plan.ts': `export interface Step { readonly name: string; readonly weight: number }\nexport function plan(instance: string): Step[] {\n  return ['rotate-logs', 'clear-tmp', 'vacuum'].map((name, i) => ({ name: name + '@' + instance, weight: i }));\n}\n`,
  };
  await compile(files); // starts esbuild's service
  const compileTimes: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await compile(files);
    compileTimes.push(performance.now() - t);
  }
  results.push(
    { name: 'compile a two-file runbook', metric: 'p50', value: pct(compileTimes, 50), unit: 'ms', target: '≤ 20 ms', ok: pct(compileTimes, 50) <= 20 },
    { name: 'compile a two-file runbook', metric: 'p99', value: pct(compileTimes, 99), unit: 'ms' },
  );

  const trivial = await compile({ 'index.ts': TRIVIAL });
  results.push(...(await measure('isolates reused, fresh context', {}, trivial, { seq: 300, conc: 400, perCore: 1_000, p50: 1, p99: 10 })));
  results.push(...(await measure('new isolate per execution', { maxUsesPerIsolate: 1 }, trivial, { seq: 100, conc: 150, perCore: 200, p50: 5, p99: 20 })));
  results.push(...(await concurrentSleepers(1_000, 2)));
  return results;
}
