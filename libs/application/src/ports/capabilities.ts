import type { AlertStatus, Labels } from '@wolfe/events';

/**
 * The host side of the runbook capabilities (`ctx.secrets`, `ctx.state`, `ctx.http`,
 * `ctx.emit`, `ctx.prometheus`), built per execution and handed to the sandbox in
 * `SandboxRequest.capabilities`. The sandbox validates the guest's arguments (types and
 * sizes), counts every call against the host-call limit, bounds it by the execution's wall
 * clock (`CapabilityCall`), redacts the secrets the execution read from everything it keeps,
 * and passes only the message of a {@link CapabilityError} back to the runbook: any other
 * error becomes a generic message (host details never reach a runbook).
 *
 * The platform's implementations live in ../capabilities (over the store and ports for
 * encryption and egress); `wolfe test` implements the same interfaces with fakes.
 */

/** Every capability call gets the execution's signal (aborted when it ends) and its time left. */
export interface CapabilityCall {
  /** Aborted when the execution ends (outcome, limit, interruption): stop the work. */
  readonly signal: AbortSignal;
  /** Milliseconds left of the execution's wall-clock limit when the call was made. */
  readonly timeoutMs: number;
}

/**
 * What a capability throws to refuse or fail a call: `name` (e.g. `EgressDeniedError`) and
 * `message` are shown to the runbook as the rejected promise's error, so the message must say
 * what went wrong and how to fix it, and must hold no host detail (paths, addresses of the
 * platform, stack) and no secret.
 */
export class CapabilityError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = /^[A-Z][A-Za-z]{0,60}Error$/.test(name) ? name : 'CapabilityError';
  }
}

export interface SecretsCapability {
  /**
   * The value of a secret the runbook's manifest declares (`secrets:` in runbook.yaml), for the
   * execution's project and environment. Throws a CapabilityError when it is not declared
   * (`SecretNotDeclaredError`) or not set (`SecretNotFoundError`).
   */
  get(name: string, call: CapabilityCall): Promise<string>;
}

export type StateGetResult = { readonly found: true; readonly value: unknown } | { readonly found: false };

export interface StateCapability {
  get(key: string, call: CapabilityCall): Promise<StateGetResult>;
  /** `value` is JSON already sanitized (and redacted) by the sandbox. */
  set(key: string, value: unknown, call: CapabilityCall): Promise<void>;
  /** Returns whether the key was there. */
  delete(key: string, call: CapabilityCall): Promise<boolean>;
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface HttpRequestSpec {
  /** Absolute http(s) URL. */
  readonly url: string;
  readonly method: HttpMethod;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** UTF-8 text, or null. */
  readonly body: string | null;
  /** Milliseconds; the implementation also never waits past the execution's time left. */
  readonly timeoutMs: number;
  /** `follow`: redirects are followed (each hop checked like the first request); `manual`: a 3xx is returned as is. */
  readonly redirect: 'follow' | 'manual';
}

export interface HttpResponseSpec {
  readonly status: number;
  readonly statusText: string;
  /** The final URL (after redirects). */
  readonly url: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text (bounded by the implementation, e.g. 1 MiB). */
  readonly body: string;
}

export interface HttpCapability {
  /** Refuses (CapabilityError `EgressDeniedError`) anything outside the runbook's egress allowlist. */
  fetch(request: HttpRequestSpec, call: CapabilityCall): Promise<HttpResponseSpec>;
}

/** An event a runbook raises (`ctx.emit`). */
export interface EmitSpec {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status: AlertStatus;
}

export interface EmitCapability {
  /** Records the event and routes it; refuses (`EmitLimitError`) past the chain depth or the per-execution limit. */
  emit(event: EmitSpec, call: CapabilityCall): Promise<{ readonly id: string }>;
}

export interface PrometheusRange {
  /** RFC 3339 or Unix seconds, as Prometheus takes them. */
  readonly start: string;
  readonly end: string;
  /** A Prometheus duration (`30s`, `1m`) or seconds. */
  readonly step: string;
}

export interface PrometheusCapability {
  /** `/api/v1/query`: the `data` of Prometheus' answer (`{ resultType, result }`). */
  query(promql: string, time: string | null, call: CapabilityCall): Promise<unknown>;
  /** `/api/v1/query_range`: the `data` of Prometheus' answer. */
  queryRange(promql: string, range: PrometheusRange, call: CapabilityCall): Promise<unknown>;
}

/** What one execution may use beyond log, steps, sleep and attachments. Absent = unavailable. */
export interface RunbookCapabilities {
  readonly secrets?: SecretsCapability;
  readonly state?: StateCapability;
  readonly http?: HttpCapability;
  readonly emit?: EmitCapability;
  readonly prometheus?: PrometheusCapability;
}
