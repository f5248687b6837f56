// The dispatcher's journal (log lines, steps, attachments of a running execution) against the
// real sqlite store, with a scripted sandbox: the paths a real runbook cannot easily reach
// (the platform failing mid-step, a start and an end in one flush window, a sink that throws).
import {
  ExecutionDispatcher,
  RunbookCatalog,
  RunbookCatalogs,
  systemClock,
  type ExecutionRecord,
  type Logger,
  type RunbookSandbox,
  type SandboxOutcome,
  type SandboxRequest,
  type Store,
} from '@wolfe/application';
import { openSqliteStore } from '@wolfe/store-sqlite';
import { eventually } from './testing/test-server';

const VERSION = 'a'.repeat(40);

type Script = (request: SandboxRequest) => Promise<SandboxOutcome>;

class ScriptedSandbox implements RunbookSandbox {
  constructor(private readonly script: Script) {}
  run(request: SandboxRequest): Promise<SandboxOutcome> {
    return this.script(request);
  }
  async dispose(): Promise<void> {}
}

const errors: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn() {}, error: (_fields, message) => errors.push(message) };

async function catalog(): Promise<RunbookCatalog> {
  const files = new Map([
    ['scripted/runbook.yaml', `name: scripted\ndescription: test\nowner: tests\ntriggers:\n  - match: 'alertname="Scripted"'\n`],
    ['scripted/index.ts', 'export default () => 1;\n'],
  ]);
  const c = new RunbookCatalog(
    { head: async () => VERSION, readTree: async () => files },
    async (name) => ({ ok: true, compiled: { code: '', sourceMap: '{}', filename: `${name}/index.js` } }),
    ['prod'],
    logger,
  );
  await c.refresh();
  return c;
}

let n = 0;
async function run(store: Store, script: Script, logFlushMs = 10): Promise<ExecutionRecord> {
  const id = `0190a6c4-${String(1000 + n++).padStart(4, '0')}-7000-8000-000000000000`;
  await store.executions.createIfAbsent({
    id, project: 'default', runbook: 'scripted', env: 'prod', version: VERSION, status: 'queued', eventId: null, trigger: null, dedupKey: null,
    createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, result: null, error: null, owner: null, leaseUntil: null,
  });
  const dispatcher = new ExecutionDispatcher(store, new RunbookCatalogs(['prod'], [await catalog()]), new ScriptedSandbox(script), systemClock, logger, { concurrency: 1, logFlushMs });
  dispatcher.kick();
  const done = await eventually(async () => {
    const ex = await store.executions.get(id);
    return ex && ex.finishedAt ? ex : undefined;
  });
  await dispatcher.stop();
  return done;
}

const now = (): string => new Date().toISOString();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the dispatcher journal (real sqlite store, scripted sandbox)', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    errors.length = 0;
  });
  afterEach(async () => {
    await store.close();
  });

  it('closes a step the platform left running when the run crashes, and keeps what came before', async () => {
    let whileRunning: string[] = [];
    const ex = await run(store, async (r) => {
      r.onStep?.({ seq: 0, name: 'fetch metrics', status: 'running', startedAt: now(), finishedAt: null, output: null, error: null });
      r.onLog({ ts: now(), level: 'info', message: 'fetching', fields: null });
      r.onAttach?.({ name: 'partial', contentType: 'application/json', data: '{"ü":"✓"}' });
      await sleep(30); // one periodic flush: the step is stored as running
      whileRunning = (await store.steps.list(r.executionId)).map((s) => s.status);
      throw new Error('isolate pool exhausted');
    });
    expect(whileRunning).toEqual(['running']);
    expect(ex).toMatchObject({ status: 'failed', error: { name: 'PlatformError' } });
    const steps = await store.steps.list(ex.id);
    expect(steps).toEqual([
      expect.objectContaining({ seq: 0, name: 'fetch metrics', status: 'failed', output: null, error: 'the execution ended while this step was still running' }),
    ]);
    expect(Date.parse(steps[0]?.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(ex.finishedAt ?? ''));
    expect((await store.logs.list(ex.id)).map((l) => l.message)).toEqual(['fetching']);
    // size is UTF-8 bytes, not UTF-16 code units: {"ü":"✓"} is 9 characters, 12 bytes.
    expect(await store.attachments.list(ex.id)).toEqual([{ executionId: ex.id, seq: 0, name: 'partial', contentType: 'application/json', size: 12 }]);
    expect(errors).toEqual(['execution crashed in the platform']);
  });

  it('numbers attachments in attach order and writes the last state of each step, in seq order', async () => {
    const ex = await run(
      store,
      async (r) => {
        const t0 = now();
        r.onStep?.({ seq: 0, name: 'a', status: 'running', startedAt: t0, finishedAt: null, output: null, error: null });
        r.onStep?.({ seq: 1, name: 'b', status: 'running', startedAt: t0, finishedAt: null, output: null, error: null });
        r.onAttach?.({ name: 'first', contentType: 'application/json', data: '[1]' });
        r.onStep?.({ seq: 1, name: 'b', status: 'failed', startedAt: t0, finishedAt: now(), output: null, error: 'threw nope' });
        r.onStep?.({ seq: 0, name: 'a', status: 'succeeded', startedAt: t0, finishedAt: now(), output: '42', error: null });
        r.onAttach?.({ name: 'second', contentType: 'application/json', data: '[2]' });
        return { status: 'succeeded', result: null };
      },
      60_000, // no periodic flush: everything goes in the final one
    );
    expect(ex.status).toBe('succeeded');
    expect((await store.steps.list(ex.id)).map(({ seq, status, output, error }) => ({ seq, status, output, error }))).toEqual([
      { seq: 0, status: 'succeeded', output: '42', error: null },
      { seq: 1, status: 'failed', output: null, error: 'threw nope' },
    ]);
    expect((await store.attachments.list(ex.id)).map((a) => [a.seq, a.name])).toEqual([
      [0, 'first'],
      [1, 'second'],
    ]);
    expect((await store.attachments.get(ex.id, 1))?.data).toBe('[2]');
  });

  it('keeps one row per step, ending in its end, when starts and ends are spread over many small flushes', async () => {
    const ex = await run(store, async (r) => {
      for (let seq = 0; seq < 30; seq++) {
        const startedAt = now();
        r.onStep?.({ seq, name: `s${seq}`, status: 'running', startedAt, finishedAt: null, output: null, error: null });
        await sleep(seq % 3);
        r.onStep?.({ seq, name: `s${seq}`, status: 'succeeded', startedAt, finishedAt: now(), output: String(seq), error: null });
      }
      return { status: 'succeeded', result: null };
    }, 1);
    const steps = await store.steps.list(ex.id);
    expect(steps.map((s) => [s.seq, s.status, s.output])).toEqual(Array.from({ length: 30 }, (_, seq) => [seq, 'succeeded', String(seq)]));
    expect(errors).toEqual([]);
  });
});
