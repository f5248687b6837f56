// The security corpus' harness: every attack is a small runbook compiled by the real compiler
// and run in the real sandbox, and every case asserts CONTAINMENT, not just an outcome:
//
// - the execution ends within its limits (time) with the expected status / error;
// - nothing outside the sandbox changed: a canary global, a canary env var, a canary file,
//   the host's built-in prototypes and the request's own event / params objects;
// - no host path (cwd, repo, temp dir, home, node_modules, isolated-vm) and no host
//   environment value (WOLFE_CANARY_SECRET) appears in any output: log lines, steps,
//   attachments, result, error message and stack;
// - the sandbox keeps serving: a trivial probe execution started while the attack runs (or
//   after it, when the attack is quicker) succeeds quickly.
//
// Run with NODE_OPTIONS=--no-node-snapshot.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  CompiledRunbook,
  RunbookCapabilities,
  SandboxAttachment,
  SandboxEvent,
  SandboxLimits,
  SandboxLogEntry,
  SandboxOutcome,
  SandboxRequest,
  SandboxStep,
} from '@wolfe/application';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test only: the sandbox runs what the real compiler produces
import { compileRunbook } from '@wolfe/compiler';
import { IsolateSandbox, type IsolateSandboxOptions } from '../index';

export const CANARY_ENV = 'WOLFE_CANARY_SECRET';
const CANARY_SECRET = `wolfe-canary-${Math.random().toString(36).slice(2)}-${process.pid}`;
const CANARY_GLOBAL = '__wolfeHostCanary__';
process.env[CANARY_ENV] = CANARY_SECRET;
(globalThis as Record<string, unknown>)[CANARY_GLOBAL] = 'untouched';

/** Strings that must never appear in anything an execution produces. */
const FORBIDDEN: readonly string[] = [
  CANARY_SECRET,
  process.cwd(),
  '/work/',
  `${tmpdir()}/`,
  ...(homedir().length > 1 ? [homedir()] : []),
  'node_modules',
  'isolated-vm',
  'libs/sandbox',
  '.integration-spec',
];

export const EVENT: SandboxEvent = {
  id: 'evt-corpus',
  source: 'alertmanager',
  fingerprint: 'f00d',
  labels: { alertname: 'CorpusProbe', instance: 'db-1:9100' },
  annotations: { summary: 'attack corpus' },
  status: 'firing',
  startsAt: '2026-11-21T14:00:00.000Z',
  endsAt: null,
  receivedAt: '2026-11-21T14:00:01.000Z',
};

export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 1_500, memoryMiB: 16 };

/** What an attack case expects of its outcome (on top of the containment checks every case gets). */
export type Expectation =
  | { readonly status: 'succeeded'; readonly result?: unknown }
  | { readonly status: 'failed' | 'timed_out'; readonly name?: string | RegExp; readonly message?: RegExp; readonly limit?: string | null };

export interface AttackCase {
  /** What the attack tries. */
  readonly name: string;
  /** The handler's body (TypeScript), or a whole index.ts when it starts with `import`. */
  readonly source: string;
  readonly limits?: Partial<SandboxLimits>;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly event?: SandboxEvent | null;
  /** The capabilities the attack gets (fresh for each run). */
  readonly capabilities?: () => RunbookCapabilities;
  /** One outcome, or several acceptable ones (when V8 may fail either way, e.g. RangeError vs memory limit). */
  readonly expect: Expectation | readonly Expectation[];
  /** More assertions on the run. */
  readonly check?: (run: AttackRun) => void;
  /**
   * Cross-execution cases: a second runbook run right after the attack IN THE SAME ISOLATE
   * (the sandbox must keep one idle isolate; the probe then runs after both) and the result
   * it must produce.
   */
  readonly next?: { readonly source: string; readonly result: unknown };
}

export interface AttackRun {
  readonly outcome: SandboxOutcome;
  readonly logs: readonly SandboxLogEntry[];
  readonly steps: readonly SandboxStep[];
  readonly attachments: readonly SandboxAttachment[];
  readonly ms: number;
  /** Log lines, steps or attachments delivered after the outcome (must never happen). */
  readonly late: number;
}

const compiledCache = new Map<string, CompiledRunbook>();

export async function compile(source: string): Promise<CompiledRunbook> {
  const cached = compiledCache.get(source);
  if (cached !== undefined) return cached;
  const index = source.trimStart().startsWith('import ')
    ? source
    : `import { runbook } from '@wolfe/sdk';\nexport default runbook(async (ctx) => {\n${source}\n});\n`;
  const result = await compileRunbook({ name: 'corpus/attack', files: new Map([['index.ts', index]]) });
  if (!result.ok) throw new Error(`compile failed: ${result.problems.map((p) => p.message).join('; ')}`);
  compiledCache.set(source, result.compiled);
  return result.compiled;
}

/** Runs one execution and collects everything it produced, including anything delivered too late. */
export async function execute(
  sandbox: IsolateSandbox,
  compiled: CompiledRunbook,
  options: { limits?: Partial<SandboxLimits>; params?: Readonly<Record<string, unknown>>; event?: SandboxEvent | null; capabilities?: RunbookCapabilities } = {},
): Promise<AttackRun> {
  const logs: SandboxLogEntry[] = [];
  const steps: SandboxStep[] = [];
  const attachments: SandboxAttachment[] = [];
  let done = false;
  let late = 0;
  const request: SandboxRequest = {
    executionId: 'ex-corpus',
    runbook: { name: 'corpus/attack', version: 'c0ffee' },
    env: 'prod',
    compiled,
    event: options.event === undefined ? EVENT : options.event,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    ...(options.params === undefined ? {} : { params: options.params }),
    ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    onLog: (entry) => (done ? (late += 1) : logs.push(entry)),
    onStep: (step) => (done ? (late += 1) : steps.push(step)),
    onAttach: (attachment) => (done ? (late += 1) : attachments.push(attachment)),
  };
  const started = performance.now();
  const outcome = await sandbox.run(request);
  done = true;
  const ms = performance.now() - started;
  return {
    outcome,
    logs,
    steps,
    attachments,
    ms,
    get late() {
      return late;
    },
  };
}

// ---- host state ----

interface HostSnapshot {
  readonly prototypes: string;
  readonly errorHooks: string;
  readonly canaryFile: { readonly content: string; readonly mtimeMs: number; readonly dir: string };
}

const PROTOTYPES: Record<string, object> = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
  Number: Number.prototype,
  Promise: Promise.prototype,
  Error: Error.prototype,
  RegExp: RegExp.prototype,
  Map: Map.prototype,
  JSON,
  Reflect,
  ObjectCtor: Object,
  PromiseCtor: Promise,
};

function describeObject(o: object): string {
  return Reflect.ownKeys(o)
    .map((k) => {
      const d = Object.getOwnPropertyDescriptor(o, k);
      const v = d && 'value' in d ? typeof d.value + (typeof d.value === 'function' ? `:${(d.value as { name: string }).name}` : '') : 'accessor';
      return `${String(k)}=${v}${d?.writable === false ? ':ro' : ''}`;
    })
    .sort()
    .join(',');
}

let canaryDir = '';
const canaryFile = () => join(canaryDir, 'canary.txt');

function snapshot(): HostSnapshot {
  const file = canaryFile();
  return {
    prototypes: Object.entries(PROTOTYPES)
      .map(([name, o]) => `${name}:${describeObject(o)}:${String(Object.getPrototypeOf(o) === null ? 'null' : typeof Object.getPrototypeOf(o))}:${Object.isExtensible(o)}`)
      .join('\n'),
    errorHooks: `${typeof (Error as { prepareStackTrace?: unknown }).prepareStackTrace}:${Error.stackTraceLimit}`,
    canaryFile: { content: readFileSync(file, 'utf8'), mtimeMs: statSync(file).mtimeMs, dir: readdirSync(canaryDir).sort().join(',') },
  };
}

let canaryUsers = 0;

/** Creates the canary file (once per test file); returns a cleanup. Call in beforeAll. */
export function setUpCanaries(): () => void {
  if (canaryUsers++ === 0) {
    canaryDir = mkdtempSync(join(tmpdir(), 'wolfe-corpus-'));
    writeFileSync(canaryFile(), `canary ${CANARY_SECRET}\n`);
  }
  return () => {
    if (--canaryUsers === 0) rmSync(canaryDir, { recursive: true, force: true });
  };
}

// ---- assertions ----

/** Every string an execution produced, as one JSON text. */
function everything(run: AttackRun): string {
  return JSON.stringify({ outcome: run.outcome, logs: run.logs, steps: run.steps, attachments: run.attachments });
}

export function expectNoHostLeak(run: AttackRun): void {
  const text = everything(run);
  for (const needle of FORBIDDEN) {
    if (text.includes(needle)) throw new Error(`host value ${JSON.stringify(needle)} leaked into the execution's output: …${text.slice(Math.max(0, text.indexOf(needle) - 200), text.indexOf(needle) + 200)}…`);
  }
}

function matches(run: AttackRun, e: Expectation): boolean {
  const { outcome } = run;
  if (outcome.status !== e.status) return false;
  if (outcome.status === 'succeeded') {
    return !('result' in e) || e.result === undefined || equals(outcome.result, e.result);
  }
  const x = e as Extract<Expectation, { status: 'failed' | 'timed_out' }>;
  const err = outcome.error;
  if (x.name !== undefined && !(typeof x.name === 'string' ? err.name === x.name : x.name.test(err.name))) return false;
  if (x.message !== undefined && !x.message.test(err.message)) return false;
  if (x.limit !== undefined && err.limit !== x.limit) return false;
  return true;
}

function equals(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

/** The most an execution may take past its wall-clock limit before the harness calls it a hang. */
const GRACE_MS = 1_500;
/** The probe (a trivial runbook) must finish within this, even while the attack runs. */
const PROBE_MAX_MS = 1_500;
const PROBE_SOURCE = `ctx.log.info('probe'); return 'probe-ok';`;

/**
 * Runs one attack case with all containment checks. `sandbox` serves both the attack and the
 * probe (so "keeps serving" means the same sandbox, its pool and its host process).
 */
export async function runAttack(sandbox: IsolateSandbox, c: AttackCase): Promise<AttackRun> {
  const compiled = await compile(c.source);
  const probe = await compile(PROBE_SOURCE);
  const event = c.event === undefined ? structuredClone(EVENT) : c.event;
  const eventBefore = JSON.stringify(event);
  const params = c.params === undefined ? undefined : structuredClone(c.params);
  const paramsBefore = JSON.stringify(params);
  const before = snapshot();
  const rssBefore = process.memoryUsage().rss;

  const attack = execute(sandbox, compiled, {
    event,
    ...(c.limits === undefined ? {} : { limits: c.limits }),
    ...(params === undefined ? {} : { params }),
    ...(c.capabilities === undefined ? {} : { capabilities: c.capabilities() }),
  });
  let nextRun: AttackRun | null = null;
  let probeRun: AttackRun;
  if (c.next === undefined) {
    // The probe starts while the attack runs (or right after a quick one).
    await Promise.race([attack, new Promise((r) => setTimeout(r, 30))]);
    probeRun = await execute(sandbox, probe, { limits: { timeoutMs: 5_000, memoryMiB: 16 } });
    await attack;
  } else {
    // Same isolate: nothing else runs in between, and the pool keeps the one isolate.
    const attackRun = await attack;
    expect(attackRun.outcome.status).toBe('succeeded');
    await new Promise((r) => setTimeout(r, 30)); // the isolate is recycled into the pool
    expect(sandbox.isolateCount).toBe(1);
    nextRun = await execute(sandbox, await compile(c.next.source), { limits: { timeoutMs: 3_000, memoryMiB: DEFAULT_LIMITS.memoryMiB } });
    expect(sandbox.isolateCount).toBe(1);
    probeRun = await execute(sandbox, probe, { limits: { timeoutMs: 5_000, memoryMiB: 16 } });
  }
  const run = await attack;
  // Anything the execution scheduled (sleep timers, callbacks) gets a chance to fire late.
  await new Promise((r) => setTimeout(r, 20));

  // 1. It ended within its limits, as expected.
  const limits = { ...DEFAULT_LIMITS, ...c.limits };
  expect(run.ms).toBeLessThan(limits.timeoutMs + GRACE_MS);
  const expectations = Array.isArray(c.expect) ? (c.expect as readonly Expectation[]) : [c.expect as Expectation];
  if (!expectations.some((e) => matches(run, e))) {
    throw new Error(`unexpected outcome ${JSON.stringify(run.outcome).slice(0, 2_000)}\nexpected one of ${JSON.stringify(expectations, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}`);
  }
  if (run.outcome.status !== 'succeeded') {
    expect(typeof run.outcome.error.message).toBe('string');
    expect(run.outcome.error.message.length).toBeGreaterThan(0);
    expect(run.outcome.error.message.length).toBeLessThan(4_096 + 200);
    expect((run.outcome.error.stack ?? '').length).toBeLessThan(4 * 4_096 + 400);
  }
  expect(run.late).toBe(0);

  // 2. Nothing outside the sandbox changed.
  const after = snapshot();
  expect(after).toEqual(before);
  expect((globalThis as Record<string, unknown>)[CANARY_GLOBAL]).toBe('untouched');
  expect(process.env[CANARY_ENV]).toBe(CANARY_SECRET);
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(JSON.stringify(event)).toBe(eventBefore);
  expect(JSON.stringify(params)).toBe(paramsBefore);
  // The host did not pay for the guest's memory (isolate heaps and array buffers are capped).
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);

  // 3. No host path or host environment value in any output.
  expectNoHostLeak(run);

  // 4. The sandbox kept serving.
  expect(probeRun.outcome).toEqual({ status: 'succeeded', result: 'probe-ok' });
  expect(probeRun.ms).toBeLessThan(PROBE_MAX_MS);
  expect(probeRun.logs.map((l) => l.message)).toEqual(['probe']);

  // 5. The next execution in the same isolate saw none of it.
  if (c.next !== undefined && nextRun !== null) {
    expect(nextRun.outcome).toEqual({ status: 'succeeded', result: c.next.result });
    expect(nextRun.logs).toEqual([]);
    expect(nextRun.late).toBe(0);
    expectNoHostLeak(nextRun);
  }

  c.check?.(run);
  return run;
}

/** A sandbox for a corpus file, plus its canaries. */
export function corpusSandbox(options: IsolateSandboxOptions = {}): { readonly sandbox: () => IsolateSandbox } {
  let sandbox: IsolateSandbox | null = null;
  let cleanup: (() => void) | null = null;
  beforeAll(() => {
    cleanup = setUpCanaries();
    sandbox = new IsolateSandbox(options);
  });
  afterAll(async () => {
    await sandbox?.dispose();
    cleanup?.();
  });
  return {
    sandbox: () => {
      if (sandbox === null) throw new Error('corpusSandbox: used outside a test');
      return sandbox;
    },
  };
}

/** Helper source shared by cases: is `g` the guest's own global object (not the host's)? */
export const REALM_PROBE = `
const realmOf = (f: unknown): string => {
  try {
    let F = (f as { constructor: unknown }).constructor as (...a: string[]) => unknown;
    for (let i = 0; i < 5 && F !== (F as { constructor?: unknown }).constructor; i++) F = (F as { constructor: typeof F }).constructor;
    const g = (F('return this') as () => Record<string, unknown>)();
    if (g === globalThis) return typeof g['process'] === 'undefined' && typeof g['require'] === 'undefined' ? 'guest' : 'guest-with-host-globals';
    return 'OTHER REALM: ' + Object.getOwnPropertyNames(g).slice(0, 20).join(',');
  } catch (e) {
    return 'threw ' + String(e);
  }
};
`;
