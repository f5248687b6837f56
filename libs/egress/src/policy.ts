import type { EgressRule } from '@wolfe/runbooks';
import { canonicalAddress, classifyAddress, isIpLiteral, type AddressVerdict } from './address';

/** A URL `ctx.http` may try: scheme, host (lower case, no brackets, no trailing dot), port. */
export interface Target {
  readonly url: URL;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** The host is an IP address literal. */
  readonly ip: boolean;
}

export type TargetResult = { readonly ok: true; readonly target: Target; readonly rules: readonly EgressRule[] } | { readonly ok: false; readonly reason: string };

const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** Host as the runbook should see it in messages (never the path or query: they may hold a secret). */
export function shownHost(target: Pick<Target, 'scheme' | 'host' | 'port'>): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return target.port === DEFAULT_PORT[target.scheme] ? `${target.scheme}://${host}` : `${target.scheme}://${host}:${target.port}`;
}

/** Parses `url` and finds the egress rules that allow its scheme, host and port (before any DNS). */
export function matchTarget(url: string, rules: readonly EgressRule[]): TargetResult {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: 'is not an absolute URL, e.g. https://api.example.com/v1/status' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: `uses ${u.protocol} — ctx.http speaks http and https only` };
  if (u.username !== '' || u.password !== '') return { ok: false, reason: 'has credentials in it (user:password@); send them in a header instead' };
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  let host = u.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') return { ok: false, reason: 'has no host' };
  const port = u.port === '' ? DEFAULT_PORT[scheme] : Number(u.port);
  const ip = isIpLiteral(host);
  const target: Target = { url: u, scheme, host: ip ? canonicalAddress(host) : host, port, ip };
  const matched = rules.filter((r) => ruleMatches(r, target));
  if (matched.length === 0) {
    const listed = rules.length === 0 ? 'runbook.yaml has no egress: entries' : `egress: allows ${rules.map((r) => r.text).join(', ')}`;
    return { ok: false, reason: `is not in the runbook's egress allowlist (${listed}); add it to egress: in runbook.yaml` };
  }
  return { ok: true, target, rules: matched };
}

function ruleMatches(rule: EgressRule, t: Target): boolean {
  if (rule.scheme !== null && rule.scheme !== t.scheme) return false;
  if ((rule.port ?? DEFAULT_PORT[t.scheme]) !== t.port) return false;
  if (rule.wildcard) return !t.ip && t.host.endsWith(`.${rule.host}`);
  return isIpLiteral(rule.host) ? t.ip && canonicalAddress(rule.host) === t.host : rule.host === t.host;
}

/**
 * Whether a resolved `address` of `target` may be connected to, given the rules that matched
 * the URL: a public address through any of them; a loopback / private one only through a rule
 * naming this exact host or IP; link-local and metadata addresses only through a rule naming
 * this exact IP; unspecified, multicast and reserved ones never.
 */
export function addressAllowed(address: string, target: Target, rules: readonly EgressRule[]): { readonly ok: true } | { readonly ok: false; readonly verdict: AddressVerdict; readonly reason: string } {
  const verdict = classifyAddress(address);
  const namesIp = rules.some((r) => !r.wildcard && isIpLiteral(r.host) && canonicalAddress(r.host) === canonicalAddress(address));
  const namesHost = rules.some((r) => !r.wildcard && !isIpLiteral(r.host) && r.host === target.host);
  switch (verdict.reach) {
    case 'public':
      return { ok: true };
    case 'named':
      if (namesIp || namesHost) return { ok: true };
      return { ok: false, verdict, reason: `${shownHost(target)} ${target.ip ? 'is' : 'resolves to'} a ${verdict.kind} address, which only an egress entry naming that exact host or IP may reach (a wildcard never does)` };
    case 'ip':
      if (namesIp) return { ok: true };
      return { ok: false, verdict, reason: `${shownHost(target)} ${target.ip ? 'is' : 'resolves to'} a ${verdict.kind} address, which only an egress entry naming that exact IP may reach` };
    case 'never':
      return { ok: false, verdict, reason: `${shownHost(target)} ${target.ip ? 'is' : 'resolves to'} a ${verdict.kind} address, which is never reachable` };
  }
}
