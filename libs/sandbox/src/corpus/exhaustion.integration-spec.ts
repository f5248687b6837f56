// Security corpus, part 3: exhaustion. CPU (loops, microtask starvation, ReDoS, recursion,
// never-settling promises), memory (arrays, strings, ArrayBuffers, typed arrays), output and
// log bombs, floods of host calls. Each must end within its limits with a clear error while
// the sandbox keeps serving. Every case also gets the harness' containment checks (harness.ts).
import { corpusSandbox, runAttack, type AttackCase } from './harness';

jest.setTimeout(30_000);

const { sandbox } = corpusSandbox();
// Floods: a low host-call limit, so a flood hits it in well under a second.
const floods = corpusSandbox({ limits: { maxHostCalls: 2_000 } });

const TIMEOUT = { status: 'timed_out', limit: 'timeout', name: 'TimeoutError' } as const;
const CPU = { status: 'timed_out', limit: 'cpu', name: 'CpuTimeLimitError' } as const;
const MEMORY = { status: 'failed', limit: 'memory', name: 'MemoryLimitError' } as const;

const cpu: AttackCase[] = [
  { name: 'a synchronous infinite loop (wall clock)', source: `for (;;) {}`, limits: { timeoutMs: 600 }, expect: TIMEOUT },
  { name: 'a synchronous infinite loop (CPU limit below the timeout)', source: `while (true) {}`, limits: { timeoutMs: 3_000, cpuTimeMs: 400 }, expect: CPU },
  {
    name: 'microtask starvation: an await loop of resolved promises, started and not awaited',
    source: `void (async () => { for (;;) await null; })(); return 'returned';`,
    limits: { timeoutMs: 600 },
    expect: TIMEOUT,
  },
  {
    name: 'microtask starvation: a self-scheduling then chain',
    source: `const spin = (): Promise<void> => Promise.resolve().then(spin); await spin();`,
    limits: { timeoutMs: 3_000, cpuTimeMs: 400 },
    expect: [CPU, MEMORY],
  },
  {
    name: 'ReDoS: catastrophic backtracking',
    source: `return /^(a+)+$/.test('a'.repeat(40) + '!');`,
    limits: { timeoutMs: 600 },
    expect: TIMEOUT,
  },
  {
    name: 'deep recursion overflows the stack inside the isolate',
    source: `const f = (n: number): number => f(n + 1) + 1; return f(0);`,
    expect: { status: 'failed', name: 'RangeError', message: /^Maximum call stack size exceeded/ },
  },
  {
    name: 'deep recursion inside toJSON of the result',
    source: `const f = (n: number): unknown => ({ toJSON: () => ({ next: f(n + 1) }) }); return f(0);`,
    expect: { status: 'failed', name: 'TypeError', message: /^the result is not JSON-serializable: Maximum call stack/ },
  },
  { name: 'a promise that never settles', source: `await new Promise(() => undefined);`, limits: { timeoutMs: 500 }, expect: TIMEOUT },
  {
    name: 'a sleep longer than the time left ends at once',
    source: `await ctx.sleep(Number.MAX_SAFE_INTEGER);`,
    expect: { status: 'timed_out', limit: 'timeout', message: /^ctx\.sleep\(\d+\) would end after the 1\.5s timeout/ },
    check: ({ ms }) => expect(ms).toBeLessThan(500),
  },
  { name: 'sleep(Infinity)', source: `await ctx.sleep(Infinity);`, expect: { status: 'timed_out', limit: 'timeout', message: /^ctx\.sleep\(Infinity\)/ } },
  {
    name: 'an infinite loop while the script loads (module top level)',
    source: `import { runbook } from '@wolfe/sdk';\nfor (;;) {}\nexport default runbook(() => 1);`,
    limits: { timeoutMs: 600 },
    expect: TIMEOUT,
  },
  {
    name: 'an infinite loop inside a step: the step is recorded as failed',
    source: `await ctx.step('spin', () => { for (;;) {} });`,
    limits: { timeoutMs: 600 },
    expect: TIMEOUT,
    check: ({ steps }) => expect(steps.map((s) => [s.status, s.error])).toEqual([['running', null], ['failed', 'the execution ended (TimeoutError) before this step finished']]),
  },
  {
    name: 'an infinite loop after a sleep (continuation woken by the host timer)',
    source: `await ctx.sleep(20); for (;;) {}`,
    limits: { timeoutMs: 600 },
    expect: TIMEOUT,
  },
  {
    name: 'a sort comparator that never returns',
    source: `return [3, 2, 1].sort(() => { for (;;) {} });`,
    limits: { timeoutMs: 2_000, cpuTimeMs: 300 },
    expect: CPU,
  },
  {
    name: 'an async generator that never ends',
    source: `async function* forever() { for (;;) yield 1; } let n = 0; for await (const x of forever()) n += x; return n;`,
    limits: { timeoutMs: 600 },
    expect: [TIMEOUT, MEMORY],
  },
];

const memory: AttackCase[] = [
  { name: 'growing arrays', source: `const hoard: number[][] = []; for (;;) hoard.push(new Array(100_000).fill(1.5));`, limits: { timeoutMs: 5_000 }, expect: MEMORY },
  {
    name: 'a string doubled until it breaks',
    source: `let s = 'x'; const keep: string[] = []; for (;;) { s += s; keep.push(s + '!'); }`,
    limits: { timeoutMs: 5_000 },
    expect: [MEMORY, { status: 'failed', name: 'RangeError', message: /Invalid string length/ }],
  },
  {
    name: 'ArrayBuffers (off-heap memory) are capped too',
    source: `const keep: ArrayBuffer[] = []; for (let i = 0; i < 10_000; i++) keep.push(new ArrayBuffer(16 * 1024 * 1024)); return keep.length;`,
    limits: { timeoutMs: 5_000 },
    expect: [MEMORY, { status: 'failed', name: 'RangeError', message: /Array buffer allocation failed/ }],
  },
  {
    name: 'one huge typed array',
    source: `return new Float64Array(2 ** 30).length;`,
    expect: [MEMORY, { status: 'failed', name: 'RangeError' }],
  },
  // A Map or Set outgrowing the heap: see lost-isolate.integration-spec.ts (needs a child process).
  {
    name: 'memory exhaustion while the script loads',
    source: `import { runbook } from '@wolfe/sdk';\nconst hoard: unknown[] = [];\nfor (;;) hoard.push(new Array(100_000).fill({}));\nexport default runbook(() => hoard.length);`,
    limits: { timeoutMs: 5_000 },
    expect: MEMORY,
  },
  {
    name: "'x'.repeat(2 ** 30)",
    source: `return 'x'.repeat(2 ** 30).length;`,
    expect: [MEMORY, { status: 'failed', name: 'RangeError' }],
  },
  {
    name: 'WebAssembly.Memory is not there to grow',
    source: `const W = (globalThis as Record<string, unknown>)['WebAssembly'] as { Memory: new (d: object) => unknown }; return new W.Memory({ initial: 1, maximum: 65536 });`,
    expect: { status: 'failed', name: 'TypeError' },
  },
];

const bombs: AttackCase[] = [
  {
    name: 'a 10 MB log message is cut to 16,384 characters',
    source: `ctx.log.info('x'.repeat(10_000_000)); return 'ok';`,
    limits: { memoryMiB: 64 },
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(logs.map((l) => l.message.length)).toEqual([16_384 + '… [truncated]'.length]),
  },
  {
    name: '50,000 log lines keep 10,000 and one warning',
    source: `for (let i = 0; i < 50_000; i++) ctx.log.info('line ' + i); return 'ok';`,
    limits: { timeoutMs: 5_000 },
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => {
      expect(logs).toHaveLength(10_001);
      expect(logs.at(-1)!.message).toMatch(/^log truncated/);
    },
  },
  {
    name: 'huge log fields are dropped with a note',
    source: `ctx.log.info('big', { blob: 'x'.repeat(1_000_000) }); return 'ok';`,
    limits: { memoryMiB: 64 },
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(logs).toMatchObject([{ message: 'big [fields dropped: more than 65536 bytes of JSON]', fields: null }]),
  },
  {
    name: 'deeply nested log fields are cut at 64 levels',
    source: `let v: unknown = 'leaf'; for (let i = 0; i < 1_000; i++) v = { v }; ctx.log.info('deep', v as Record<string, unknown>); return 'ok';`,
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(JSON.stringify(logs[0]!.fields)).toContain('[nested too deep]'),
  },
  {
    name: 'a 20 MB result fails with limit result',
    source: `return { blob: 'x'.repeat(20_000_000) };`,
    limits: { memoryMiB: 128 },
    expect: { status: 'failed', limit: 'result', name: 'ResultLimitError' },
  },
  {
    name: 'a result nested 100,000 levels deep',
    source: `let v: unknown = 1; for (let i = 0; i < 100_000; i++) v = [v]; return v;`,
    limits: { memoryMiB: 64 },
    expect: [
      { status: 'failed', limit: 'result', name: 'ResultLimitError' },
      { status: 'failed', name: 'TypeError', message: /Maximum call stack/ },
    ],
  },
  {
    name: 'a 10 MB error message and stack are cut',
    source: `const e = new Error('m'.repeat(10_000_000)); e.stack = 's'.repeat(10_000_000); throw e;`,
    limits: { memoryMiB: 64 },
    expect: { status: 'failed', name: 'Error', message: /^m+… \[truncated\]$/ },
  },
  {
    name: 'huge step names and outputs, and huge step errors',
    source: `await ctx.step('n'.repeat(1_000_000), () => 'o'.repeat(1_000_000));
    try { await ctx.step('boom', () => { throw new Error('e'.repeat(1_000_000)); }); } catch { /* */ }
    return 'ok';`,
    limits: { memoryMiB: 64 },
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ steps }) => {
      for (const s of steps) {
        expect(s.name.length).toBeLessThanOrEqual(201);
        expect(Buffer.byteLength(s.output ?? '')).toBeLessThanOrEqual(1024);
        expect(Buffer.byteLength(s.error ?? '')).toBeLessThanOrEqual(1024);
      }
    },
  },
  {
    name: 'attachment bombs: one too big, too many, too much in total',
    source: `const out: string[] = [];
    const tryAttach = (name: string, data: unknown) => { try { ctx.attach(name, data); out.push('kept'); } catch (e) { out.push((e as Error).name); } };
    tryAttach('too big', 'x'.repeat(300 * 1024));
    for (let i = 0; i < 5; i++) tryAttach('quarter ' + i, 'x'.repeat(250 * 1024));
    for (let i = 0; i < 30; i++) tryAttach('small ' + i, i);
    return out;`,
    limits: { memoryMiB: 64 },
    expect: { status: 'succeeded' },
    check: ({ attachments, outcome }) => {
      expect(attachments.length).toBe(20);
      expect(attachments.reduce((n, a) => n + Buffer.byteLength(a.data), 0)).toBeLessThanOrEqual(1024 * 1024);
      if (outcome.status === 'succeeded') expect((outcome.result as string[]).filter((r) => r === 'kept')).toHaveLength(20);
    },
  },
  {
    name: 'console.log with thousands of huge arguments',
    source: `const big = 'y'.repeat(100_000); console.log(...Array(5_000).fill(big)); return 'ok';`,
    limits: { memoryMiB: 64 },
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(logs[0]!.message.length).toBeLessThanOrEqual(16_384 + 20),
  },
  {
    name: 'lone surrogates, NULs and 4-byte characters in messages, fields and the result',
    source: `const weird = '\\uD800' + '\\u0000' + '😀'.repeat(10_000) + '\\uDFFF';
    ctx.log.info(weird, { weird });
    await ctx.step(weird, () => weird);
    return { weird: weird.slice(0, 10) };`,
    expect: { status: 'succeeded' },
    check: ({ logs, steps }) => {
      expect(logs).toHaveLength(1);
      for (const s of steps) expect(Buffer.byteLength(s.output ?? '')).toBeLessThanOrEqual(1024);
    },
  },
];

const hostFloods: AttackCase[] = [
  {
    name: 'a million log calls: 10,000 lines kept, then the guest stops calling the host',
    source: `for (let i = 0; i < 1_000_000; i++) ctx.log.debug('x'); return 'done';`,
    limits: { timeoutMs: 5_000 },
    expect: { status: 'succeeded', result: 'done' },
    check: ({ logs }) => expect(logs).toHaveLength(10_001),
  },
  {
    name: 'a step flood: 1,000 steps recorded, later steps run without calling the host',
    source: `let n = 0; for (let i = 0; i < 100_000; i++) n += await ctx.step('s', () => 1); return n;`,
    limits: { timeoutMs: 5_000 },
    expect: { status: 'succeeded', result: 100_000 },
    check: ({ steps, logs }) => {
      expect(steps).toHaveLength(2_000);
      expect(logs.map((l) => l.message)).toEqual([expect.stringMatching(/^step limit/)]);
    },
  },
];

const floodsOverLimit: AttackCase[] = [
  { name: 'sleep(0) flood', source: `for (;;) await ctx.sleep(0);`, limits: { timeoutMs: 10_000 }, expect: { status: 'failed', limit: 'host_calls', name: 'HostCallLimitError' } },
  {
    name: '10,000 concurrent sleeps',
    source: `await Promise.all(Array.from({ length: 10_000 }, () => ctx.sleep(1_000)));`,
    limits: { timeoutMs: 5_000 },
    expect: { status: 'failed', limit: 'host_calls' },
  },
  {
    name: 'a log flood under a low host-call limit',
    source: `for (;;) console.log('x');`,
    expect: { status: 'failed', limit: 'host_calls' },
    check: ({ logs }) => expect(logs.length).toBeLessThanOrEqual(2_000),
  },
  {
    name: 'refused attachments called in a loop',
    source: `for (;;) { try { ctx.attach('x', 1); } catch { /* keep going */ } }`,
    expect: { status: 'failed', limit: 'host_calls' },
  },
  {
    name: '5,000 concurrent steps',
    source: `await Promise.all(Array.from({ length: 5_000 }, (_, i) => ctx.step('s' + i, () => ctx.sleep(10))));`,
    limits: { timeoutMs: 5_000 },
    expect: { status: 'failed', limit: 'host_calls' },
    check: ({ steps }) => {
      // every step that started is also ended (as failed: the execution ended first)
      const started = steps.filter((s) => s.status === 'running').length;
      expect(steps.length).toBe(started * 2);
    },
  },
];

describe.each<[string, AttackCase[]]>([
  ['CPU exhaustion', cpu],
  ['memory exhaustion', memory],
  ['output and log bombs', bombs],
  ['host-call floods (default limits)', hostFloods],
])('corpus: %s', (_klass, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(sandbox(), c);
  });
});

describe('corpus: host-call floods (maxHostCalls 2,000)', () => {
  it.each(floodsOverLimit.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(floods.sandbox(), c);
  });
});
