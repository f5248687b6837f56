// Child process of lost-isolate.integration-spec.ts (bundled and run by it): runbooks whose
// Map / Set outgrows the heap make V8 fail an allocation outside isolated-vm's memory-limit
// path. Before the sandbox contained this, it aborted the whole process (or, with an
// onCatastrophicError handler that calls process.exit, hung it forever). Prints one JSON
// report on stdout, then exits — which the sandbox turns into SIGKILL (see pool.ts).
import type { SandboxLogEntry, SandboxOutcome } from '@wolfe/application';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test only: the sandbox runs what the real compiler produces
import { compileRunbook } from '@wolfe/compiler';
import { IsolateSandbox } from '../index';

async function compile(body: string) {
  const source = `import { runbook } from '@wolfe/sdk';\nexport default runbook(async (ctx) => {\n${body}\n});\n`;
  const r = await compileRunbook({ name: 'corpus/attack', files: new Map([['index.ts', source]]) });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.compiled;
}

interface Result {
  outcome: SandboxOutcome;
  logs: SandboxLogEntry[];
  ms: number;
}

async function main(): Promise<void> {
  const catastrophes: string[] = [];
  const sandbox = new IsolateSandbox({ maxLostIsolates: 1, onCatastrophicError: (m) => catastrophes.push(m) });
  const run = async (body: string): Promise<Result> => {
    const logs: SandboxLogEntry[] = [];
    const started = performance.now();
    const outcome = await sandbox.run({
      executionId: 'x',
      runbook: { name: 'corpus/attack', version: 'v' },
      env: 'dev',
      compiled: await compile(body),
      event: null,
      limits: { timeoutMs: 5_000, memoryMiB: 16 },
      onLog: (l) => logs.push(l),
    });
    return { outcome, logs, ms: performance.now() - started };
  };
  const attacks = {
    map: 'const m = new Map<number, object>(); for (let i = 0; ; i++) m.set(i, { i });',
    set: "const s = new Set<string>(); for (let i = 0; ; i++) s.add('k' + i);",
  };
  const report: Record<string, unknown> = {};
  for (const [name, body] of Object.entries(attacks)) {
    const attack = run(body);
    const probes: Result[] = [];
    let done = false;
    void attack.finally(() => (done = true));
    while (!done) probes.push(await run("ctx.log.info('probe'); return 'probe-ok';"));
    report[name] = { attack: await attack, probes, lost: sandbox.lostIsolateCount, catastrophes: [...catastrophes] };
  }
  report['after'] = await run("return 'still serving';");
  await sandbox.dispose();
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

void main();
