/**
 * The guest side of an execution: JavaScript that runs inside the isolate, in the fresh
 * context, BEFORE the runbook's script. It is run with `context.evalClosure`, so the host
 * values it receives are closure parameters, never globals:
 *
 * - `$0`: the host function (an ivm Callback, seen by the guest as a plain function
 *   `(op, a, b, c, d) => string | number | boolean`, see {@link HostOp}). It never throws and
 *   only ever receives and returns primitives.
 * - `$1`: the execution's input as JSON text ({@link BootstrapInput}).
 *
 * It captures the intrinsics it needs before any runbook code runs, builds the frozen
 * `ctx`, installs the load-error catcher used by the script wrapper and returns `control`,
 * which the host calls through a Reference (never reachable from the guest's globals):
 *
 * - `control('start')` runs the handler and resolves to a string: `ok:<result JSON>` or
 *   `err:<GuestErrorRecord JSON>`;
 * - `control('wake', id)` resolves the `ctx.sleep` promise `id` (the host's timer fired);
 * - `control('settle', id, ok, text)` settles the promise of the asynchronous call `id`
 *   (`ctx.secrets`, `ctx.state`, `ctx.http`, `ctx.emit`, `ctx.prometheus`): `ok` → resolves
 *   with `JSON.parse(text)`, else rejects with the error `{ name, message }` of `text`.
 *
 * Everything here is best effort against a hostile runbook that patches prototypes: the
 * host re-validates every value that crosses (type, size, shape). A runbook that subverts
 * this code only changes its own outcome.
 */
export interface BootstrapInput {
  readonly event: unknown;
  readonly params: unknown;
  readonly runbook: { readonly name: string; readonly version: string };
  readonly env: string;
  readonly brandKey: string;
  readonly limits: {
    readonly messageMaxChars: number;
    readonly fieldsMaxBytes: number;
    readonly resultMaxBytes: number;
    readonly errorTextMaxChars: number;
    readonly stepNameMaxChars: number;
    readonly stepOutputMaxBytes: number;
    readonly attachmentMaxBytes: number;
  };
}

/**
 * The operations of the host function, with their arguments and answers:
 *
 * - `log(level, message, fieldsJson | null)` → `true` to keep logging, `false` = stop (the log is full or the execution is over);
 * - `step(name)` → the step's seq (≥ 0), or -1 when it is not recorded;
 * - `step-end(seq, 'succeeded' | 'failed', output | null, error | null)` → `true`;
 * - `attach(name, json)` → `''` when kept, else the reason it was refused (the guest throws it as a RangeError);
 * - `sleep(id, ms)` → `true` when the host armed a timer that will `control('wake', id)`; anything else: the execution is ending;
 * - `call(id, op, argsJson)` → `true` when the host started the call and will `control('settle', id, …)`; a string: the
 *   JSON `{ name, message }` of the error the call fails with at once; anything else: the execution is ending.
 */
export type HostOp = 'log' | 'step' | 'step-end' | 'attach' | 'sleep' | 'call';

/** What `start()` reports for a failure (after `err:`), re-validated by the host. */
export interface GuestErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string | null;
  readonly limit: string | null;
}

/** Global the runbook script assigns its definition to (see `CompiledRunbook.code`). */
export const RUNBOOK_GLOBAL = '__wolfe_runbook__';
/** Global function the script wrapper calls with an error thrown while the script loads; `start` deletes it. */
export const LOAD_ERROR_GLOBAL = '__wolfe_load_error__';
/** Globals removed from every context: nothing a runbook needs, and each can schedule work that outlives the execution. */
export const REMOVED_GLOBALS = ['FinalizationRegistry', 'Atomics', 'SharedArrayBuffer', 'WebAssembly'] as const;

/** Script origin of the bootstrap, so its frames are recognisably not the runbook's. */
export const BOOTSTRAP_FILENAME = 'wolfe:bootstrap';

/**
 * Wraps the runbook script so a throw while it loads is caught inside the isolate (and
 * described like any other error) instead of being copied out by isolated-vm. The wrapper
 * takes one line before the code: compile with `lineOffset: -1` so lines stay exact.
 */
export function wrapScript(code: string): string {
  return `"use strict";try{\n${code}\n}catch(e){${LOAD_ERROR_GLOBAL}(e)}`;
}

export const BOOTSTRAP_SOURCE = String.raw`
'use strict';
const host = $0;
const input = JSON.parse($1);
const G = globalThis;
const L = input.limits;
const ObjectFreeze = Object.freeze;
const ObjectKeys = Object.keys;
const ObjectDefineProperty = Object.defineProperty;
const ReflectApply = Reflect.apply;
const ReflectDeleteProperty = Reflect.deleteProperty;
const JSONStringify = JSON.stringify;
const StringCtor = String;
const StringSlice = String.prototype.slice;
const StringCharCodeAt = String.prototype.charCodeAt;
const SymbolToString = Symbol.prototype.toString;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const PromiseCtor = Promise;
const PromiseReject = Promise.reject;
const PromiseResolve = Promise.resolve;
const PromiseThen = Promise.prototype.then;
const JSONParse = JSON.parse;
const SyntaxErrorCtor = SyntaxError;
const ArrayIsArray = Array.isArray;
const DateCtor = Date;
const DateToISOString = Date.prototype.toISOString;
const NumberIsFinite = Number.isFinite;
const brand = Symbol.for(input.brandKey);
const NOTHING = ObjectFreeze({ __proto__: null });

for (const name of ${JSON.stringify(REMOVED_GLOBALS)}) ReflectDeleteProperty(G, name);

function cut(s, max) {
  return s.length > max ? ReflectApply(StringSlice, s, [0, max]) + '… [truncated]' : s;
}
function utf8Bytes(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = ReflectApply(StringCharCodeAt, s, [i]);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
function overBytes(s, max) {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return utf8Bytes(s) > max;
}
function safeString(v, fallback) {
  try {
    if (typeof v === 'string') return v;
    if (typeof v === 'symbol') return ReflectApply(SymbolToString, v, []);
    const s = StringCtor(v);
    return typeof s === 'string' ? s : fallback;
  } catch (_) {
    return fallback;
  }
}
function read(o, key) {
  try { return o[key]; } catch (_) { return undefined; }
}
function briefError(e) {
  const m = read(e, 'message');
  return cut(typeof m === 'string' ? m : safeString(e, 'unknown error'), 200);
}
function isErrorObject(e) {
  try { return e instanceof ErrorCtor; } catch (_) { return false; }
}

// ---- the host ----
// Once the host says the execution is over (or a call fails), the guest stops calling it.
let hostOpen = true;
function call(op, a, b, c, d) {
  if (!hostOpen) return undefined;
  try {
    return host(op, a, b, c, d);
  } catch (_) {
    hostOpen = false;
    return undefined;
  }
}

// ---- ctx.log ----
let logOpen = true;
function emit(level, message, fields) {
  if (!logOpen) return;
  let text = typeof message === 'string' ? message : safeString(message, '[message could not be converted to a string]');
  text = cut(text, L.messageMaxChars);
  let json = null;
  if (fields !== undefined && fields !== null) {
    let candidate;
    try {
      candidate = JSONStringify(fields);
    } catch (e) {
      candidate = undefined;
      text += ' [fields dropped: not JSON-serializable: ' + briefError(e) + ']';
    }
    if (typeof candidate === 'string') {
      if (overBytes(candidate, L.fieldsMaxBytes)) text += ' [fields dropped: more than ' + L.fieldsMaxBytes + ' bytes of JSON]';
      else json = candidate;
    }
  }
  if (call('log', level, text, json, undefined) !== true) logOpen = false;
}
function formatArgs(args) {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let s;
    if (typeof a === 'string') s = a;
    else {
      if (!isErrorObject(a)) { try { s = JSONStringify(a); } catch (_) { s = undefined; } }
      if (typeof s !== 'string') s = safeString(a, '[unprintable]');
    }
    out += (i === 0 ? '' : ' ') + s;
    if (out.length > L.messageMaxChars) break;
  }
  return out;
}
const log = ObjectFreeze({
  debug: ObjectFreeze((message, fields) => emit('debug', message, fields)),
  info: ObjectFreeze((message, fields) => emit('info', message, fields)),
  warn: ObjectFreeze((message, fields) => emit('warn', message, fields)),
  error: ObjectFreeze((message, fields) => emit('error', message, fields)),
});
let consoleObject = read(G, 'console');
if (consoleObject === null || typeof consoleObject !== 'object') {
  consoleObject = {};
  ObjectDefineProperty(G, 'console', { value: consoleObject, writable: true, configurable: true, enumerable: false });
}
for (const [method, level] of [['log', 'info'], ['info', 'info'], ['debug', 'debug'], ['warn', 'warn'], ['error', 'error'], ['trace', 'debug']]) {
  ObjectDefineProperty(consoleObject, method, { value: (...args) => emit(level, formatArgs(args), undefined), writable: true, configurable: true, enumerable: true });
}

// ---- ctx.step ----
function stepOutput(value) {
  let json;
  try { json = JSONStringify(value); } catch (e) { return '[not JSON-serializable: ' + briefError(e) + ']'; }
  if (typeof json !== 'string') return null;
  // Cut by characters first (cheap), the host cuts to exact UTF-8 bytes.
  // (one character more than fits, so the host sees it is over and marks the cut).
  return json.length > L.stepOutputMaxBytes ? ReflectApply(StringSlice, json, [0, L.stepOutputMaxBytes + 1]) : json;
}
function stepError(e) {
  let text;
  if (isErrorObject(e)) {
    const name = read(e, 'name');
    text = (typeof name === 'string' && name !== '' ? cut(name, 100) : 'Error') + ': ' + briefError(e);
  } else {
    text = 'threw ' + cut(safeString(e, 'a value that cannot be described'), 200);
  }
  return cut(text, L.stepOutputMaxBytes);
}
let stepsOpen = true;
async function step(name, fn) {
  if (typeof name !== 'string' || name.length === 0) throw new TypeErrorCtor('ctx.step(name, fn): name must be a non-empty string');
  if (typeof fn !== 'function') throw new TypeErrorCtor('ctx.step(name, fn): fn must be a function');
  // Once the host stops recording steps (over its limit), later steps run without asking it.
  const seq = stepsOpen ? call('step', cut(name, L.stepNameMaxChars), undefined, undefined, undefined) : -1;
  const recorded = typeof seq === 'number' && seq >= 0;
  if (!recorded) stepsOpen = false;
  let value;
  try {
    value = await ReflectApply(fn, undefined, []);
  } catch (e) {
    if (recorded) call('step-end', seq, 'failed', null, stepError(e));
    throw e;
  }
  if (recorded) call('step-end', seq, 'succeeded', stepOutput(value), null);
  return value;
}

// ---- ctx.sleep ----
// Resolvers by id; the host's timer calls control('wake', id). Null prototype: nothing to patch.
const sleepers = { __proto__: null };
let sleeps = 0;
function sleep(ms) {
  if (typeof ms !== 'number' || !(ms >= 0)) {
    return ReflectApply(PromiseReject, PromiseCtor, [new TypeErrorCtor('ctx.sleep(ms): ms must be a number ≥ 0, got ' + cut(safeString(ms, typeof ms), 50))]);
  }
  return new PromiseCtor((resolve) => {
    sleeps += 1;
    const id = sleeps;
    sleepers[id] = resolve;
    // Anything but true: the host is ending the execution (limit or timeout); never resolves.
    if (call('sleep', id, NumberIsFinite(ms) ? ms : 1e300, undefined, undefined) !== true) ReflectDeleteProperty(sleepers, id);
  });
}
function wake(id) {
  const resolve = sleepers[id];
  if (typeof resolve !== 'function') return;
  ReflectDeleteProperty(sleepers, id);
  resolve(undefined);
}

// ---- asynchronous calls (ctx.secrets, ctx.state, ctx.http, ctx.emit, ctx.prometheus) ----
// Settlers by id; the host calls control('settle', id, ok, text). Null prototype: nothing to patch.
const calls = { __proto__: null };
let callCount = 0;
function rejected(e) {
  return ReflectApply(PromiseReject, PromiseCtor, [e]);
}
function errorFrom(text) {
  let name = 'Error';
  let message = 'the call failed';
  try {
    const r = JSONParse(text);
    if (typeof r.name === 'string') name = r.name;
    if (typeof r.message === 'string') message = r.message;
  } catch (_) {}
  const e = name === 'TypeError' ? new TypeErrorCtor(message) : name === 'RangeError' ? new RangeErrorCtor(message) : new ErrorCtor(message);
  if (name !== 'TypeError' && name !== 'RangeError' && name !== 'Error') ObjectDefineProperty(e, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  return e;
}
function hostCall(op, args) {
  let json;
  try {
    json = JSONStringify(args);
  } catch (e) {
    return rejected(new TypeErrorCtor('the arguments are not JSON-serializable: ' + briefError(e)));
  }
  if (typeof json !== 'string') return rejected(new TypeErrorCtor('the arguments are not JSON-serializable'));
  return new PromiseCtor((resolve, reject) => {
    callCount += 1;
    const id = callCount;
    calls[id] = { __proto__: null, resolve, reject };
    const verdict = call('call', id, op, json, undefined);
    if (verdict === true) return;
    ReflectDeleteProperty(calls, id);
    // A string: the call fails at once. Anything else: the execution is ending; never settles.
    if (typeof verdict === 'string') reject(errorFrom(verdict));
  });
}
function settle(id, ok, text) {
  const pending = calls[id];
  if (pending === undefined) return;
  ReflectDeleteProperty(calls, id);
  if (ok !== true) { pending.reject(errorFrom(text)); return; }
  let value;
  try { value = JSONParse(text); } catch (_) { pending.reject(new ErrorCtor('the platform sent an unreadable answer')); return; }
  pending.resolve(value);
}
function then(p, f) {
  return ReflectApply(PromiseThen, p, [f]);
}
function isObject(v) {
  return v !== null && typeof v === 'object' && !ArrayIsArray(v);
}
function timeArg(v) {
  try {
    if (v instanceof DateCtor) return ReflectApply(DateToISOString, v, []);
  } catch (_) {}
  return v;
}

// ---- ctx.secrets ----
const secrets = ObjectFreeze({
  get: ObjectFreeze((name) => hostCall('secrets.get', { name })),
});

// ---- ctx.state ----
const state = ObjectFreeze({
  get: ObjectFreeze((key) => then(hostCall('state.get', { key }), (r) => (r !== null && r.found === true ? r.value : undefined))),
  set: ObjectFreeze((key, value) => {
    if (value === undefined) return rejected(new TypeErrorCtor('ctx.state.set(key, value): value is required (use ctx.state.delete to remove a key)'));
    return then(hostCall('state.set', { key, value }), () => undefined);
  }),
  delete: ObjectFreeze((key) => then(hostCall('state.delete', { key }), (r) => r === true)),
});

// ---- ctx.http ----
function headersArg(h) {
  if (h === undefined || h === null) return {};
  if (!isObject(h)) throw new TypeErrorCtor('headers must be an object of strings, e.g. { authorization: "Bearer …" }');
  const out = { __proto__: null };
  for (const k of ObjectKeys(h)) out[k] = safeString(read(h, k), '');
  return out;
}
function response(r) {
  const body = typeof r.body === 'string' ? r.body : '';
  const status = typeof r.status === 'number' ? r.status : 0;
  const headers = { __proto__: null };
  if (isObject(r.headers)) for (const k of ObjectKeys(r.headers)) headers[k] = safeString(r.headers[k], '');
  return ObjectFreeze({
    status,
    statusText: typeof r.statusText === 'string' ? r.statusText : '',
    ok: status >= 200 && status < 300,
    url: typeof r.url === 'string' ? r.url : '',
    headers: ObjectFreeze(headers),
    text: ObjectFreeze(() => ReflectApply(PromiseResolve, PromiseCtor, [body])),
    json: ObjectFreeze(() => {
      try { return ReflectApply(PromiseResolve, PromiseCtor, [JSONParse(body)]); } catch (e) {
        return rejected(new SyntaxErrorCtor('the response from ' + cut(safeString(r.url, ''), 200) + ' (HTTP ' + status + ') is not JSON: ' + briefError(e)));
      }
    }),
  });
}
function fetch(url, init) {
  if (typeof url !== 'string') return rejected(new TypeErrorCtor('ctx.http.fetch(url, init): url must be a string, e.g. "https://api.example.com/v1/status"'));
  const i = init === undefined || init === null ? {} : init;
  if (!isObject(i)) return rejected(new TypeErrorCtor('ctx.http.fetch(url, init): init must be an object { method, headers, body, timeoutMs }'));
  let headers;
  try { headers = headersArg(read(i, 'headers')); } catch (e) { return rejected(e); }
  const body = read(i, 'body');
  return then(hostCall('http.fetch', { url, method: read(i, 'method'), headers, body: body === undefined ? null : body, timeoutMs: read(i, 'timeoutMs'), redirect: read(i, 'redirect') }), response);
}
function statusError(res) {
  const e = new ErrorCtor('HTTP ' + res.status + (res.statusText ? ' ' + res.statusText : '') + ' from ' + cut(res.url, 200));
  ObjectDefineProperty(e, 'name', { value: 'HttpStatusError', writable: true, configurable: true, enumerable: false });
  ObjectDefineProperty(e, 'status', { value: res.status, writable: false, configurable: true, enumerable: true });
  return e;
}
function jsonOf(res) {
  if (!res.ok) throw statusError(res);
  return then(res.text(), (text) => (text === '' ? null : res.json()));
}
function withJson(init, extra) {
  const i = isObject(init) ? init : {};
  const headers = { __proto__: null, accept: 'application/json', ...extra };
  const given = read(i, 'headers');
  if (isObject(given)) for (const k of ObjectKeys(given)) headers[k] = given[k];
  return { method: read(i, 'method'), headers, timeoutMs: read(i, 'timeoutMs'), redirect: read(i, 'redirect') };
}
const http = ObjectFreeze({
  fetch: ObjectFreeze(fetch),
  getJson: ObjectFreeze((url, init) => then(fetch(url, { ...withJson(init, {}), method: 'GET' }), jsonOf)),
  postJson: ObjectFreeze((url, value, init) => {
    let body;
    try { body = JSONStringify(value === undefined ? null : value); } catch (e) { return rejected(new TypeErrorCtor('ctx.http.postJson(url, body): body is not JSON-serializable: ' + briefError(e))); }
    const i = withJson(init, { 'content-type': 'application/json' });
    return then(fetch(url, { ...i, method: typeof i.method === 'string' ? i.method : 'POST', body }), jsonOf);
  }),
});

// ---- ctx.emit ----
function emitEvent(event) {
  if (!isObject(event)) return rejected(new TypeErrorCtor("ctx.emit(event): event must be an object { labels, annotations, status }, e.g. { labels: { alertname: 'DiskCleaned' } }"));
  return hostCall('emit', { labels: read(event, 'labels'), annotations: read(event, 'annotations'), status: read(event, 'status') });
}

// ---- ctx.prometheus ----
const prometheus = ObjectFreeze({
  query: ObjectFreeze((promql, options) => hostCall('prometheus.query', { query: promql, time: isObject(options) ? timeArg(read(options, 'time')) : undefined })),
  queryRange: ObjectFreeze((promql, range) => {
    if (!isObject(range)) return rejected(new TypeErrorCtor("ctx.prometheus.queryRange(promql, range): range must be { start, end, step }, e.g. { start: new Date(Date.now() - 3600e3), end: new Date(), step: '1m' }"));
    return hostCall('prometheus.queryRange', { query: promql, start: timeArg(read(range, 'start')), end: timeArg(read(range, 'end')), step: read(range, 'step') });
  }),
});

// ---- ctx.attach ----
function attach(name, data) {
  if (typeof name !== 'string' || name.length === 0) throw new TypeErrorCtor('ctx.attach(name, data): name must be a non-empty string');
  let json;
  try {
    json = JSONStringify(data);
  } catch (e) {
    throw new TypeErrorCtor('ctx.attach(name, data): data is not JSON-serializable: ' + briefError(e));
  }
  if (typeof json !== 'string') throw new TypeErrorCtor('ctx.attach(name, data): data is not JSON-serializable (got ' + typeof data + ')');
  if (overBytes(json, L.attachmentMaxBytes)) {
    throw new RangeErrorCtor('ctx.attach: ' + JSONStringify(cut(name, 100)) + ' is ' + utf8Bytes(json) + ' bytes of JSON, over the ' + L.attachmentMaxBytes + '-byte limit per attachment');
  }
  const verdict = call('attach', cut(name, L.stepNameMaxChars), json, undefined, undefined);
  if (verdict !== '') throw new RangeErrorCtor(typeof verdict === 'string' ? verdict : 'ctx.attach: the execution is over');
}

// ---- ctx ----
function deepFreeze(v) {
  if (v !== null && typeof v === 'object') {
    for (const k of ObjectKeys(v)) deepFreeze(v[k]);
    ObjectFreeze(v);
  }
  return v;
}
const ctx = ObjectFreeze({
  event: deepFreeze(input.event),
  params: deepFreeze(input.params),
  log,
  runbook: ObjectFreeze({ name: input.runbook.name, version: input.runbook.version }),
  env: input.env,
  step: ObjectFreeze(step),
  sleep: ObjectFreeze(sleep),
  attach: ObjectFreeze(attach),
  secrets,
  state,
  http,
  emit: ObjectFreeze(emitEvent),
  prometheus,
});

// ---- errors ----
function preview(v) {
  try {
    switch (typeof v) {
      case 'string': return 'a string: ' + JSONStringify(cut(v, 500));
      case 'undefined': return 'undefined';
      case 'number': case 'boolean': case 'bigint': return typeof v + ' ' + StringCtor(v);
      case 'symbol': return 'a symbol: ' + ReflectApply(SymbolToString, v, []);
      case 'function': return 'a function';
      default: {
        if (v === null) return 'null';
        let json;
        try { json = JSONStringify(v); } catch (_) { json = undefined; }
        if (typeof json === 'string') return 'an object: ' + cut(json, 500);
        return 'an object: ' + cut(safeString(v, '[object]'), 500);
      }
    }
  } catch (_) {
    return 'a value that cannot be described';
  }
}
function describe(e, limit) {
  const max = L.errorTextMaxChars;
  if (isErrorObject(e)) {
    const name = read(e, 'name');
    const message = read(e, 'message');
    const stack = read(e, 'stack');
    return {
      __proto__: null,
      name: typeof name === 'string' && name !== '' ? cut(name, 200) : 'Error',
      message: cut(typeof message === 'string' ? message : safeString(message, ''), max),
      stack: typeof stack === 'string' ? cut(stack, max * 4) : null,
      limit: limit === undefined ? null : limit,
    };
  }
  return {
    __proto__: null,
    name: 'Error',
    message: 'threw ' + preview(e) + ' instead of an Error — throw new Error(…) to get a stack trace',
    stack: null,
    limit: null,
  };
}
function failure(e, limit) {
  let record;
  try { record = describe(e, limit); } catch (_) { record = { __proto__: null, name: 'Error', message: 'threw a value that cannot be described', stack: null, limit: null }; }
  return 'err:' + JSONStringify(record);
}
function success(value) {
  let json;
  try {
    json = JSONStringify(value);
  } catch (e) {
    return 'err:' + JSONStringify({ __proto__: null, name: 'TypeError', message: 'the result is not JSON-serializable: ' + briefError(e), stack: null, limit: null });
  }
  if (typeof json !== 'string') json = 'null';
  if (overBytes(json, L.resultMaxBytes)) {
    return 'err:' + JSONStringify({
      __proto__: null,
      name: 'ResultLimitError',
      message: 'the result is ' + utf8Bytes(json) + ' bytes of JSON, over the ' + L.resultMaxBytes + '-byte limit — return a summary and log the details',
      stack: null,
      limit: 'result',
    });
  }
  return 'ok:' + json;
}

// ---- load & run ----
let loadError = NOTHING;
ObjectDefineProperty(G, '${LOAD_ERROR_GLOBAL}', {
  value: (e) => { if (loadError === NOTHING) loadError = e; },
  writable: false, enumerable: false, configurable: true,
});

let started = false;
async function start() {
  ReflectDeleteProperty(G, '${LOAD_ERROR_GLOBAL}');
  try {
    if (loadError !== NOTHING) return failure(loadError);
    const definition = read(G, '${RUNBOOK_GLOBAL}');
    ReflectDeleteProperty(G, '${RUNBOOK_GLOBAL}');
    let handler;
    try {
      handler = definition !== null && typeof definition === 'object' && definition[brand] === true ? definition.handler : undefined;
    } catch (_) {
      handler = undefined;
    }
    if (typeof handler !== 'function') {
      return failure(new TypeErrorCtor("the script did not define a runbook: index.ts must end with export default runbook(async (ctx) => { … }) from '@wolfe/sdk'"));
    }
    const value = await ReflectApply(handler, undefined, [ctx]);
    return success(value);
  } catch (e) {
    return failure(e);
  }
}
function control(op, id, ok, text) {
  if (op === 'wake') { wake(id); return undefined; }
  if (op === 'settle') { settle(id, ok, text); return undefined; }
  if (op === 'start' && !started) { started = true; return start(); }
  return undefined;
}
return control;
`;
