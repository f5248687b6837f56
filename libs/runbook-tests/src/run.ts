import type {
  CompiledRunbook,
  Environment,
  RunbookCapabilities,
  RunbookSandbox,
  SandboxAttachment,
  SandboxEvent,
  SandboxLogEntry,
  SandboxOutcome,
  SandboxStep,
} from '@wolfe/application';
import type { Manifest } from '@wolfe/runbooks';
import { testRun, type MatchEgressTarget, type TestRun } from './fakes';
import { formatError } from './format';
import { compareJson, show } from './match';
import { loadTest, testFiles, type ReadOutside, type RunbookTest } from './testfile';

/** A runbook that loaded: its manifest, its compiled code and its folder's files (folder-relative). */
export interface LoadedRunbook {
  readonly name: string;
  readonly manifest: Manifest;
  readonly compiled: CompiledRunbook;
  readonly files: ReadonlyMap<string, string>;
  /** ctx.runbook.version of the runs; default `working-copy`. */
  readonly version?: string;
}

export interface Execution {
  readonly outcome: SandboxOutcome;
  readonly logs: readonly SandboxLogEntry[];
  readonly steps: readonly SandboxStep[];
  readonly attachments: readonly SandboxAttachment[];
  readonly ms: number;
}

/** Called as the run goes (the CLI prints them live). */
export interface ExecutionObserver {
  log?(entry: SandboxLogEntry): void;
  step?(step: SandboxStep): void;
  attach?(attachment: SandboxAttachment): void;
}

/** Runs the runbook once in the sandbox (the server's), with its manifest's limits. */
export async function execute(
  sandbox: RunbookSandbox,
  runbook: LoadedRunbook,
  input: { event: SandboxEvent | null; params: Readonly<Record<string, unknown>>; env: Environment; capabilities?: RunbookCapabilities },
  observer?: ExecutionObserver,
): Promise<Execution> {
  const logs: SandboxLogEntry[] = [];
  const steps: SandboxStep[] = [];
  const attachments: SandboxAttachment[] = [];
  const started = performance.now();
  const outcome = await sandbox.run({
    executionId: 'local',
    runbook: { name: runbook.name, version: runbook.version ?? 'working-copy' },
    env: input.env,
    compiled: runbook.compiled,
    event: input.event,
    limits: { timeoutMs: runbook.manifest.timeoutMs, memoryMiB: runbook.manifest.memoryMiB },
    params: input.params,
    ...(input.capabilities === undefined ? {} : { capabilities: input.capabilities }),
    onLog: (entry) => {
      logs.push(entry);
      observer?.log?.(entry);
    },
    onStep: (step) => {
      steps.push(step);
      observer?.step?.(step);
    },
    onAttach: (attachment) => {
      attachments.push(attachment);
      observer?.attach?.(attachment);
    },
  });
  return { outcome, logs, steps, attachments, ms: performance.now() - started };
}

/** One problem of a test: the text (`tests/x.yaml:7: expected …`, or an indented detail line) and its test-file line. */
export interface TestProblem {
  readonly line: number | null;
  readonly text: string;
}

/** What a test run found wrong, each with the line of the test file (or of the runbook) to look at. */
export async function checkTest(test: RunbookTest, x: Execution, runbook: LoadedRunbook, fakes: TestRun): Promise<TestProblem[]> {
  const e = test.expect;
  const problems: TestProblem[] = [];
  const add = (path: (string | number)[], message: string) => {
    const line = test.lineOf(path);
    problems.push({ line, text: `${line === null ? test.file : `${test.file}:${line}`}: ${message}` });
  };
  const { outcome } = x;
  if (outcome.status !== e.status) {
    add(['expect', 'status'], `expected status ${e.status}, got ${outcome.status}`);
    const line = problems[problems.length - 1]?.line ?? null;
    if (outcome.status !== 'succeeded') problems.push(...formatError(outcome.error, runbook.files).map((l) => ({ line, text: `  ${l}` })));
  }
  if (outcome.status === 'succeeded') {
    if ('result' in e) {
      const diff = compareJson(outcome.result, e.result, 'equal');
      if (diff !== null) add(['expect', 'result'], diff);
    }
    if ('resultIncludes' in e) {
      const diff = compareJson(outcome.result, e.resultIncludes, 'includes');
      if (diff !== null) add(['expect', 'resultIncludes'], diff);
    }
  } else if (e.error !== undefined && !outcome.error.message.includes(e.error)) {
    add(['expect', 'error'], `expected the error to contain ${show(e.error)}, got ${show(`${outcome.error.name}: ${outcome.error.message}`)}`);
  }
  e.logs.forEach((want, i) => {
    const found = x.logs.some((l) => l.message.includes(want.message) && (want.level === undefined || l.level === want.level));
    if (!found) add(['expect', 'logs', i], `no ${want.level ?? ''}${want.level === undefined ? '' : ' '}log line contains ${show(want.message)}`);
  });
  const finished = new Map<string, string>();
  for (const s of x.steps) if (s.status !== 'running') finished.set(s.name, s.status);
  e.steps.forEach((want, i) => {
    const status = finished.get(want.name);
    if (status === undefined) add(['expect', 'steps', i], `no step ${show(want.name)} (steps: ${[...finished.keys()].map((n) => show(n)).join(', ') || 'none'})`);
    else if (want.status !== undefined && status !== want.status) add(['expect', 'steps', i], `step ${show(want.name)} ${status}, expected ${want.status}`);
  });
  if (e.state !== undefined) {
    const diff = compareJson(await fakes.finalState(), e.state, 'equal', 'state');
    if (diff !== null) add(['expect', 'state'], diff);
  }
  if (e.emitted !== undefined) {
    const diff = compareJson(fakes.emitted, e.emitted, 'includes', 'emitted');
    if (diff !== null) add(['expect', 'emitted'], diff);
  }
  return problems;
}

export interface RunbookTestDeps {
  /** The sandbox the server runs runbooks in (@wolfe/sandbox's IsolateSandbox). */
  readonly sandbox: RunbookSandbox;
  /** The egress allowlist check (@wolfe/egress's matchTarget). */
  readonly matchTarget: MatchEgressTarget;
  /** Reads an event file outside the folder's files (the CLI: from disk); none on the server. */
  readonly readOutside?: ReadOutside;
}

/** The outcome of one test file. */
export interface TestCaseOutcome {
  /** Folder-relative, e.g. `tests/critical.yaml`. */
  readonly file: string;
  /** The test's name (the file's `name:`, else the file name); the file when it did not load. */
  readonly name: string;
  readonly passed: boolean;
  /** False when the file itself is invalid (then `problems` says where). */
  readonly loaded: boolean;
  /** The test-file line of the first problem; null when it passed or the line is unknown. */
  readonly line: number | null;
  readonly problems: readonly TestProblem[];
  /** null when the file did not load. */
  readonly execution: Execution | null;
}

/** Loads one test file, runs it in the sandbox over its fakes and compares the expectations. */
export async function runTestFile(runbook: LoadedRunbook, file: string, deps: RunbookTestDeps): Promise<TestCaseOutcome> {
  const loaded = await loadTest(runbook.files, file, deps.readOutside);
  if (!loaded.ok) {
    return {
      file,
      name: file,
      passed: false,
      loaded: false,
      line: loaded.line,
      problems: [{ line: loaded.line, text: `${loaded.file}${loaded.line === null ? '' : `:${loaded.line}`}: ${loaded.message}` }],
      execution: null,
    };
  }
  const test = loaded.test;
  const fakes = await testRun(runbook, test, test.env, deps.matchTarget);
  const x = await execute(deps.sandbox, runbook, { event: test.event, params: test.params, env: test.env, capabilities: fakes.capabilities });
  const problems = await checkTest(test, x, runbook, fakes);
  return { file, name: test.name, passed: problems.length === 0, loaded: true, line: problems[0]?.line ?? null, problems, execution: x };
}

/** Every `tests/*.yaml` of the runbook, in order. */
export async function runRunbookTests(runbook: LoadedRunbook, deps: RunbookTestDeps): Promise<{ readonly files: readonly string[]; readonly cases: readonly TestCaseOutcome[] }> {
  const files = testFiles(runbook.files.keys());
  const cases: TestCaseOutcome[] = [];
  for (const file of files) cases.push(await runTestFile(runbook, file, deps));
  return { files, cases };
}
