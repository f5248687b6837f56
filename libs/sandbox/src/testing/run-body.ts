// Test support: compile a runbook body with the real compiler and run it in a real sandbox,
// collecting everything the execution reports. Used by the sandbox's integration specs.
import type { CompiledRunbook, SandboxAttachment, SandboxLogEntry, SandboxOutcome, SandboxRequest, SandboxStep } from '@wolfe/application';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test only: the sandbox runs what the real compiler produces
import { compileRunbook } from '@wolfe/compiler';
import type { IsolateSandbox } from '../index';

/** `body` becomes the inside of `runbook(async (ctx) => { … })`. */
export async function compileBody(name: string, body: string): Promise<CompiledRunbook> {
  const source = `import { runbook } from '@wolfe/sdk';\nexport default runbook(async (ctx) => {\n${body}\n});\n`;
  const result = await compileRunbook({ name, files: new Map([['index.ts', source]]) });
  if (!result.ok) throw new Error(`compile failed: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.compiled;
}

export interface BodyRun {
  outcome: SandboxOutcome;
  logs: SandboxLogEntry[];
  steps: SandboxStep[];
  attachments: SandboxAttachment[];
  ms: number;
}

/** Runs `body` as runbook `name` (version c0ffee, no event, 5 s, 32 MiB unless overridden). */
export async function runBody(sandbox: IsolateSandbox, name: string, body: string, overrides: Partial<SandboxRequest> = {}): Promise<BodyRun> {
  const compiled = await compileBody(name, body);
  const logs: SandboxLogEntry[] = [];
  const steps: SandboxStep[] = [];
  const attachments: SandboxAttachment[] = [];
  const started = performance.now();
  const outcome = await sandbox.run({
    executionId: `ex-${name.replace(/\W/g, '-')}`,
    runbook: { name, version: 'c0ffee' },
    env: 'dev',
    compiled,
    event: null,
    limits: { timeoutMs: 5_000, memoryMiB: 32 },
    onLog: (entry) => logs.push(entry),
    onStep: (step) => steps.push(step),
    onAttach: (attachment) => attachments.push(attachment),
    ...overrides,
  });
  return { outcome, logs, steps, attachments, ms: performance.now() - started };
}
