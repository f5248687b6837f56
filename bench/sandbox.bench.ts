// The sandbox alone (no HTTP, no store): compile time of a runbook, trivial executions per
// second (sequential and 4 at a time) and the latency from `sandbox.run()` being called to
// the runbook's first statement (its first ctx.log line reaching the host, which is
// synchronous). Measured for the default (isolates reused, a fresh context per execution)
// and for a new isolate per execution.
import type { CompiledRunbook, SandboxRequest } from '@wolfe/application';
import { compileRunbook } from '@wolfe/compiler';
import { IsolateSandbox, type IsolateSandboxOptions } from '@wolfe/sandbox';

interface BenchResult {
  name: string;
  metric: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

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

async function measure(label: string, options: IsolateSandboxOptions, compiled: CompiledRunbook, targets: { seq: number; conc: number; p99: number }): Promise<BenchResult[]> {
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
    results.push(
      { name: `sandbox dispatch → first statement (${label})`, metric: 'p50', value: pct(latencies, 50), unit: 'ms' },
      { name: `sandbox dispatch → first statement (${label})`, metric: 'p99', value: p99, unit: 'ms', target: `≤ ${targets.p99} ms`, ok: p99 <= targets.p99 },
    );
  } finally {
    await sandbox.dispose();
  }
  return results;
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
  results.push(...(await measure('isolates reused, fresh context', {}, trivial, { seq: 300, conc: 400, p99: 10 })));
  results.push(...(await measure('new isolate per execution', { maxUsesPerIsolate: 1 }, trivial, { seq: 100, conc: 150, p99: 20 })));
  return results;
}
