// Security corpus, part 1: reaching the host. Constructor chains to the host's `Function`,
// stack-trace hooks and stack contents, leaked isolated-vm handles, dynamic code.
// Every case also gets the harness' containment checks (see harness.ts).
import { REALM_PROBE, corpusSandbox, runAttack, type AttackCase } from './harness';

jest.setTimeout(30_000);

const { sandbox } = corpusSandbox();

/** A case whose handler returns a record of realm verdicts: every one must be `guest`. */
const allGuest = (name: string, body: string): AttackCase => ({
  name,
  source: `${REALM_PROBE}\n${body}`,
  expect: { status: 'succeeded' },
  check: ({ outcome }) => {
    if (outcome.status !== 'succeeded') throw new Error('expected success');
    const verdicts = outcome.result as Record<string, string>;
    expect(Object.keys(verdicts).length).toBeGreaterThan(0);
    for (const [what, verdict] of Object.entries(verdicts)) expect({ what, verdict }).toEqual({ what, verdict: 'guest' });
  },
});

const constructorChains: AttackCase[] = [
  allGuest(
    'constructor chain of every ctx function (log.*, step, sleep, attach) and console.*',
    `return {
      debug: realmOf(ctx.log.debug), info: realmOf(ctx.log.info), warn: realmOf(ctx.log.warn), error: realmOf(ctx.log.error),
      step: realmOf(ctx.step), sleep: realmOf(ctx.sleep), attach: realmOf(ctx.attach),
      consoleLog: realmOf(console.log), consoleError: realmOf(console.error),
    };`,
  ),
  allGuest(
    'constructor chain of every ctx value (ctx, event, labels, params, runbook, log)',
    `return {
      ctx: realmOf(ctx), event: realmOf(ctx.event), labels: realmOf(ctx.event.labels), params: realmOf(ctx.params),
      runbook: realmOf(ctx.runbook), log: realmOf(ctx.log), env: realmOf(ctx.env), proto: realmOf(Object.getPrototypeOf(ctx)),
    };`,
  ),
  allGuest(
    'constructor chain of promises and values the host hands back (sleep, step)',
    `const sleeping = ctx.sleep(1);
    const stepping = ctx.step('s', () => ({ v: 1 }));
    const value = await stepping;
    await sleeping;
    return { sleepPromise: realmOf(sleeping), sleepThen: realmOf(sleeping.then), stepPromise: realmOf(stepping), stepValue: realmOf(value), sleepResult: realmOf(await ctx.sleep(0) ?? {}) };`,
  ),
  allGuest(
    'constructor chain of errors the host calls raise (attach over limit / not JSON, sleep bad ms, step bad name)',
    `const errs: Record<string, unknown> = {};
    try { ctx.attach('big', 'x'.repeat(300 * 1024)); } catch (e) { errs['attachBig'] = e; }
    try { ctx.attach('bigint', { n: 1n }); } catch (e) { errs['attachBigint'] = e; }
    try { await ctx.sleep(-1); } catch (e) { errs['sleep'] = e; }
    try { await ctx.step('', () => 1); } catch (e) { errs['step'] = e; }
    const out: Record<string, string> = {};
    for (const [k, e] of Object.entries(errs)) { out[k] = realmOf(e); out[k + 'Ctor'] = realmOf((e as Error).constructor); }
    return out;`,
  ),
  allGuest(
    'plain, async, generator and async generator Function constructors',
    `const AsyncFunction = (async () => undefined).constructor as (...a: string[]) => () => Promise<unknown>;
    const GeneratorFunction = (function* () { yield 1; }).constructor as (...a: string[]) => () => Generator<unknown>;
    const AsyncGeneratorFunction = (async function* () { yield 1; }).constructor as (...a: string[]) => () => AsyncGenerator<unknown>;
    const viaAsync = await AsyncFunction('return this')();
    const viaGen = GeneratorFunction('yield this')().next().value;
    const viaAsyncGen = (await AsyncGeneratorFunction('yield this')().next()).value;
    const check = (g: unknown) => (g === globalThis ? 'guest' : 'OTHER');
    return { plain: realmOf(() => 1), async: check(viaAsync), generator: check(viaGen), asyncGenerator: check(viaAsyncGen), bound: realmOf(ctx.log.info.bind(null)) };`,
  ),
  {
    name: 'Function constructor through ctx functions runs in the guest, where process/require do not exist',
    source: `const F = ctx.log.info.constructor as (...a: string[]) => () => unknown;
    const G = ctx.step.constructor.constructor as (...a: string[]) => () => unknown;
    return [F('return typeof process + "," + typeof require + "," + typeof module + "," + typeof Buffer')(), G('return typeof globalThis.process')()];`,
    expect: { status: 'succeeded', result: ['undefined,undefined,undefined,undefined', 'undefined'] },
  },
  {
    name: 'caller / callee of a sloppy function called by the sandbox (step fn, toJSON in log fields and result) reveal nothing',
    source: `const sloppyCaller = new Function('return typeof arguments.callee.caller === "function" ? "LEAK: " + String(arguments.callee.caller).slice(0, 80) : String(arguments.callee.caller)') as () => string;
    const fromStep = await ctx.step('caller', sloppyCaller);
    let fromLog = '';
    ctx.log.info('x', { toJSON() { fromLog = sloppyCaller(); return {}; } } as unknown as Record<string, unknown>);
    const fromToJSON = new Function('return { toJSON: function () { return typeof arguments.callee.caller === "function" ? "LEAK" : "none"; } }')();
    return { fromStep, fromLog, fromToJSON };`,
    expect: { status: 'succeeded', result: { fromStep: 'null', fromLog: 'null', fromToJSON: 'none' } },
  },
  {
    name: 'Function.prototype.caller / arguments poison pills on sandbox functions',
    source: `const out: string[] = [];
    for (const f of [ctx.log.info, ctx.step, ctx.sleep, ctx.attach, console.log]) {
      for (const prop of ['caller', 'arguments']) {
        try { const v = (f as unknown as Record<string, unknown>)[prop]; out.push(prop + ':' + (v === null || v === undefined ? 'none' : 'LEAK ' + typeof v)); } catch (e) { out.push(prop + ':' + (e as Error).name); }
      }
    }
    return [...new Set(out)].sort();`,
    expect: { status: 'succeeded', result: ['arguments:TypeError', 'caller:TypeError'] },
  },
];

const stacks: AttackCase[] = [
  {
    name: 'Error.prepareStackTrace sees only guest frames: no host functions, receivers or file names',
    source: `const seen: string[] = [];
    const leaks: string[] = [];
    (Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace = (_e: unknown, frames: { getFileName(): string | null; getFunction(): unknown; getThis(): unknown; getFunctionName(): string | null; isNative(): boolean; getEvalOrigin(): unknown }[]) => {
      for (const f of frames) {
        seen.push(String(f.getFileName()));
        const fn = f.getFunction();
        if (typeof fn === 'function' && String(f.getFileName()).startsWith('wolfe:')) leaks.push('sandbox function ' + String(f.getFunctionName()));
        const self = f.getThis();
        if (self !== undefined && self !== null && self !== globalThis && String(f.getFileName()).startsWith('wolfe:')) leaks.push('sandbox receiver');
      }
      return 'formatted';
    };
    const capture = () => new Error('probe').stack;
    capture();
    await ctx.step('in a step', () => capture());
    ctx.log.info('in toJSON', { toJSON: () => (capture(), {}) } as unknown as Record<string, unknown>);
    await ctx.sleep(1);
    capture();
    return { files: [...new Set(seen)].sort(), leaks };`,
    expect: { status: 'succeeded' },
    check: ({ outcome }) => {
      if (outcome.status !== 'succeeded') return;
      const { files, leaks } = outcome.result as { files: string[]; leaks: string[] };
      expect(leaks).toEqual([]);
      for (const f of files) expect(['corpus/attack/index.js', 'wolfe:bootstrap', 'null']).toContain(f);
    },
  },
  {
    name: 'a stack forged by prepareStackTrace with host-like paths is not reported',
    source: `(Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace = () => ['Error: forged', '    at evil (/wo' + 'rk/main/node_mo' + 'dules/secret.js:1:1)', '    at /tm' + 'p/x.js:2:2'].join('\\n');
    throw new Error('forged stack');`,
    expect: { status: 'failed', name: 'Error', message: /^forged stack$/ },
    check: ({ outcome }) => outcome.status !== 'succeeded' && expect(outcome.error.stack).toBeNull(),
  },
  {
    name: 'prepareStackTrace that throws, returns an object, or a Proxy',
    source: `const hooks = [() => { throw new Error('hook'); }, () => ({ toString() { throw 1; } }), () => new Proxy({}, { get() { throw 1; } })];
    const out: string[] = [];
    for (const h of hooks) {
      (Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace = h;
      try { out.push(typeof new Error('x').stack); } catch (e) { out.push('threw'); }
    }
    throw new TypeError('after hooks');`,
    expect: { status: 'failed', name: 'TypeError', message: /^after hooks$/ },
  },
  {
    name: 'prepareStackTrace that never returns (the sandbox reads the stack of the thrown error)',
    source: `(Error as unknown as { prepareStackTrace: unknown }).prepareStackTrace = () => { for (;;) {} };
    throw new Error('stuck while formatting');`,
    limits: { timeoutMs: 800 },
    expect: { status: 'timed_out', limit: 'timeout' },
  },
  {
    name: 'Error.captureStackTrace on frozen objects, Proxies and ctx itself',
    source: `const out: string[] = [];
    for (const target of [Object.freeze({}), new Proxy({}, {}), ctx, ctx.log, ctx.event]) {
      try { Error.captureStackTrace(target as object); out.push('ok'); } catch (e) { out.push((e as Error).name); }
    }
    return { frozen: out[0], ctx: out.slice(2), ctxHasStack: Object.prototype.hasOwnProperty.call(ctx, 'stack') };`,
    expect: { status: 'succeeded', result: { frozen: 'TypeError', ctx: ['TypeError', 'TypeError', 'TypeError'], ctxHasStack: false } },
  },
  {
    name: 'Error.stackTraceLimit = Infinity and a deep recursion: the reported stack stays bounded',
    source: `Error.stackTraceLimit = Infinity;
    const deep = (n: number): never => { if (n === 0) throw new Error('deep'); return deep(n - 1); };
    deep(5_000);`,
    expect: { status: 'failed', name: 'Error', message: /^deep \(at index\.ts:\d+:\d+\)$/ },
    check: ({ outcome }) => outcome.status !== 'succeeded' && expect((outcome.error.stack ?? '').length).toBeLessThan(17_000),
  },
  {
    name: 'Error.stackTraceLimit = 0: no frames, no location, still a clean error',
    source: `Error.stackTraceLimit = 0; throw new Error('no frames');`,
    expect: { status: 'failed', name: 'Error', message: /^no frames$/ },
  },
  {
    name: 'stacks of errors raised by host calls hold only guest frames',
    source: `const stacks: string[] = [];
    try { ctx.attach('big', 'x'.repeat(300 * 1024)); } catch (e) { stacks.push(String((e as Error).stack)); }
    try { await ctx.sleep(Number.NaN); } catch (e) { stacks.push(String((e as Error).stack)); }
    try { await ctx.step('fails', () => { throw new Error('in step'); }); } catch (e) { stacks.push(String((e as Error).stack)); }
    return stacks;`,
    expect: { status: 'succeeded' },
    check: ({ outcome }) => {
      if (outcome.status !== 'succeeded') return;
      for (const s of outcome.result as string[]) for (const line of s.split('\n').slice(1)) expect(line).toMatch(/\((?:corpus\/attack\/index\.js|wolfe:bootstrap):\d+:\d+\)$|at (?:corpus\/attack\/index\.js|wolfe:bootstrap):\d+:\d+$|<anonymous>|\(native\)|at new Promise/);
    },
  },
  {
    name: 'error name and message getters that are huge, throw or change on every read',
    source: `let reads = 0;
    const e = new Error('x');
    Object.defineProperty(e, 'message', { get() { reads++; return 'm'.repeat(1_000_000) + reads; } });
    Object.defineProperty(e, 'name', { get() { if (reads > 1) throw new Error('name'); return 'N'.repeat(10_000) + 'Error'; } });
    throw e;`,
    expect: { status: 'failed' },
    check: ({ outcome }) => {
      if (outcome.status === 'succeeded') return;
      expect(outcome.error.name.length).toBeLessThanOrEqual(200 + 20);
      expect(outcome.error.message.length).toBeLessThanOrEqual(4_096 + 200);
    },
  },
  {
    name: 'a sourceURL comment in eval code naming a host path never reaches the reported stack',
    source: `(0, eval)('function evil() { throw new Error("from eval"); }\\n//# sourceURL=/wo' + 'rk/main/node_mo' + 'dules/evil.js');
    (globalThis as unknown as { evil: () => void }).evil();`,
    expect: { status: 'failed', name: 'Error', message: /^from eval \(at index\.ts:\d+:\d+\)$/ },
  },
];

const handles: AttackCase[] = [
  {
    name: 'walk everything reachable from globalThis and ctx: no isolated-vm Reference / Callback / ExternalCopy / Isolate',
    source: `const IVM = /^(Reference|ExternalCopy|Callback|Isolate|Context|Script|Module|NativeModule)$/;
    const IVM_METHODS = ['deref', 'derefInto', 'copyInto', 'applySync', 'applyIgnored', 'applySyncPromise', 'getSync', 'setIgnored', 'setSync', 'typeof'];
    const seen = new Set<unknown>();
    const queue: { v: unknown; path: string }[] = [{ v: globalThis, path: 'globalThis' }, { v: ctx, path: 'ctx' }];
    const found: string[] = [];
    let visited = 0;
    while (queue.length > 0 && visited < 50_000) {
      const { v, path } = queue.shift()!;
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue;
      seen.add(v);
      visited++;
      let ctorName = '';
      try { const d = Object.getOwnPropertyDescriptor(v, 'constructor'); ctorName = d && typeof d.value === 'function' ? String(d.value.name) : ''; } catch { /* */ }
      if (IVM.test(ctorName) && path.split('.').length > 2) found.push(path + ' constructor ' + ctorName);
      // (WeakRef.prototype has a deref too: a handle has several of these methods.)
      let methods = 0;
      for (const m of IVM_METHODS) { try { if (Object.prototype.hasOwnProperty.call(v, m)) methods++; } catch { /* */ } }
      if (methods >= 2) found.push(path + ' has ' + methods + ' isolated-vm handle methods');
      let keys: (string | symbol)[] = [];
      try { keys = Reflect.ownKeys(v as object); } catch { continue; }
      for (const k of keys) {
        let d: PropertyDescriptor | undefined;
        try { d = Reflect.getOwnPropertyDescriptor(v as object, k); } catch { continue; }
        if (d === undefined) continue;
        const name = path + '.' + String(k);
        for (const x of [d.value, d.get, d.set]) if (x !== undefined) queue.push({ v: x, path: name });
      }
      try { queue.push({ v: Reflect.getPrototypeOf(v as object), path: path + '.__proto__' }); } catch { /* */ }
    }
    return { found, enough: visited > 500 };`,
    expect: { status: 'succeeded', result: { found: [], enough: true } },
  },
  {
    name: 'the bootstrap closure (host function, input, control) is not on any global, before or during the handler',
    source: `import { runbook } from '@wolfe/sdk';
const g = globalThis as Record<string, unknown>;
const NAMES = ['$0', '$1', 'host', 'input', 'control', 'start', 'wake', 'sleepers', 'ivm', 'hostLog', '_ivm', 'lib'];
const atLoad = NAMES.filter((n) => n in g);
const loadGlobals = Object.getOwnPropertyNames(g).filter((n) => n.startsWith('__wolfe'));
export default runbook(async () => ({
  atLoad,
  loadGlobals,
  atRun: NAMES.filter((n) => n in g),
  runGlobals: Object.getOwnPropertyNames(g).filter((n) => n.startsWith('__wolfe')),
  symbols: Object.getOwnPropertySymbols(g).map(String),
}));`,
    expect: { status: 'succeeded', result: { atLoad: [], loadGlobals: ['__wolfe_load_error__'], atRun: [], runGlobals: [], symbols: [] } },
  },
  {
    name: 'ctx is exactly the documented, frozen surface',
    source: `const fns = [ctx.step, ctx.sleep, ctx.attach, ctx.log.info, ctx.log.warn, ctx.log.error, ctx.log.debug];
    return {
      keys: Reflect.ownKeys(ctx).map(String),
      logKeys: Reflect.ownKeys(ctx.log).map(String),
      frozen: [ctx, ctx.log, ctx.event, ctx.event.labels, ctx.params, ctx.runbook, ...fns].every((o) => Object.isFrozen(o)),
    };`,
    expect: { status: 'succeeded', result: { keys: ['event', 'params', 'log', 'runbook', 'env', 'step', 'sleep', 'attach', 'secrets', 'state', 'http', 'emit', 'prometheus'], logKeys: ['debug', 'info', 'warn', 'error'], frozen: true } },
  },
  {
    name: 'the load-error hook is callable only while the script loads, and only changes its own outcome',
    source: `import { runbook } from '@wolfe/sdk';
const g = globalThis as Record<string, (e: unknown) => void>;
g['__wolfe_load_error__']!(new Error('self-reported'));
Object.defineProperty(globalThis, '__wolfe_load_error__', { value: () => undefined });
export default runbook(async () => 'should not run');`,
    expect: { status: 'failed', name: 'Error', message: /^self-reported \(at index\.ts:3:\d+\)$/ },
  },
  {
    name: 'the source of sandbox functions is visible (it is open source) but names no host path',
    source: `return [ctx.step, ctx.sleep, ctx.attach, ctx.log.info, console.log].map((f) => Function.prototype.toString.call(f));`,
    expect: { status: 'succeeded' },
    check: ({ outcome }) => outcome.status === 'succeeded' && expect((outcome.result as string[]).join('\n')).not.toMatch(/\[native code\]/),
  },
];

const dynamicCode: AttackCase[] = [
  {
    name: 'eval and new Function run inside the guest realm only',
    source: `return {
      evalProcess: eval('typeof process'),
      evalRequire: eval('typeof require + typeof globalThis.process'),
      indirectEvalGlobal: (0, eval)('this') === globalThis,
      fnGlobal: new Function('return this')() === globalThis,
      fnRequire: new Function('try { return typeof require("fs"); } catch (e) { return e.name; }')(),
    };`,
    expect: { status: 'succeeded', result: { evalProcess: 'undefined', evalRequire: 'undefinedundefined', indirectEvalGlobal: true, fnGlobal: true, fnRequire: 'ReferenceError' } },
  },
  {
    name: 'dynamic import() of node built-ins, files and data: URLs is refused cleanly',
    source: `const out: string[] = [];
    for (const spec of ['fs', 'node:child_process', './index.ts', 'data:text/javascript,export default 1', 'isolated' + '-vm']) {
      try { await import(spec); out.push('LOADED ' + spec); } catch (e) { out.push((e as Error).name); }
    }
    try { await (new Function('return import("fs")')() as Promise<unknown>); out.push('LOADED via Function'); } catch (e) { out.push((e as Error).name); }
    return out;`,
    expect: { status: 'succeeded' },
    check: ({ outcome }) => outcome.status === 'succeeded' && expect((outcome.result as string[]).join(',')).not.toMatch(/LOADED/),
  },
  {
    name: 'WebAssembly, SharedArrayBuffer, Atomics, FinalizationRegistry are gone and cannot be recovered',
    source: `const g = globalThis as Record<string, unknown>;
    const names = ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry'];
    const fromEval = names.map((n) => { try { return typeof (0, eval)(n); } catch (e) { return (e as Error).name; } });
    let viaBuffer = 'none';
    try { viaBuffer = typeof (new ArrayBuffer(8) as unknown as { constructor: { prototype: unknown } }).constructor; } catch { /* */ }
    return { globals: names.map((n) => typeof g[n]), fromEval, viaBuffer, keys: Reflect.ownKeys(globalThis).filter((k) => names.includes(String(k))).length };`,
    expect: {
      status: 'succeeded',
      result: { globals: ['undefined', 'undefined', 'undefined', 'undefined'], fromEval: ['ReferenceError', 'ReferenceError', 'ReferenceError', 'ReferenceError'], viaBuffer: 'function', keys: 0 },
    },
  },
  {
    name: 'Atomics.wait (blocking the thread) is not available',
    source: `const A = (globalThis as Record<string, unknown>)['Atomics'] as { wait(a: unknown, i: number, v: number): string };
    return A.wait(new Int32Array(new ArrayBuffer(4)), 0, 0);`,
    expect: { status: 'failed', name: 'TypeError' },
  },
  {
    name: 'eval of deeply nested code overflows the parser inside the isolate',
    source: `return eval('['.repeat(200_000) + ']'.repeat(200_000));`,
    expect: [
      { status: 'failed', name: 'RangeError' },
      { status: 'failed', limit: 'memory' },
    ],
  },
];

describe.each<[string, AttackCase[]]>([
  ['constructor chains to the host Function', constructorChains],
  ['Error.prepareStackTrace / captureStackTrace and stack contents', stacks],
  ['isolated-vm handle leakage', handles],
  ['dynamic code (eval, Function, import(), WebAssembly)', dynamicCode],
])('corpus: %s', (_klass, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(sandbox(), c);
  });
});
