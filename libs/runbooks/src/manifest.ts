import type { Matcher } from '@wolfe/matchers';

export type TriggerStatus = 'firing' | 'resolved' | 'any';

export interface Trigger {
  /** The matcher text exactly as written, e.g. `{alertname="DiskAlmostFull", severity=~"warning|critical"}`. */
  readonly match: string;
  readonly matchers: readonly Matcher[];
  readonly status: TriggerStatus;
  /** Only events from this source (`alertmanager`, …); null = any source. */
  readonly source: string | null;
  /**
   * `for:` — the runbook runs only once the series has been firing this long (from the
   * event's startsAt, else from when Wolfe first saw the episode); null = at once.
   */
  readonly forMs: number | null;
}

/** runbook.yaml, validated. */
export interface Manifest {
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly triggers: readonly Trigger[];
  readonly timeoutMs: number;
  readonly memoryMiB: number;
  /** `secrets:` — the names of the secrets `ctx.secrets.get` may read (of the project, per environment). */
  readonly secrets: readonly string[];
  /** `egress:` — where `ctx.http` may connect; nothing else is reachable. */
  readonly egress: readonly EgressRule[];
}

/**
 * One entry of `egress:` in runbook.yaml:
 *
 * - `api.example.com` — that host, http or https on the default port (80 / 443);
 * - `api.example.com:8443` — that host on that port, http or https;
 * - `*.internal.example.com` — any host below it (not `internal.example.com` itself);
 * - `https://hooks.slack.com` — that scheme only (and its default port, or the one given);
 * - `10.1.2.3`, `[fd00::1]:8080` — that IP address.
 *
 * Private, loopback and link-local addresses are only reachable through a rule that names the
 * exact host or IP (see docs/security.md); the check is made on the resolved address.
 */
export interface EgressRule {
  /** The entry as written. */
  readonly text: string;
  /** null = http or https. */
  readonly scheme: 'http' | 'https' | null;
  /** Lower-case host name (for a wildcard: the part after `*.`), or an IP address (IPv6 without brackets, as the URL parser writes it). */
  readonly host: string;
  readonly wildcard: boolean;
  /** null = the scheme's default port. */
  readonly port: number | null;
}

/** A problem in a runbook folder: names the file, the field (dotted path) and the fix. */
export interface RunbookProblem {
  readonly file: string;
  /** e.g. `triggers[0].match`; null when the problem is the file as a whole. */
  readonly field: string | null;
  readonly line: number | null;
  readonly message: string;
}
