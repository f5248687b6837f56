import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { DatadogSourceConfig, GrafanaSourceConfig, PagerDutySourceConfig, SourcesConfig } from '../config';

/**
 * Signature checks at the edge, over the raw body bytes as received, with constant-time
 * comparisons. A source with a configured secret is authenticated by its signature instead
 * of the admin token (webhook senders such as PagerDuty cannot send our token). Reasons
 * name the header and what is wrong; they never contain a secret or the expected value.
 */
export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface SignatureVerifier {
  /** The header(s) the verifier reads, for messages and docs. */
  readonly describe: string;
  verify(headers: IncomingHttpHeaders, body: Buffer, nowMs: number): SignatureCheck;
}

const OK: SignatureCheck = { ok: true };
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

function hmac(secret: string, ...parts: (string | Buffer)[]): Buffer {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Constant-time equality of a hex signature and the expected digest (false for malformed hex). */
function hexMatches(hex: string, expected: Buffer): boolean {
  if (!HEX_SHA256.test(hex)) return false;
  const got = Buffer.from(hex, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Constant-time equality of two strings of any length (compares SHA-256 digests). */
export function constantTimeEquals(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

// ---------------------------------------------------------------------------------------------
// Grafana: hex(HMAC-SHA256(secret, [timestamp + ":"] + body)), timestamp = Unix seconds.

/** Grafana versions that leave the header field empty send this name (grafana/alerting http/hmac.go). */
const GRAFANA_LEGACY_HEADER = 'X-Grafana-Alert-Signature';

export function grafanaVerifier(cfg: GrafanaSourceConfig): SignatureVerifier {
  const fallback = cfg.header.toLowerCase() === 'x-grafana-alerting-signature' ? GRAFANA_LEGACY_HEADER : null;
  return {
    describe: cfg.header,
    verify(headers, body, nowMs) {
      const sig = header(headers, cfg.header) ?? (fallback ? header(headers, fallback) : undefined);
      if (sig === undefined || sig.trim() === '') {
        return { ok: false, reason: `missing ${cfg.header} header: set the HMAC signature (secret, header ${cfg.header}) on the Grafana webhook contact point` };
      }
      const ts = header(headers, cfg.timestampHeader)?.trim();
      if (ts !== undefined && !/^\d{1,12}$/.test(ts)) {
        return { ok: false, reason: `${cfg.timestampHeader} must be a Unix timestamp in seconds` };
      }
      const expected = ts === undefined ? hmac(cfg.secret, body) : hmac(cfg.secret, ts, ':', body);
      if (!hexMatches(sig.trim(), expected)) {
        return {
          ok: false,
          reason: `${cfg.header} does not match the configured secret (expected the hex HMAC-SHA256 of ${ts === undefined ? 'the body' : `the ${cfg.timestampHeader} value, ":" and the body`})`,
        };
      }
      if (ts !== undefined) {
        const ageMs = nowMs - Number(ts) * 1000;
        if (ageMs > cfg.maxSkewMs) {
          return { ok: false, reason: `${cfg.timestampHeader} is ${Math.round(ageMs / 1000)} s old; older than ${cfg.maxSkewMs / 1000} s (sources.grafana.maxSkew) is refused as a possible replay: check the clocks of Grafana and Wolfe` };
        }
        if (-ageMs > cfg.maxSkewMs) {
          return { ok: false, reason: `${cfg.timestampHeader} is ${Math.round(-ageMs / 1000)} s in the future; more than ${cfg.maxSkewMs / 1000} s (sources.grafana.maxSkew) is refused: check the clocks of Grafana and Wolfe` };
        }
      }
      return OK;
    },
  };
}

/** Signs like Grafana does (tests, benchmarks, docs). */
export function signGrafana(secret: string, body: string | Buffer, timestampSeconds?: number): string {
  return (timestampSeconds === undefined ? hmac(secret, body) : hmac(secret, String(timestampSeconds), ':', body)).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// PagerDuty: X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, body)>[,v1=<hex>…]

const PAGERDUTY_HEADER = 'X-PagerDuty-Signature';

export function pagerdutyVerifier(cfg: PagerDutySourceConfig): SignatureVerifier {
  return {
    describe: PAGERDUTY_HEADER,
    verify(headers, body) {
      const value = header(headers, PAGERDUTY_HEADER);
      if (value === undefined || value.trim() === '') {
        return { ok: false, reason: `missing ${PAGERDUTY_HEADER} header: PagerDuty v3 webhooks are signed; check that the subscription is a v3 webhook` };
      }
      const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
      const v1 = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
      if (v1.length === 0) {
        const versions = [...new Set(parts.map((p) => p.split('=')[0] ?? ''))].join(', ');
        return { ok: false, reason: `${PAGERDUTY_HEADER} has no v1= signature (found: ${versions || 'nothing'})` };
      }
      // Every secret against every signature: PagerDuty sends one signature per active
      // secret during its rotation, and we may hold the old and the new one.
      let matched = false;
      for (const secret of cfg.secrets) {
        const expected = hmac(secret, body);
        for (const sig of v1) if (hexMatches(sig, expected)) matched = true;
      }
      return matched ? OK : { ok: false, reason: `${PAGERDUTY_HEADER} does not match any configured secret` };
    },
  };
}

/** Signs like PagerDuty does, one `v1=` per secret. */
export function signPagerDuty(secrets: readonly string[], body: string | Buffer): string {
  return secrets.map((s) => `v1=${hmac(s, body).toString('hex')}`).join(',');
}

// ---------------------------------------------------------------------------------------------
// Datadog: a shared secret in a custom header (Datadog does not sign bodies).

export function datadogVerifier(cfg: DatadogSourceConfig): SignatureVerifier {
  return {
    describe: cfg.header,
    verify(headers) {
      const value = header(headers, cfg.header);
      if (value === undefined || value === '') {
        return { ok: false, reason: `missing ${cfg.header} header: add it with the shared secret under Custom Headers of the Datadog webhook (sources.datadog.header)` };
      }
      return constantTimeEquals(value, cfg.secret) ? OK : { ok: false, reason: `${cfg.header} does not match the configured secret` };
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** The verifier per intake source that has a secret configured. */
export function signatureVerifiers(sources: SourcesConfig): ReadonlyMap<string, SignatureVerifier> {
  const out = new Map<string, SignatureVerifier>();
  if (sources.grafana) out.set('grafana', grafanaVerifier(sources.grafana));
  if (sources.pagerduty) out.set('pagerduty', pagerdutyVerifier(sources.pagerduty));
  if (sources.datadog) out.set('datadog', datadogVerifier(sources.datadog));
  return out;
}

/** Sources whose intake route is authenticated by signature instead of the admin token. */
export function signedSources(sources: SourcesConfig): ReadonlySet<string> {
  return new Set(signatureVerifiers(sources).keys());
}
