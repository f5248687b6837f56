import { readFile } from 'node:fs/promises';
import type { Environment, RunbookCapabilities, SandboxAttachment, SandboxEvent, SandboxLogEntry, SandboxOutcome, SandboxStep } from '@wolfe/application';
import { formatDuration } from '@wolfe/runbooks';
import { IsolateSandbox } from '@wolfe/sandbox';
import { eventFromPayload } from './event';
import { testRun, type TestRun } from './fakes';
import { loadRunbook, readRunbookFolder, UsageError, type LoadedRunbook } from './folder';
import { formatAttachment, formatError, formatLog, formatMs, formatOutcome, formatProblems, formatSteps } from './format';
import { compareJson, show } from './match';
import { loadTest, testFiles, type RunbookTest } from './testfile';

/** Exit codes: 0 = it worked; 1 = the runbook failed, did not load, or a test failed; 2 = bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export interface Execution {
  readonly outcome: SandboxOutcome;
  readonly logs: readonly SandboxLogEntry[];
  readonly steps: readonly SandboxStep[];
  readonly attachments: readonly SandboxAttachment[];
  readonly ms: number;
}

/** Runs the runbook once in the same sandbox the server uses, with its manifest's limits. */
export async function execute(
  sandbox: IsolateSandbox,
  runbook: LoadedRunbook,
  input: { event: SandboxEvent | null; params: Readonly<Record<string, unknown>>; env: Environment; capabilities?: RunbookCapabilities },
  live?: Output,
): Promise<Execution> {
  const logs: SandboxLogEntry[] = [];
  const steps: SandboxStep[] = [];
  const attachments: SandboxAttachment[] = [];
  const started = performance.now();
  const outcome = await sandbox.run({
    executionId: 'local',
    runbook: { name: runbook.name, version: 'working-copy' },
    env: input.env,
    compiled: runbook.compiled,
    event: input.event,
    limits: { timeoutMs: runbook.manifest.timeoutMs, memoryMiB: runbook.manifest.memoryMiB },
    params: input.params,
    ...(input.capabilities === undefined ? {} : { capabilities: input.capabilities }),
    onLog: (entry) => {
      logs.push(entry);
      live?.out(`  ${formatLog(entry)}`);
    },
    onStep: (step) => {
      steps.push(step);
      if (step.status !== 'running') live?.out(`  ${formatSteps([step])[0] ?? ''}`);
    },
    onAttach: (attachment) => {
      attachments.push(attachment);
      live?.out(`  ${formatAttachment(attachment)}`);
    },
  });
  return { outcome, logs, steps, attachments, ms: performance.now() - started };
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

/** What a test run found wrong, each with the line of the test file (or of the runbook) to look at. */
async function check(test: RunbookTest, x: Execution, runbook: LoadedRunbook, fakes: TestRun): Promise<string[]> {
  const e = test.expect;
  const problems: string[] = [];
  const at = (path: (string | number)[]) => {
    const line = test.lineOf(path);
    return line === null ? test.file : `${test.file}:${line}`;
  };
  const { outcome } = x;
  if (outcome.status !== e.status) {
    problems.push(`${at(['expect', 'status'])}: expected status ${e.status}, got ${outcome.status}`);
    if (outcome.status !== 'succeeded') problems.push(...formatError(outcome.error, runbook.files).map((l) => `  ${l}`));
  }
  if (outcome.status === 'succeeded') {
    if ('result' in e) {
      const diff = compareJson(outcome.result, e.result, 'equal');
      if (diff !== null) problems.push(`${at(['expect', 'result'])}: ${diff}`);
    }
    if ('resultIncludes' in e) {
      const diff = compareJson(outcome.result, e.resultIncludes, 'includes');
      if (diff !== null) problems.push(`${at(['expect', 'resultIncludes'])}: ${diff}`);
    }
  } else if (e.error !== undefined && !outcome.error.message.includes(e.error)) {
    problems.push(`${at(['expect', 'error'])}: expected the error to contain ${show(e.error)}, got ${show(`${outcome.error.name}: ${outcome.error.message}`)}`);
  }
  e.logs.forEach((want, i) => {
    const found = x.logs.some((l) => l.message.includes(want.message) && (want.level === undefined || l.level === want.level));
    if (!found) problems.push(`${at(['expect', 'logs', i])}: no ${want.level ?? ''}${want.level === undefined ? '' : ' '}log line contains ${show(want.message)}`);
  });
  const finished = new Map<string, string>();
  for (const s of x.steps) if (s.status !== 'running') finished.set(s.name, s.status);
  e.steps.forEach((want, i) => {
    const status = finished.get(want.name);
    if (status === undefined) problems.push(`${at(['expect', 'steps', i])}: no step ${show(want.name)} (steps: ${[...finished.keys()].map((n) => show(n)).join(', ') || 'none'})`);
    else if (want.status !== undefined && status !== want.status) problems.push(`${at(['expect', 'steps', i])}: step ${show(want.name)} ${status}, expected ${want.status}`);
  });
  if (e.state !== undefined) {
    const diff = compareJson(await fakes.finalState(), e.state, 'equal', 'state');
    if (diff !== null) problems.push(`${at(['expect', 'state'])}: ${diff}`);
  }
  if (e.emitted !== undefined) {
    const diff = compareJson(fakes.emitted, e.emitted, 'includes', 'emitted');
    if (diff !== null) problems.push(`${at(['expect', 'emitted'])}: ${diff}`);
  }
  return problems;
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
      const loaded = await loadTest(folder.dir, file);
      if (!loaded.ok) {
        failedCount += 1;
        o.out(`  ✗ ${file}`);
        o.out(`      ${loaded.file}${loaded.line === null ? '' : `:${loaded.line}`}: ${loaded.message}`);
        continue;
      }
      const test = loaded.test;
      const fakes = await testRun(runbook, test, test.env);
      const x = await execute(sandbox, runbook, { event: test.event, params: test.params, env: test.env, capabilities: fakes.capabilities });
      const problems = await check(test, x, runbook, fakes);
      if (problems.length === 0) {
        o.out(`  ✓ ${test.name} (${formatMs(x.ms)})`);
        continue;
      }
      failedCount += 1;
      o.out(`  ✗ ${test.name} (${formatMs(x.ms)})`);
      for (const p of problems) o.out(`      ${p}`);
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
