import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Environment, RunbookCapabilities, SandboxEvent } from '@wolfe/application';
import { matchTarget } from '@wolfe/egress';
import { eventFromPayload, execute as executeInSandbox, formatError, formatMs, runTestFile, testFiles, type Execution, type LoadedRunbook } from '@wolfe/runbook-tests';
import { formatDuration } from '@wolfe/runbooks';
import { IsolateSandbox } from '@wolfe/sandbox';
import { loadRunbook, readRunbookFolder, UsageError } from './folder';
import { formatAttachment, formatLog, formatOutcome, formatProblems, formatSteps } from './format';

export type { Execution } from '@wolfe/runbook-tests';

/** Exit codes: 0 = it worked; 1 = the runbook failed, did not load, or a test failed; 2 = bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Runs the runbook once in the same sandbox the server uses, with its manifest's limits (printing as it goes with `live`). */
export async function execute(
  sandbox: IsolateSandbox,
  runbook: LoadedRunbook,
  input: { event: SandboxEvent | null; params: Readonly<Record<string, unknown>>; env: Environment; capabilities?: RunbookCapabilities },
  live?: Output,
): Promise<Execution> {
  return executeInSandbox(
    sandbox,
    runbook,
    input,
    live === undefined
      ? undefined
      : {
          log: (entry) => live.out(`  ${formatLog(entry)}`),
          step: (step) => {
            if (step.status !== 'running') live.out(`  ${formatSteps([step])[0] ?? ''}`);
          },
          attach: (attachment) => live.out(`  ${formatAttachment(attachment)}`),
        },
  );
}

async function load(dir: string, o: Output): Promise<LoadedRunbook | null> {
  const folder = await readRunbookFolder(dir);
  const loaded = await loadRunbook(folder);
  if (!loaded.ok) {
    o.err(`${folder.name}: the runbook does not load:`);
    for (const line of formatProblems(loaded.problems)) o.err(`  ${line}`);
    return null;
  }
  return loaded.runbook;
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`${what} ${path}: cannot read the file`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} ${path}: not JSON: ${(error as Error).message}`);
  }
}

export interface RunOptions {
  readonly event?: string;
  readonly source?: string;
  readonly params?: string;
  readonly env: Environment;
  readonly json: boolean;
}

/** `wolfe run <dir> --event <file>`: one execution, printed; exit 0 when it succeeded. */
export async function runCommand(dir: string, options: RunOptions, o: Output): Promise<number> {
  let event: SandboxEvent | null = null;
  if (options.event !== undefined) {
    const r = eventFromPayload(await readJsonFile(options.event, '--event'), options.source ?? null);
    if (!r.ok) throw new UsageError(`--event ${options.event}: ${r.error}`);
    for (const note of r.notes) o.err(`note: ${note}`);
    event = r.event;
  }
  let params: Record<string, unknown> = {};
  if (options.params !== undefined) {
    const p = await readJsonFile(options.params, '--params');
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new UsageError(`--params ${options.params}: must be a JSON object`);
    params = p as Record<string, unknown>;
  }
  const runbook = await load(dir, o);
  if (runbook === null) return EXIT_FAILED;

  const sandbox = new IsolateSandbox();
  try {
    if (!options.json) {
      const what = event === null ? 'a manual event (no --event)' : `${event.labels['alertname'] ?? 'an event'} (${event.status})`;
      o.out(`${runbook.name}: running with ${what}, timeout ${formatDuration(runbook.manifest.timeoutMs)}, memory ${runbook.manifest.memoryMiB} MiB`);
    }
    const x = await execute(sandbox, runbook, { event, params, env: options.env }, options.json ? undefined : o);
    if (options.json) {
      o.out(JSON.stringify({ runbook: runbook.name, ...x.outcome, ms: Math.round(x.ms), logs: x.logs, steps: x.steps, attachments: x.attachments }, null, 2));
    } else if (x.outcome.status === 'succeeded') {
      o.out(formatOutcome(x.outcome, x.ms));
      o.out('result:');
      o.out(JSON.stringify(x.outcome.result, null, 2) ?? 'null');
    } else {
      o.err(formatOutcome(x.outcome, x.ms));
      for (const line of formatError(x.outcome.error, runbook.files)) o.err(line);
    }
    return x.outcome.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
  } finally {
    await sandbox.dispose();
  }
}

export interface TestOptions {
  readonly filter?: string;
}

/** `wolfe test <dir>`: every `tests/*.yaml` of the folder, in the sandbox; exit 1 if any fails. */
export async function testCommand(dir: string, options: TestOptions, o: Output): Promise<number> {
  const folder = await readRunbookFolder(dir);
  const files = testFiles(folder.files.keys()).filter((f) => options.filter === undefined || f.includes(options.filter));
  const runbook = await load(dir, o);
  if (runbook === null) return EXIT_FAILED;
  if (files.length === 0) {
    o.err(`${runbook.name}: no tests${options.filter === undefined ? '' : ` matching ${JSON.stringify(options.filter)}`}; add tests/<name>.yaml (see docs/authoring.md, "Test it")`);
    return EXIT_FAILED;
  }
  o.out(`${runbook.name}: ${files.length} test${files.length === 1 ? '' : 's'}`);
  const sandbox = new IsolateSandbox();
  let failedCount = 0;
  const started = performance.now();
  try {
    for (const file of files) {
      const r = await runTestFile(runbook, file, { sandbox, matchTarget, readOutside: (rel) => readFile(resolve(folder.dir, rel), 'utf8') });
      const x = r.execution;
      if (x === null) {
        failedCount += 1;
        o.out(`  ✗ ${file}`);
        for (const p of r.problems) o.out(`      ${p.text}`);
        continue;
      }
      if (r.passed) {
        o.out(`  ✓ ${r.name} (${formatMs(x.ms)})`);
        continue;
      }
      failedCount += 1;
      o.out(`  ✗ ${r.name} (${formatMs(x.ms)})`);
      for (const p of r.problems) o.out(`      ${p.text}`);
      if (x.logs.length > 0) {
        o.out('      log:');
        for (const l of x.logs.slice(0, 50)) o.out(`        ${formatLog(l)}`);
        if (x.logs.length > 50) o.out(`        … ${x.logs.length - 50} more lines`);
      }
    }
  } finally {
    await sandbox.dispose();
  }
  const passed = files.length - failedCount;
  const summary = `${passed} passed, ${failedCount} failed (${formatMs(performance.now() - started)})`;
  if (failedCount === 0) o.out(summary);
  else o.err(summary);
  return failedCount === 0 ? EXIT_OK : EXIT_FAILED;
}
