import { CapabilityError, type CapabilityCall, type PrometheusCapability, type PrometheusRange } from '@wolfe/application';
import { parseEgressRule } from '@wolfe/runbooks';
import { EgressClient, type EgressOptions } from './client';

/** Longest a query may take (the execution's time left caps it too). */
export const PROMETHEUS_TIMEOUT_MS = 30_000;
/** Bytes of a Prometheus answer kept (a bigger one fails the query: ask for less). */
export const PROMETHEUS_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface PrometheusOptions {
  /** Base URL from the platform's configuration, e.g. http://prometheus:9090 (a path prefix is kept). */
  readonly url: string;
  readonly lookup?: EgressOptions['lookup'];
  readonly ca?: EgressOptions['ca'];
  readonly beforeConnect?: EgressOptions['beforeConnect'];
}

/**
 * `ctx.prometheus` over Prometheus' HTTP API (`/api/v1/query`, `/api/v1/query_range`). The
 * configured server is reachable whatever the runbook's egress allowlist says (the platform
 * chose it); the request goes through the egress client with exactly that origin allowed
 * (and so to a private address only because the configuration names that host).
 */
export class PrometheusClient implements PrometheusCapability {
  private readonly base: URL;
  private readonly client: EgressClient;

  constructor(o: PrometheusOptions) {
    this.base = new URL(o.url.endsWith('/') ? o.url : `${o.url}/`);
    const host = this.base.hostname;
    const port = this.base.port === '' ? '' : `:${this.base.port}`;
    const rule = parseEgressRule(`${this.base.protocol}//${host}${port}`);
    if (typeof rule === 'string') throw new Error(`prometheus.url: ${rule}`);
    this.client = new EgressClient({
      rules: [rule],
      maxResponseBytes: PROMETHEUS_MAX_RESPONSE_BYTES,
      maxRedirects: 0,
      userAgent: 'wolfe-prometheus',
      ...(o.lookup === undefined ? {} : { lookup: o.lookup }),
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(o.beforeConnect === undefined ? {} : { beforeConnect: o.beforeConnect }),
    });
  }

  query(promql: string, time: string | null, call: CapabilityCall): Promise<unknown> {
    return this.get('query', { query: promql, ...(time === null ? {} : { time }) }, call);
  }

  queryRange(promql: string, range: PrometheusRange, call: CapabilityCall): Promise<unknown> {
    return this.get('query_range', { query: promql, start: range.start, end: range.end, step: range.step }, call);
  }

  private async get(endpoint: string, params: Record<string, string>, call: CapabilityCall): Promise<unknown> {
    const url = new URL(`api/v1/${endpoint}`, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const timeoutMs = Math.max(1, Math.min(PROMETHEUS_TIMEOUT_MS, call.timeoutMs));
    let res;
    try {
      res = await this.client.fetch({ url: url.toString(), method: 'GET', headers: { accept: 'application/json' }, body: null, timeoutMs, redirect: 'manual' }, call);
    } catch (err) {
      if (err instanceof CapabilityError) throw new CapabilityError(err.name === 'HttpTimeoutError' ? 'PrometheusTimeoutError' : 'PrometheusError', `ctx.prometheus: ${err.message.replace(/^ctx\.http: /, '')}`);
      throw err;
    }
    let answer: { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
    try {
      answer = JSON.parse(res.body) as typeof answer;
    } catch {
      throw new CapabilityError('PrometheusError', `ctx.prometheus: Prometheus answered HTTP ${res.status} without JSON`);
    }
    if (answer.status === 'success') return answer.data ?? null;
    const why = typeof answer.error === 'string' ? answer.error.slice(0, 1000) : `HTTP ${res.status}`;
    throw new CapabilityError('PrometheusError', `ctx.prometheus: ${typeof answer.errorType === 'string' ? `${answer.errorType}: ` : ''}${why}`);
  }
}
