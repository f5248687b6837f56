import { routeEvent } from '@wolfe/router';
import { ENTRY_FILE, findFieldLine, type Manifest, MANIFEST_FILE, parseManifest, RUNBOOK_NAME_PATTERN, type RunbookProblem } from '@wolfe/runbooks';
import { newId } from '../ids';
import type { Environment, EventRecord } from '../ports/records';
import type { CompileRunbook, Logger } from '../ports/runtime';
import type { CompiledRunbook, RunbookSandbox } from '../ports/sandbox';
import type { Store } from '../ports/store';
import { TESTS_DIR } from './folder';
import type { LifecycleSettings, RunbookTestRunner, TypeCheckRunbook } from './ports';
import { toSandboxEvent } from '../executions';

export const GATE_NAMES = ['manifest', 'compile', 'typecheck', 'tests', 'replay'] as const;
export type GateName = (typeof GATE_NAMES)[number];
export type GateStatus = 'passed' | 'failed' | 'skipped';

export interface GateResult {
  readonly name: GateName;
  readonly status: GateStatus;
  /** One line: what was checked and the outcome, or the first problems when it failed. */
  readonly message: string;
  /** Problems naming file and line (manifest, compile, typecheck) or the failing case / event. */
  readonly problems: readonly RunbookProblem[];
  /** Short figure for the audit trailer, e.g. `3/3` (tests, replayed events). */
  readonly count: string | null;
  readonly durationMs: number;
}

export interface StaticCheck {
  readonly manifest: Manifest | null;
  readonly compiled: CompiledRunbook | null;
  /** manifest, compile, typecheck — in that order. */
  readonly gates: readonly GateResult[];
  readonly problems: readonly RunbookProblem[];
}

export interface GateDeps {
  readonly compile: CompileRunbook;
  readonly typeCheck: TypeCheckRunbook;
  readonly tests: RunbookTestRunner | null;
  readonly store: Store;
  readonly sandbox: RunbookSandbox;
  readonly logger: Logger;
  readonly now: () => number;
}

/** `disk-cleanup/index.ts:12 message` (without repeating a location the message already starts with). */
export function problemLine(p: RunbookProblem): string {
  const rel = p.file.includes('/') ? p.file.slice(p.file.indexOf('/') + 1) : p.file;
  let message = p.message;
  for (const f of [p.file, rel]) {
    for (const prefix of [`${f}:${p.line ?? ''}: `, `${f}: `]) if (message.startsWith(prefix)) message = message.slice(prefix.length);
  }
  return `${p.file}${p.line === null ? '' : `:${p.line}`} ${message}`;
}

export function summarize(problems: readonly RunbookProblem[], max = 3): string {
  const shown = problems.slice(0, max).map(problemLine).join('; ');
  return problems.length > max ? `${shown}; and ${problems.length - max} more` : shown;
}

function gate(name: GateName, status: GateStatus, message: string, started: number, now: () => number, problems: readonly RunbookProblem[] = [], count: string | null = null): GateResult {
  return { name, status, message, problems, count, durationMs: Math.max(0, Math.round(now() - started)) };
}

const withFolder = (name: string, files: ReadonlyMap<string, string>, p: RunbookProblem): RunbookProblem =>
  files.has(p.file) || p.file === ENTRY_FILE || p.file === MANIFEST_FILE ? { ...p, file: `${name}/${p.file}` } : p;

/**
 * The static gates, also what makes a runbook valid for an edit: manifest (parseManifest, the
 * name equals the folder), compile (esbuild, imports) and typecheck (TypeScript against
 * @wolfe/sdk). Files are folder-relative. Problems name repository paths and lines.
 */
export async function checkStatic(name: string, files: ReadonlyMap<string, string>, deps: Pick<GateDeps, 'compile' | 'typeCheck' | 'now'>): Promise<StaticCheck> {
  const { now } = deps;
  const manifestPath = `${name}/${MANIFEST_FILE}`;

  let t = now();
  const manifestProblems: RunbookProblem[] = [];
  let manifest: Manifest | null = null;
  if (!RUNBOOK_NAME_PATTERN.test(name)) {
    manifestProblems.push({ file: `${name}/`, field: null, line: null, message: `${name} is not a valid runbook name: 1 to 63 lowercase letters, digits and dashes` });
  }
  const text = files.get(MANIFEST_FILE);
  if (text === undefined) {
    manifestProblems.push({ file: manifestPath, field: null, line: null, message: `missing: a runbook needs a ${MANIFEST_FILE} (name, description, owner, triggers)` });
  } else {
    const parsed = parseManifest(text, manifestPath);
    if (!parsed.ok) manifestProblems.push(...parsed.problems);
    else if (parsed.manifest.name !== name) {
      manifestProblems.push({
        file: manifestPath,
        field: 'name',
        line: findFieldLine(text, ['name']),
        message: `name: ${parsed.manifest.name} does not match the folder name ${name}; write name: ${name}`,
      });
    } else manifest = parsed.manifest;
  }
  const manifestGate =
    manifestProblems.length === 0 ? gate('manifest', 'passed', `${MANIFEST_FILE} is valid`, t, now) : gate('manifest', 'failed', summarize(manifestProblems), t, now, manifestProblems);

  t = now();
  let compiled: CompiledRunbook | null = null;
  let compileProblems: RunbookProblem[] = [];
  // Tests are not part of the runbook's code: compile and type-check what runs.
  const code = new Map([...files].filter(([p]) => !p.startsWith(TESTS_DIR)));
  if (!code.has(ENTRY_FILE)) {
    compileProblems = [{ file: `${name}/${ENTRY_FILE}`, field: null, line: null, message: `missing: a runbook needs an ${ENTRY_FILE} that default-exports runbook(async (ctx) => { … })` }];
  } else {
    try {
      const out = await deps.compile(name, code);
      if (out.ok) compiled = out.compiled;
      else compileProblems = out.problems.map((p) => withFolder(name, code, p));
    } catch (err) {
      compileProblems = [{ file: `${name}/${ENTRY_FILE}`, field: null, line: null, message: `could not compile: ${err instanceof Error ? err.message : String(err)}` }];
    }
  }
  const compileGate = compiled !== null ? gate('compile', 'passed', 'the code compiles', t, now) : gate('compile', 'failed', summarize(compileProblems), t, now, compileProblems);

  t = now();
  let typeGate: GateResult;
  if (compiled === null) typeGate = gate('typecheck', 'skipped', 'needs code that compiles', t, now);
  else {
    const typeProblems = (await deps.typeCheck(name, code)).map((p) => withFolder(name, code, p));
    typeGate =
      typeProblems.length === 0
        ? gate('typecheck', 'passed', 'the code type-checks against @wolfe/sdk', t, now)
        : gate('typecheck', 'failed', summarize(typeProblems), t, now, typeProblems);
  }
  const gates = [manifestGate, compileGate, typeGate];
  return { manifest, compiled: manifest !== null && typeGate.status === 'passed' ? compiled : null, gates, problems: gates.flatMap((g) => g.problems) };
}

export interface PromotionGateInput {
  readonly name: string;
  readonly files: ReadonlyMap<string, string>;
  /** The source version (for ctx.runbook.version in replays). */
  readonly version: string;
  /** Replayed events come from this environment's ledger. */
  readonly sourceEnv: Environment;
  /** Replays run as this environment (ctx.env). */
  readonly targetEnv: Environment;
  readonly settings: LifecycleSettings;
}

/** Every gate, in order: manifest, compile, typecheck, tests, replay. */
export async function runGates(input: PromotionGateInput, deps: GateDeps): Promise<GateResult[]> {
  const { now } = deps;
  const fixed = await checkStatic(input.name, input.files, deps);
  const gates = [...fixed.gates];
  const ready = fixed.manifest !== null && fixed.compiled !== null ? { manifest: fixed.manifest, compiled: fixed.compiled } : null;

  let t = now();
  if (ready === null) gates.push(gate('tests', 'skipped', 'needs a valid manifest and code that compiles and type-checks', t, now));
  else gates.push(await testsGate(input, ready, deps, t));

  t = now();
  if (ready === null) gates.push(gate('replay', 'skipped', 'needs a valid manifest and code that compiles and type-checks', t, now));
  else gates.push(await replayGate(input, ready, deps, t));
  return gates;
}

async function testsGate(input: PromotionGateInput, ready: { manifest: Manifest; compiled: CompiledRunbook }, deps: GateDeps, t: number): Promise<GateResult> {
  const { now } = deps;
  const testFiles = [...input.files.keys()].filter((p) => p.startsWith(TESTS_DIR));
  if (deps.tests === null) {
    return testFiles.length === 0
      ? gate('tests', 'skipped', 'the runbook has no tests/', t, now)
      : gate('tests', 'skipped', `${testFiles.length} file(s) in tests/ were NOT run: this server has no test runner wired`, t, now);
  }
  let report;
  try {
    report = await deps.tests.run({ name: input.name, files: input.files, manifest: ready.manifest, compiled: ready.compiled, version: input.version });
  } catch (err) {
    const message = `the test runner failed: ${err instanceof Error ? err.message : String(err)}`;
    return gate('tests', 'failed', message, t, now, [{ file: `${input.name}/${TESTS_DIR}`, field: null, line: null, message }]);
  }
  if (report.files === 0 || report.cases.length === 0) return gate('tests', 'skipped', 'the runbook has no tests', t, now);
  const failed = report.cases.filter((c) => !c.passed);
  const count = `${report.cases.length - failed.length}/${report.cases.length}`;
  if (failed.length === 0) return gate('tests', 'passed', `${report.cases.length} test case(s) passed`, t, now, [], count);
  const problems = failed.map((c) => ({ file: `${input.name}/${c.file ?? TESTS_DIR}`, field: null, line: c.line ?? null, message: `${c.name}: ${c.message ?? 'failed'}` }));
  return gate('tests', 'failed', `${failed.length} of ${report.cases.length} test case(s) failed: ${problems.slice(0, 3).map((p) => p.message).join('; ')}`, t, now, problems, count);
}

/** Recent events of `env` that match the triggers, newest first (at most `limit`, looking at `scan` events). */
export async function recentMatchingEvents(store: Store, env: Environment, name: string, manifest: Manifest, limit: number, scan: number): Promise<{ events: EventRecord[]; scanned: number }> {
  const events: EventRecord[] = [];
  let scanned = 0;
  let cursor: string | null = null;
  while (events.length < limit && scanned < scan) {
    const page = await store.events.list({ env, cursor, limit: Math.min(200, scan - scanned) });
    for (const e of page.items) {
      scanned += 1;
      const [verdict] = routeEvent(e, [{ name, version: 'replay', triggers: manifest.triggers }]);
      if (verdict?.matched) events.push(e);
      if (events.length >= limit) break;
    }
    if (page.next === null || page.items.length === 0) break;
    cursor = page.next;
  }
  return { events, scanned };
}


/**
 * Dry run: recent real events that matched the new triggers in the source environment run in
 * the sandbox with the new code; nothing is stored (no execution, no log lines).
 */
async function replayGate(input: PromotionGateInput, ready: { manifest: Manifest; compiled: CompiledRunbook }, deps: GateDeps, t: number): Promise<GateResult> {
  const { now } = deps;
  const limit = input.settings.replayEvents;
  if (limit <= 0) return gate('replay', 'skipped', 'replay is turned off for this project', t, now);
  const { events, scanned } = await recentMatchingEvents(deps.store, input.sourceEnv, input.name, ready.manifest, limit, input.settings.replayScan);
  if (events.length === 0) return gate('replay', 'skipped', `no event in ${input.sourceEnv}'s last ${scanned} event(s) matches the triggers: nothing to replay`, t, now, [], '0/0');

  const problems: RunbookProblem[] = [];
  // A replay has no capability: a run that reaches ctx.http/secrets/state/emit/prometheus is
  // stopped there (CapabilityUnavailableError). That is as far as a dry run goes, not a failure.
  let stopped = 0;
  for (const e of events) {
    const outcome = await deps.sandbox.run({
      executionId: `replay-${newId()}`,
      runbook: { name: input.name, version: input.version },
      env: input.targetEnv,
      compiled: ready.compiled,
      event: toSandboxEvent(e),
      limits: { timeoutMs: ready.manifest.timeoutMs, memoryMiB: ready.manifest.memoryMiB },
      onLog: () => undefined,
    });
    if (outcome.status === 'failed' && outcome.error.name === 'CapabilityUnavailableError') stopped += 1;
    else if (outcome.status !== 'succeeded') {
      const where = outcome.error.location ? `${input.name}/${outcome.error.location.file}` : `${input.name}/${ENTRY_FILE}`;
      problems.push({ file: where, field: null, line: outcome.error.location?.line ?? null, message: `event ${e.id} (${e.labels['alertname'] ?? e.source}): ${outcome.status}: ${outcome.error.name}: ${outcome.error.message}` });
    }
  }
  const count = `${events.length - problems.length}/${events.length}`;
  const clean = events.length - problems.length - stopped;
  const split = `${clean} without error, ${stopped} stopped at its first capability call (not available in a dry run)`;
  if (problems.length === 0) {
    return stopped === 0
      ? gate('replay', 'passed', `${events.length} recent ${input.sourceEnv} event(s) replayed without error (dry run)`, t, now, [], count)
      : gate('replay', 'passed', `${events.length} recent ${input.sourceEnv} event(s) replayed (dry run): ${split}`, t, now, [], count);
  }
  const also = stopped === 0 ? '' : ` (${split})`;
  return gate('replay', 'failed', `${problems.length} of ${events.length} replayed ${input.sourceEnv} event(s) failed${also}: ${summarize(problems, 2)}`, t, now, problems, count);
}

/** `manifest=passed compile=passed typecheck=passed tests=skipped replay=passed(2/2)` */
export function gatesTrailer(gates: readonly GateResult[]): string {
  return gates.map((g) => `${g.name}=${g.status}${g.count !== null ? `(${g.count})` : ''}`).join(' ');
}
