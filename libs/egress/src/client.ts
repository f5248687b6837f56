import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  CapabilityError,
  HTTP_MAX_REDIRECTS,
  HTTP_MAX_RESPONSE_BYTES,
  type CapabilityCall,
  type HttpCapability,
  type HttpMethod,
  type HttpRequestSpec,
  type HttpResponseSpec,
} from '@wolfe/application';
import type { EgressRule } from '@wolfe/runbooks';
import { isIpLiteral } from './address';
import { addressAllowed, matchTarget, shownHost, type Target } from './policy';

/** Resolves a host name to its addresses (default: the system resolver, `dns.lookup` with `all`). */
export type Lookup = (hostname: string) => Promise<readonly { readonly address: string; readonly family: number }[]>;

export const systemLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface EgressOptions {
  /** Where requests may go: the runbook's `egress:` entries (the platform's own targets get an equivalent rule). */
  readonly rules: readonly EgressRule[];
  /** Name resolution (tests inject a fake: there is no DNS here). */
  readonly lookup?: Lookup;
  /** Bytes of a response body kept; a bigger body fails the call (default 1 MiB). */
  readonly maxResponseBytes?: number;
  /** Redirects followed (default 5), each hop checked like the first request. */
  readonly maxRedirects?: number;
  /** Trusted CA certificates for https (default: Node's). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Called with the address right before a connection is opened to it; may throw to stop it (a test's safety net). */
  readonly beforeConnect?: (address: string, port: number) => void;
  /** `user-agent` sent when the runbook sets none. */
  readonly userAgent?: string;
}

/** Headers the platform sets (or refuses): a runbook setting them could reach another virtual host, smuggle or upgrade. */
const PLATFORM_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'keep-alive', 'expect', 'accept-encoding', 'http2-settings']);
/** Headers kept when a redirect leaves the origin (everything else, e.g. authorization and cookies, is dropped). */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-language', 'user-agent', 'content-type']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const denied = (reason: string) => new CapabilityError('EgressDeniedError', `ctx.http: ${reason}`);

interface Exchange {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * `ctx.http` (the HttpCapability port) over node:http / node:https, for one runbook's egress
 * allowlist:
 *
 * - the URL's scheme, host and port must match an egress rule;
 * - the host is resolved ONCE, every resolved address is checked ({@link addressAllowed}:
 *   loopback, private, link-local, metadata … need a rule naming the exact host or IP), and
 *   the connection goes to that checked address (no second lookup: no DNS rebinding), with
 *   the name as TLS server name and Host header;
 * - redirects are followed hop by hop, each hop checked the same way; a redirect that leaves
 *   the origin drops every header but accept / user-agent / content-type;
 * - no proxy (HTTP_PROXY & co. are never read), no keep-alive, no compression (identity);
 * - the response body is bounded, the whole call by its timeout and the execution's signal.
 */
export class EgressClient implements HttpCapability {
  private readonly lookup: Lookup;
  private readonly maxResponseBytes: number;
  private readonly maxRedirects: number;

  constructor(private readonly o: EgressOptions) {
    this.lookup = o.lookup ?? systemLookup;
    this.maxResponseBytes = o.maxResponseBytes ?? HTTP_MAX_RESPONSE_BYTES;
    this.maxRedirects = o.maxRedirects ?? HTTP_MAX_REDIRECTS;
  }

  async fetch(spec: HttpRequestSpec, call: CapabilityCall): Promise<HttpResponseSpec> {
    for (const name of Object.keys(spec.headers)) {
      if (PLATFORM_HEADERS.has(name) || name.startsWith('proxy-')) throw new CapabilityError('TypeError', `ctx.http: the header ${name} is set by the platform; leave it out`);
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, Math.max(1, spec.timeoutMs));
    const onAbort = () => controller.abort();
    call.signal.addEventListener('abort', onAbort, { once: true });
    if (call.signal.aborted) controller.abort();
    try {
      return await this.follow(spec, controller.signal);
    } catch (err) {
      if (err instanceof CapabilityError) throw err;
      if (timedOut) throw new CapabilityError('HttpTimeoutError', `ctx.http: no complete answer within ${spec.timeoutMs} ms`);
      if (call.signal.aborted) throw new CapabilityError('AbortError', 'ctx.http: the execution ended');
      throw err;
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
    }
  }

  private async follow(spec: HttpRequestSpec, signal: AbortSignal): Promise<HttpResponseSpec> {
    let url = spec.url;
    let method: HttpMethod = spec.method;
    let headers: Record<string, string> = { ...spec.headers };
    let body = spec.body;
    for (let hop = 0; ; hop++) {
      const m = matchTarget(url, this.o.rules);
      if (!m.ok) throw denied(hop === 0 ? `${shownUrl(url)} ${m.reason}` : `a redirect to ${shownUrl(url)} was refused: it ${m.reason}`);
      const address = await this.resolve(m.target, m.rules, signal);
      const res = await this.exchange(m.target, address, method, headers, body, signal);
      const location = res.headers['location'];
      if (spec.redirect !== 'follow' || !REDIRECTS.has(res.status) || location === undefined) {
        return { status: res.status, statusText: res.statusText, url: m.target.url.toString(), headers: res.headers, body: res.body };
      }
      if (hop >= this.maxRedirects) throw new CapabilityError('HttpRedirectError', `ctx.http: more than ${this.maxRedirects} redirects (last to ${shownUrl(location, url)})`);
      let next: URL;
      try {
        next = new URL(location, m.target.url);
      } catch {
        throw new CapabilityError('HttpRedirectError', `ctx.http: ${shownHost(m.target)} redirected to an invalid location`);
      }
      if ((res.status === 303 && method !== 'HEAD') || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
        delete headers['content-type'];
      }
      if (next.origin !== m.target.url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => CROSS_ORIGIN_HEADERS.has(k) && (k !== 'content-type' || body !== null)));
      url = next.toString();
    }
  }

  /** Resolves once and checks every address; returns the one to connect to. */
  private async resolve(target: Target, rules: readonly EgressRule[], signal: AbortSignal): Promise<string> {
    let addresses: readonly string[];
    if (target.ip) {
      addresses = [target.host];
    } else {
      let found: readonly { readonly address: string }[];
      try {
        found = await abortable(this.lookup(target.host), signal);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new CapabilityError('HttpNetworkError', `ctx.http: ${target.host} does not resolve`);
      }
      addresses = found.map((a) => a.address).filter((a) => isIpLiteral(a));
      if (addresses.length === 0) throw new CapabilityError('HttpNetworkError', `ctx.http: ${target.host} does not resolve`);
    }
    // Every address must be allowed: a name that resolves to a public AND a private address is refused.
    for (const a of addresses) {
      const r = addressAllowed(a, target, rules);
      if (!r.ok) throw denied(r.reason);
    }
    return addresses[0] as string;
  }

  /** One request to `address` (already checked), its body read whole within the bound. */
  private exchange(target: Target, address: string, method: HttpMethod, headers: Record<string, string>, body: string | null, signal: AbortSignal): Promise<Exchange> {
    this.o.beforeConnect?.(address, target.port);
    const payload = body === null ? null : Buffer.from(body, 'utf8');
    const hostHeader = target.url.host;
    const outgoing: Record<string, string> = {
      'user-agent': this.o.userAgent ?? 'wolfe-runbook',
      ...headers,
      host: hostHeader,
      'accept-encoding': 'identity',
      connection: 'close',
      ...(payload === null ? {} : { 'content-length': String(payload.length) }),
    };
    // Never resolves a name: the connection goes to the checked address.
    const noLookup: LookupFunction = (_hostname, _options, callback) => callback(new Error('egress: no lookup after the check'), '', 4);
    const common = {
      host: address,
      port: target.port,
      method,
      path: `${target.url.pathname}${target.url.search}`,
      headers: outgoing,
      setHost: false,
      lookup: noLookup,
      signal,
      insecureHTTPParser: false,
    };
    return new Promise<Exchange>((resolve, reject) => {
      const onResponse = (res: http.IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const responseHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
        const base = { status, statusText: res.statusMessage ?? '', headers: responseHeaders };
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            res.destroy();
            req.destroy();
            reject(new CapabilityError('HttpResponseTooLargeError', `ctx.http: the answer of ${shownHost(target)} is more than ${this.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ ...base, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(networkError(err, target, signal)));
      };
      const req =
        target.scheme === 'https'
          ? https.request({ ...common, agent: false, ...(target.ip ? {} : { servername: target.host }), ...(this.o.ca === undefined ? {} : { ca: this.o.ca as string | Buffer | (string | Buffer)[] }) }, onResponse)
          : http.request({ ...common, agent: false }, onResponse);
      req.on('error', (err) => reject(networkError(err, target, signal)));
      if (payload !== null) req.end(payload);
      else req.end();
    });
  }
}

/** The scheme and host of a URL, for messages (never its path or query: they may hold a secret). */
function shownUrl(url: string, base?: string): string {
  try {
    const u = new URL(url, base);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the URL';
  }
}

function networkError(err: unknown, target: Target, signal: AbortSignal): Error {
  if (signal.aborted) return err instanceof Error ? err : new Error(String(err));
  const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
  const what: Record<string, string> = {
    ECONNREFUSED: 'refused the connection',
    ECONNRESET: 'reset the connection',
    EHOSTUNREACH: 'is unreachable',
    ENETUNREACH: 'is unreachable',
    ETIMEDOUT: 'did not answer in time',
    EPIPE: 'closed the connection',
    HPE_INVALID_CONSTANT: 'sent an answer that is not HTTP',
  };
  const why = what[code] ?? (code !== '' ? `failed (${code})` : 'failed');
  // Never the raw message: it names the address connected to.
  return new CapabilityError('HttpNetworkError', `ctx.http: ${shownHost(target)} ${why}`);
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
