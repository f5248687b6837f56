/** Bounds of the runbook capabilities (documented in docs/authoring.md and the SDK). */

/** `ctx.state`: characters of a key. */
export const STATE_MAX_KEY_CHARS = 256;
/** `ctx.state`: bytes of a value's JSON. */
export const STATE_MAX_VALUE_BYTES = 64 * 1024;
/** `ctx.state`: keys per (project, runbook, environment). */
export const STATE_MAX_KEYS = 1_000;

/** `ctx.http`: bytes of a request body. */
export const HTTP_MAX_REQUEST_BYTES = 1024 * 1024;
/** `ctx.http`: bytes of a response body kept (a bigger one fails the call). */
export const HTTP_MAX_RESPONSE_BYTES = 1024 * 1024;
/** `ctx.http`: timeout of a request when the runbook gives none (the execution's time left caps it anyway). */
export const HTTP_DEFAULT_TIMEOUT_MS = 30_000;
/** `ctx.http`: redirects followed, each one checked like the first request. */
export const HTTP_MAX_REDIRECTS = 5;
/** `ctx.http`: headers per request, and bytes of one header value. */
export const HTTP_MAX_HEADERS = 64;
export const HTTP_MAX_HEADER_BYTES = 16 * 1024;

/** `ctx.emit`: events one execution may raise. */
export const EMIT_MAX_PER_EXECUTION = 10;
/**
 * `ctx.emit`: how many runbooks may emit in one chain (an alert → runbook A emits → runbook B
 * emits → runbook C emits: depth 3). An execution started by an event at this depth cannot emit.
 */
export const EMIT_MAX_CHAIN_DEPTH = 3;
/** The annotation that carries the chain of an emitted event: `project/runbook` names, oldest first, comma-separated. Set by the platform only. */
export const EMIT_CHAIN_ANNOTATION = 'wolfe_emit_chain';
/** Source of events raised by `ctx.emit`: `runbook:<project>/<runbook>`. */
export const RUNBOOK_SOURCE_PREFIX = 'runbook:';

/** Secrets: characters of a value (fewer cannot be redacted reliably) and bytes at most. */
export const SECRET_MIN_VALUE_CHARS = 4;
export const SECRET_MAX_VALUE_BYTES = 8 * 1024;

/** `ctx.prometheus`: characters of a query. */
export const PROMETHEUS_MAX_QUERY_CHARS = 16 * 1024;
