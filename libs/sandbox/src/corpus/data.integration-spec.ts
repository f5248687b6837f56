// Security corpus, part 2: hostile values. Thenables and Symbol.species on what the host awaits
// or copies, Proxies and coercion hooks handed to host calls, prototype pollution of events and
// results, contamination of the next execution in a pooled isolate.
// Every case also gets the harness' containment checks (see harness.ts).
import type { SandboxEvent } from '@wolfe/application';
import { EVENT, corpusSandbox, runAttack, type AttackCase } from './harness';

jest.setTimeout(30_000);

// One isolate, reused: contamination cases run their attack and then an observer in the same isolate.
const { sandbox } = corpusSandbox({ maxIdleIsolates: 1, maxUsesPerIsolate: 1_000 });

const thenables: AttackCase[] = [
  {
    name: 'the handler returns a thenable that resolves',
    source: `return { then(resolve: (v: unknown) => void) { resolve({ via: 'thenable' }); } } as unknown as { via: string };`,
    expect: { status: 'succeeded', result: { via: 'thenable' } },
  },
  {
    name: 'the handler returns a thenable that never settles',
    source: `return { then() { /* never */ } } as unknown as number;`,
    limits: { timeoutMs: 600 },
    expect: { status: 'timed_out', limit: 'timeout' },
  },
  {
    name: 'the handler returns an object whose then getter throws',
    source: `return Object.defineProperty({}, 'then', { get() { throw new Error('then getter'); } });`,
    expect: { status: 'failed', name: 'Error', message: /^then getter/ },
  },
  {
    name: 'a Promise subclass with a hostile Symbol.species and then',
    source: `class Evil extends Promise<unknown> {
      static get [Symbol.species]() { return function () { throw new Error('species'); }; }
      then(a?: ((v: unknown) => unknown) | null, b?: ((e: unknown) => unknown) | null) { return super.then(a, b); }
    }
    return new Evil((resolve) => resolve({ evil: true }));`,
    expect: [{ status: 'succeeded', result: { evil: true } }, { status: 'failed', message: /species/ }],
  },
  {
    name: 'Promise.prototype.then, Promise[Symbol.species] and Promise.prototype.constructor patched before awaiting sandbox promises',
    source: `const P = Promise as unknown as Record<string | symbol, unknown>;
    const proto = Promise.prototype as unknown as Record<string, unknown>;
    const realThen = Promise.prototype.then;
    let hooked = 0;
    proto['then'] = function (this: Promise<unknown>, a: unknown, b: unknown) { hooked++; return realThen.call(this, a as never, b as never); };
    Object.defineProperty(P, Symbol.species, { get() { throw new Error('species'); } });
    Object.defineProperty(proto, 'constructor', { get() { throw new Error('constructor'); } });
    await ctx.sleep(5);
    const v = await ctx.step('patched', () => 7);
    return { v, hooked: hooked > 0 };`,
    expect: [{ status: 'succeeded', result: { v: 7, hooked: true } }, { status: 'failed' }],
  },
  {
    name: 'Object.prototype.then poisons every await in the guest',
    source: `(Object.prototype as Record<string, unknown>)['then'] = function (resolve: (v: unknown) => void) { delete (Object.prototype as Record<string, unknown>)['then']; resolve('hijacked'); };
    return { plain: true };`,
    expect: [{ status: 'succeeded' }, { status: 'failed' }],
  },
  {
    name: 'a step fn and a sleep continuation return thenables',
    source: `const a = await ctx.step('thenable', () => ({ then(r: (v: number) => void) { r(1); } }) as unknown as number);
    const b = await ctx.sleep(1).then(() => ({ then(r: (v: number) => void) { r(2); } }));
    return [a, b];`,
    expect: { status: 'succeeded', result: [1, 2] },
  },
  {
    name: 'the handler returns a Proxy around a promise',
    source: `return new Proxy(Promise.resolve({ proxied: 1 }), { get(t, k) { const v = Reflect.get(t, k); return typeof v === 'function' ? v.bind(t) : v; } });`,
    expect: [{ status: 'succeeded', result: { proxied: 1 } }, { status: 'failed' }],
  },
];

const proxies: AttackCase[] = [
  {
    name: 'log fields: a Proxy whose every trap throws',
    source: `const trap = () => { throw new Error('trap'); };
    ctx.log.info('proxy', new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap, getPrototypeOf: trap }));
    return 'ok';`,
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(logs.map((l) => [l.message, l.fields])).toEqual([[expect.stringMatching(/^proxy \[fields dropped: not JSON-serializable: trap\]$/), null]]),
  },
  {
    name: 'log fields: a revoked Proxy, and toJSON returning a Proxy',
    source: `const r = Proxy.revocable({}, {}); r.revoke();
    ctx.log.info('revoked', r.proxy as Record<string, unknown>);
    ctx.log.info('toJSON proxy', { toJSON: () => new Proxy({ a: 1 }, {}) } as unknown as Record<string, unknown>);
    return 'ok';`,
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => {
      expect(logs[0]).toMatchObject({ message: expect.stringMatching(/^revoked \[fields dropped: not JSON-serializable/), fields: null });
      expect(logs[1]).toMatchObject({ message: 'toJSON proxy', fields: { a: 1 } });
    },
  },
  {
    name: 'log message: Symbol.toPrimitive / toString / valueOf that throw or return objects',
    source: `const weird = [
      { [Symbol.toPrimitive]() { throw new Error('prim'); } },
      { [Symbol.toPrimitive]() { return {}; } },
      { toString() { return {}; }, valueOf() { return {}; } },
      Object.create(null),
    ];
    for (const w of weird) ctx.log.info(w as unknown as string);
    return 'ok';`,
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(logs.map((l) => l.message)).toEqual(Array(4).fill('[message could not be converted to a string]')),
  },
  {
    name: 'log message: a toString that never returns',
    source: `ctx.log.info({ toString() { for (;;) {} } } as unknown as string);`,
    limits: { timeoutMs: 700 },
    expect: { status: 'timed_out', limit: 'timeout' },
  },
  {
    name: 'log fields: getters that build an endless tree (JSON.stringify overflows inside the isolate)',
    source: `const endless = (): Record<string, unknown> => ({ get next() { return endless(); } });
    ctx.log.info('endless', endless());
    return 'ok';`,
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs }) => expect(logs[0]).toMatchObject({ message: expect.stringMatching(/^endless \[fields dropped: not JSON-serializable: Maximum call stack/), fields: null }),
  },
  {
    name: 'step output: a Proxy with throwing traps, and a value whose toJSON throws',
    source: `const trap = () => { throw new Error('trap'); };
    // (await looks up then: the Proxy answers that one, and throws for everything else)
    const a = await ctx.step('proxy', () => new Proxy({}, { ownKeys: trap, get: (_t, k) => (k === 'then' ? undefined : trap()), getOwnPropertyDescriptor: trap }));
    await ctx.step('toJSON', () => ({ toJSON() { throw new Error('toJSON'); } }));
    return typeof a;`,
    expect: { status: 'succeeded', result: 'object' },
    check: ({ steps }) => {
      const ended = steps.filter((s) => s.status !== 'running');
      expect(ended.map((s) => [s.status, s.output])).toEqual([
        ['succeeded', '[not JSON-serializable: trap]'],
        ['succeeded', '[not JSON-serializable: toJSON]'],
      ]);
    },
  },
  {
    name: 'step name and fn: objects with toString, a Proxy around a function',
    source: `const out: string[] = [];
    try { await ctx.step({ toString: () => 'sneaky' } as unknown as string, () => 1); } catch (e) { out.push((e as Error).name); }
    out.push(String(await ctx.step('proxied fn', new Proxy(() => 'applied', { apply: (t) => t() + '!' }))));
    return out;`,
    expect: { status: 'succeeded', result: ['TypeError', 'applied!'] },
  },
  {
    name: 'attach data: getters with side effects and a Proxy that reports 100,000 keys',
    source: `let reads = 0;
    const data = { get a() { reads++; return reads; } };
    ctx.attach('getter', data);
    const keys = Array.from({ length: 100_000 }, (_, i) => 'k' + i);
    try { ctx.attach('many keys', new Proxy({}, { get: () => 1, ownKeys: () => keys, getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }) })); } catch (e) { return { reads, error: (e as Error).name }; }
    return { reads, error: null };`,
    limits: { memoryMiB: 64 },
    expect: [{ status: 'succeeded', result: { reads: 1, error: 'RangeError' } }, { status: 'failed', limit: 'memory' }],
    check: ({ attachments }) => expect(attachments).toEqual([{ name: 'getter', contentType: 'application/json', data: '{"a":1}' }]),
  },
  {
    name: 'result: a Proxy that returns a new Proxy for every property (infinite depth)',
    source: `const make = (): object => new Proxy({}, { get: (_t, k) => (k === 'toJSON' || k === 'then' ? undefined : make()), ownKeys: () => ['x'], getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }) });
    return make();`,
    expect: { status: 'failed', name: 'TypeError', message: /^the result is not JSON-serializable: Maximum call stack/ },
  },
  {
    name: 'result: toJSON returning a fresh object every time, and valueOf/toPrimitive that are never called by JSON',
    source: `let primitives = 0;
    const counted = { [Symbol.toPrimitive]() { primitives++; return 1; }, valueOf() { primitives++; return 1; }, toJSON() { return { fresh: Math.random() > 2, primitives }; } };
    return counted;`,
    expect: { status: 'succeeded', result: { fresh: false, primitives: 0 } },
  },
  {
    name: 'sleep duration: an object with valueOf (never coerced, refused)',
    source: `let coerced = false;
    try { await ctx.sleep({ valueOf() { coerced = true; return 1; } } as unknown as number); } catch (e) { return { coerced, error: (e as Error).name }; }
    return { coerced, error: null };`,
    expect: { status: 'succeeded', result: { coerced: false, error: 'TypeError' } },
  },
];

const pollution: AttackCase[] = [
  {
    name: '__proto__, constructor.prototype and $-keys in the result',
    source: `return JSON.parse('{"__proto__": {"polluted": "yes"}, "a": {"constructor": {"prototype": {"polluted": "yes"}}}, "list": [{"__proto__": {"polluted": 1}, "ok": 1}], "$where": "1"}');`,
    expect: { status: 'succeeded', result: { a: {}, list: [{ ok: 1 }] } },
    check: ({ outcome }) => {
      if (outcome.status !== 'succeeded') return;
      const r = outcome.result as Record<string, unknown>;
      expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
      expect(Object.keys(r).sort()).toEqual(['a', 'list']);
    },
  },
  {
    name: '__proto__ keys in log fields and attachments',
    source: `const evil = JSON.parse('{"__proto__": {"polluted": "yes"}, "nested": {"__proto__": {"polluted": "yes"}, "v": 1}, "$set": 1}');
    ctx.log.info('fields', evil);
    ctx.attach('data', evil);
    return 'ok';`,
    expect: { status: 'succeeded', result: 'ok' },
    check: ({ logs, attachments }) => {
      expect(logs[0]!.fields).toEqual({ nested: { v: 1 } });
      expect(Object.getPrototypeOf(logs[0]!.fields)).toBe(Object.prototype);
      expect(attachments[0]!.data).toBe('{"nested":{"v":1}}');
    },
  },
  {
    name: 'modifying ctx.event (assign, delete, defineProperty, setPrototypeOf) and ctx itself',
    source: `const tries: Record<string, () => unknown> = {
      assign: () => { (ctx.event as unknown as Record<string, unknown>)['status'] = 'resolved'; },
      label: () => { (ctx.event.labels as Record<string, string>)['instance'] = 'evil'; },
      del: () => delete (ctx.event.labels as Record<string, string>)['alertname'],
      define: () => Object.defineProperty(ctx.event, 'x', { value: 1 }),
      proto: () => Object.setPrototypeOf(ctx.event.labels, { polluted: 'yes' }),
      ctx: () => { (ctx as unknown as Record<string, unknown>)['event'] = {}; },
      log: () => { (ctx.log as unknown as Record<string, unknown>)['info'] = () => undefined; },
      params: () => { (ctx.params as Record<string, unknown>)['x'] = 1; },
    };
    const out: Record<string, string> = {};
    for (const [k, f] of Object.entries(tries)) { try { f(); out[k] = 'CHANGED'; } catch (e) { out[k] = (e as Error).name; } }
    return { out, instance: ctx.event.labels['instance'], status: ctx.event.status };`,
    params: { hosts: ['a'] },
    expect: {
      status: 'succeeded',
      result: {
        out: { assign: 'TypeError', label: 'TypeError', del: 'TypeError', define: 'TypeError', proto: 'TypeError', ctx: 'TypeError', log: 'TypeError', params: 'TypeError' },
        instance: 'db-1:9100',
        status: 'firing',
      },
    },
  },
  {
    name: 'polluting the guest Object.prototype reaches event labels in the guest only, never the host event',
    source: `(Object.prototype as Record<string, unknown>)['polluted'] = 'yes';
    (Array.prototype as unknown as Record<string, unknown>)['polluted'] = 'yes';
    return { seen: (ctx.event.labels as Record<string, string>)['polluted'] ?? null, own: Object.keys(ctx.event.labels) };`,
    expect: { status: 'succeeded', result: { seen: 'yes', own: ['alertname', 'instance'] } },
  },
  {
    name: 'a host event whose labels carry an own __proto__ key and non-string values',
    source: `return { labels: ctx.event.labels, proto: Object.getPrototypeOf(ctx.event.labels) === Object.prototype, annotations: ctx.event.annotations };`,
    event: {
      ...EVENT,
      labels: JSON.parse('{"__proto__": {"polluted": "yes"}, "alertname": "X", "n": 5}') as SandboxEvent['labels'],
      annotations: { ok: 'yes' },
    },
    expect: { status: 'succeeded', result: { labels: { alertname: 'X' }, proto: true, annotations: { ok: 'yes' } } },
  },
  {
    name: 'a result built from Object.create(null), with symbol keys and non-enumerable properties',
    source: `const o = Object.create(null) as Record<string | symbol, unknown>;
    o['a'] = 1; o[Symbol('s')] = 2; Object.defineProperty(o, 'hidden', { value: 3, enumerable: false });
    return o;`,
    expect: { status: 'succeeded', result: { a: 1 } },
  },
];

/** Attack A, then observer B in the same (single, reused) isolate. */
const contamination = (name: string, attack: string, observer: string, expected: unknown): AttackCase => ({
  name,
  source: attack,
  expect: { status: 'succeeded' },
  next: { source: observer, result: expected },
});

const CLEAN = `return {
  proto: Object.getOwnPropertyNames(Object.prototype).length,
  array: [3, 1, 2].map((x) => x * 2).sort().join(','),
  json: JSON.stringify({ a: [1] }),
  globals: Object.getOwnPropertyNames(globalThis).filter((n) => /^(x|leak|stash)/.test(n)),
  then: typeof (Object.prototype as Record<string, unknown>)['then'],
  pst: typeof (Error as unknown as Record<string, unknown>)['prepareStackTrace'],
  limit: Error.stackTraceLimit,
  promise: await Promise.resolve(5).then((v) => v + 1),
  step: await ctx.step('observer', () => 'clean'),
};`;
const CLEAN_RESULT = { proto: 12, array: '2,4,6', json: '{"a":[1]}', globals: [], then: 'undefined', pst: 'undefined', limit: 10, promise: 6, step: 'clean' };

const contaminations: AttackCase[] = [
  contamination(
    'built-ins patched by A (Array.prototype, JSON, Object.prototype, Promise.prototype.then, Error hooks) are clean for B',
    `Array.prototype.map = function () { return ['hijacked']; } as never;
    Array.prototype.sort = function () { throw new Error('sort'); };
    JSON.stringify = () => '"hijacked"';
    (Object.prototype as Record<string, unknown>)['then'] = (r: (v: unknown) => void) => r('hijacked');
    Promise.prototype.then = function () { throw new Error('then'); } as never;
    (Error as unknown as Record<string, unknown>)['prepareStackTrace'] = () => 'hijacked';
    Error.stackTraceLimit = 0;
    return 'patched';`,
    CLEAN,
    CLEAN_RESULT,
  ),
  contamination(
    'globals and data stashed by A are gone for B',
    `const g = globalThis as Record<string, unknown>;
    g['leak'] = { secret: 'from A' };
    Object.defineProperty(globalThis, 'stash', { value: 'x', enumerable: false, configurable: false, writable: false });
    g['x1'] = new Array(100_000).fill('A');
    return 'stashed';`,
    CLEAN,
    CLEAN_RESULT,
  ),
  contamination(
    'a timer (sleep) and a step A left pending never fire into B',
    `void ctx.sleep(50).then(() => { ctx.log.warn('A woke up late'); (globalThis as Record<string, unknown>)['leak'] = 1; });
    void ctx.step('A pending', () => ctx.sleep(60));
    return 'left pending';`,
    `await ctx.sleep(150); ${CLEAN}`,
    CLEAN_RESULT,
  ),
  contamination(
    'A leaves a retained 8 MiB heap; B (same isolate, 16 MiB) can still use as much',
    `(globalThis as Record<string, unknown>)['leak'] = Array.from({ length: 100 }, (_, i) => new Array(10_000).fill(i + 0.5));
    return 'retained';`,
    `const mine = Array.from({ length: 100 }, (_, i) => new Array(10_000).fill(i + 0.5)); ${CLEAN.replace('return {', 'return { mine: mine.length,')}`,
    { mine: 100, ...CLEAN_RESULT },
  ),
  contamination(
    'A registers symbols in the isolate-wide Symbol.for registry; B cannot read data through them',
    `const s = Symbol.for('wolfe.leak');
    try { (s as unknown as Record<string, unknown>)['data'] = 'secret'; } catch { /* primitives take no properties */ }
    (Symbol.prototype as unknown as Record<string, unknown>)['data'] = 'secret';
    return String(s.description);`,
    `const s = Symbol.for('wolfe.leak') as unknown as Record<string, unknown>; return { data: s['data'] ?? null };`,
    { data: null },
  ),
];

describe.each<[string, AttackCase[]]>([
  ['thenables and Symbol.species on values the host awaits or copies', thenables],
  ['Proxies and coercion hooks passed to host calls', proxies],
  ['prototype pollution of events and results', pollution],
  ['cross-execution contamination in a pooled isolate', contaminations],
])('corpus: %s', (_klass, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(sandbox(), c);
  });
});
