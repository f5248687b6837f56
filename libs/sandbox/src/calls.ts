import { Buffer } from 'node:buffer';
import {
  CapabilityError,
  HTTP_DEFAULT_TIMEOUT_MS,
  HTTP_MAX_HEADER_BYTES,
  HTTP_MAX_HEADERS,
  HTTP_MAX_REQUEST_BYTES,
  HTTP_METHODS,
  PROMETHEUS_MAX_QUERY_CHARS,
  STATE_MAX_KEY_CHARS,
  type CapabilityCall,
  type HttpMethod,
  type RunbookCapabilities,
} from '@wolfe/application';
import type { Redactor } from './redact';

/**
 * The host side of the asynchronous `ctx` calls (`ctx.secrets`, `ctx.state`, `ctx.http`,
 * `ctx.emit`, `ctx.prometheus`): checks the guest's arguments (already parsed and sanitized
 * JSON) and calls the execution's capability. Resolves with a JSON-serializable value for
 * the guest; rejects with a {@link CapabilityError} whose name and message the guest sees.
 */
export const CALL_OPS = ['secrets.get', 'state.get', 'state.set', 'state.delete', 'http.fetch', 'emit', 'prometheus.query', 'prometheus.queryRange'] as const;
export type CallOp = (typeof CALL_OPS)[number];

export function isCallOp(v: unknown): v is CallOp {
  return typeof v === 'string' && (CALL_OPS as readonly string[]).includes(v);
}

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** Where each op is shown to the runbook. */
const API: Readonly<Record<CallOp, string>> = {
  'secrets.get': 'ctx.secrets.get',
  'state.get': 'ctx.state.get',
  'state.set': 'ctx.state.set',
  'state.delete': 'ctx.state.delete',
  'http.fetch': 'ctx.http.fetch',
  emit: 'ctx.emit',
  'prometheus.query': 'ctx.prometheus.query',
  'prometheus.queryRange': 'ctx.prometheus.queryRange',
};

export function apiName(op: CallOp): string {
  return API[op];
}

const typeError = (message: string) => new CapabilityError('TypeError', message);

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function stringMap(v: unknown, what: string, redactor: Redactor | null): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(`${what} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== 'string') throw typeError(`${what}.${k.slice(0, 100)} must be a string`);
    out[redactor === null ? k : redactor.text(k)] = redactor === null ? s : redactor.text(s);
  }
  return out;
}

function key(v: unknown, api: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > STATE_MAX_KEY_CHARS) throw typeError(`${api}(key): key must be a string of 1 to ${STATE_MAX_KEY_CHARS} characters`);
  return v;
}

function unavailable(api: string): CapabilityError {
  return new CapabilityError('CapabilityUnavailableError', `${api} is not available in this run (a dry run, or the platform does not offer it)`);
}

function timeString(v: unknown, what: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length <= 64 && /^[0-9A-Za-z:.+-]+$/.test(v)) return v;
  throw typeError(`${what} must be a Date, an RFC 3339 time or Unix seconds`);
}

/** Performs one call. `redactor` has every secret the execution read so far. */
export async function performCall(op: CallOp, args: unknown, caps: RunbookCapabilities | undefined, call: CapabilityCall, redactor: Redactor): Promise<unknown> {
  const a = record(args);
  const api = API[op];
  switch (op) {
    case 'secrets.get': {
      const name = a['name'];
      if (typeof name !== 'string' || !SECRET_NAME.test(name)) throw typeError(`${api}(name): name must be a secret name (letters, digits and _), e.g. SLACK_TOKEN`);
      if (!caps?.secrets) throw unavailable(api);
      const value = await caps.secrets.get(name, call);
      if (typeof value !== 'string') throw new CapabilityError('SecretNotFoundError', `secret ${name} has no value`);
      // Known before the guest sees it: everything it produces from now on is redacted.
      redactor.add(name, value);
      return value;
    }
    case 'state.get': {
      const k = key(a['key'], api);
      if (!caps?.state) throw unavailable(api);
      const r = await caps.state.get(k, call);
      return r.found ? { found: true, value: r.value } : { found: false };
    }
    case 'state.set': {
      const k = key(a['key'], api);
      if (!('value' in a) || a['value'] === undefined) throw typeError(`${api}(key, value): value is required (use ctx.state.delete to remove a key)`);
      if (!caps?.state) throw unavailable(api);
      await caps.state.set(redactor.text(k), redactor.json(a['value']), call);
      return null;
    }
    case 'state.delete': {
      const k = key(a['key'], api);
      if (!caps?.state) throw unavailable(api);
      return await caps.state.delete(k, call);
    }
    case 'http.fetch': {
      const url = a['url'];
      if (typeof url !== 'string' || url.length === 0 || url.length > 8192) throw typeError(`${api}(url): url must be an absolute http(s) URL (a string of at most 8192 characters)`);
      const method = (typeof a['method'] === 'string' ? a['method'] : 'GET').toUpperCase();
      if (!(HTTP_METHODS as readonly string[]).includes(method)) throw typeError(`${api}: method must be one of ${HTTP_METHODS.join(', ')}`);
      const headers = stringMap(a['headers'], 'headers', null);
      const names = Object.keys(headers);
      if (names.length > HTTP_MAX_HEADERS) throw typeError(`${api}: at most ${HTTP_MAX_HEADERS} headers`);
      const lower: Record<string, string> = {};
      for (const n of names) {
        const value = headers[n] ?? '';
        if (!HEADER_NAME.test(n)) throw typeError(`${api}: ${JSON.stringify(n.slice(0, 100))} is not a valid header name`);
        if (/[\r\n\0]/.test(value) || Buffer.byteLength(value) > HTTP_MAX_HEADER_BYTES) throw typeError(`${api}: header ${n} must be at most ${HTTP_MAX_HEADER_BYTES} bytes without line breaks`);
        lower[n.toLowerCase()] = value;
      }
      const body = a['body'];
      if (body !== undefined && body !== null && typeof body !== 'string') throw typeError(`${api}: body must be a string (use ctx.http.postJson for JSON, or JSON.stringify)`);
      if (typeof body === 'string' && Buffer.byteLength(body) > HTTP_MAX_REQUEST_BYTES) throw new CapabilityError('RangeError', `${api}: the body is more than ${HTTP_MAX_REQUEST_BYTES} bytes`);
      if (typeof body === 'string' && (method === 'GET' || method === 'HEAD')) throw typeError(`${api}: a ${method} request has no body`);
      const asked = a['timeoutMs'];
      if (asked !== undefined && asked !== null && !(typeof asked === 'number' && asked > 0 && Number.isFinite(asked))) throw typeError(`${api}: timeoutMs must be a positive number`);
      const redirect = a['redirect'] === 'manual' ? 'manual' : 'follow';
      if (!caps?.http) throw unavailable(api);
      const timeoutMs = Math.max(1, Math.min(typeof asked === 'number' ? asked : HTTP_DEFAULT_TIMEOUT_MS, call.timeoutMs));
      return await caps.http.fetch({ url, method: method as HttpMethod, headers: lower, body: typeof body === 'string' ? body : null, timeoutMs, redirect }, call);
    }
    case 'emit': {
      const labels = stringMap(a['labels'], 'labels', redactor);
      if (Object.keys(labels).length === 0) throw typeError(`${api}(event): event.labels must name the event, e.g. { alertname: 'DiskCleaned' }`);
      const annotations = stringMap(a['annotations'], 'annotations', redactor);
      const status = a['status'] === undefined || a['status'] === null ? 'firing' : a['status'];
      if (status !== 'firing' && status !== 'resolved') throw typeError(`${api}(event): status must be firing or resolved`);
      if (!caps?.emit) throw unavailable(api);
      return await caps.emit.emit({ labels, annotations, status }, call);
    }
    case 'prometheus.query':
    case 'prometheus.queryRange': {
      const query = a['query'];
      if (typeof query !== 'string' || query.trim() === '' || query.length > PROMETHEUS_MAX_QUERY_CHARS) throw typeError(`${api}(promql): promql must be a query of at most ${PROMETHEUS_MAX_QUERY_CHARS} characters`);
      // The platform's Prometheus is not on the runbook's egress allowlist: no secret goes there.
      if (redactor.contains(query)) throw new CapabilityError('SecretLeakError', `${api}: the query contains a secret this execution read; secrets only go to the hosts of its egress allowlist`);
      if (!caps?.prometheus) throw unavailable(api);
      if (op === 'prometheus.query') {
        const time = a['time'] === undefined || a['time'] === null ? null : timeString(a['time'], 'time');
        return await caps.prometheus.query(query, time, call);
      }
      const range = { start: timeString(a['start'], 'start'), end: timeString(a['end'], 'end'), step: timeString(a['step'], 'step') };
      return await caps.prometheus.queryRange(query, range, call);
    }
  }
}
