import { fingerprint } from '@wolfe/events';
import { matchesLabels, type Matcher } from '@wolfe/matchers';
import { formatDuration } from '@wolfe/runbooks';
import type { InternalEvents } from './internal-events';
import type { Environment, EventRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';

/** The internal event raised while a heartbeat is missing. */
export const HEARTBEAT_MISSING = 'WolfeHeartbeatMissing';

/** A heartbeat to watch (WolfeConfig.heartbeats): an alert that must keep arriving. */
export interface HeartbeatSpec {
  readonly name: string;
  /** The matcher text as written. */
  readonly match: string;
  readonly matchers: readonly Matcher[];
  /** Only events from this source count; null = any source. */
  readonly source: string | null;
  /** It must be seen at least once per interval. */
  readonly intervalMs: number;
  /** null = every served environment. */
  readonly env: Environment | null;
}

export interface HeartbeatStatus {
  readonly name: string;
  readonly env: Environment;
  readonly lastSeenAt: string;
  readonly missing: boolean;
  /** When it became missing (last seen + interval); null while it is not. */
  readonly missingSince: string | null;
}

interface Watch {
  readonly spec: HeartbeatSpec;
  readonly env: Environment;
  lastSeenMs: number;
  missing: boolean;
  missingSince: string | null;
}

/**
 * The monitoring must be monitored: a heartbeat (e.g. Alertmanager's Watchdog) has to be
 * seen at least once per interval in its environment. When it is not (the clock starts at
 * start-up), `WolfeHeartbeatMissing` (labels alertname, heartbeat, env) is raised firing;
 * when a matching event arrives again, the same alert is raised resolved. Both are recorded
 * and routed like any alert, so runbooks can match them.
 *
 * Whether the alert is firing survives a restart (its series is read at start); when the
 * heartbeat was last seen does not: after a restart the interval starts again.
 */
export class HeartbeatMonitor {
  private readonly watches: Watch[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    specs: readonly HeartbeatSpec[],
    envs: readonly Environment[],
    private readonly store: Store,
    private readonly internal: InternalEvents,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    const now = clock.now().getTime();
    for (const spec of specs) {
      for (const env of spec.env === null ? envs : envs.filter((e) => e === spec.env)) {
        this.watches.push({ spec, env, lastSeenMs: now, missing: false, missingSince: null });
      }
    }
  }

  get size(): number {
    return this.watches.length;
  }

  /** The smallest interval (for the check timer); null without heartbeats. */
  get shortestIntervalMs(): number | null {
    return this.watches.length === 0 ? null : Math.min(...this.watches.map((w) => w.spec.intervalMs));
  }

  status(): HeartbeatStatus[] {
    return this.watches.map((w) => ({
      name: w.spec.name,
      env: w.env,
      lastSeenAt: new Date(w.lastSeenMs).toISOString(),
      missing: w.missing,
      missingSince: w.missingSince,
    }));
  }

  /** Starts every clock now, and picks up which missing-alerts were firing before a restart. */
  async start(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const w of this.watches) {
      w.lastSeenMs = now;
      const s = await this.store.series.get(w.env, fingerprint(this.labels(w)));
      if (s?.state === 'firing') {
        w.missing = true;
        w.missingSince = s.episodeStartsAt ?? s.episodeSeenAt;
      }
    }
  }

  /** Every routed event: a matching one is a heartbeat (and resolves a missing-alert). */
  seen(event: EventRecord): void {
    if (event.labels['alertname'] === HEARTBEAT_MISSING) return;
    for (const w of this.watches) {
      if (w.env !== event.env) continue;
      if (w.spec.source !== null && w.spec.source !== event.source) continue;
      if (!matchesLabels(w.spec.matchers, event.labels)) continue;
      w.lastSeenMs = Math.max(w.lastSeenMs, this.clock.now().getTime());
      if (w.missing) void this.serial(() => this.resolve(w, event));
    }
  }

  /** Raises a missing-alert for each heartbeat not seen within its interval. */
  check(): Promise<void> {
    return this.serial(async () => {
      const now = this.clock.now().getTime();
      for (const w of this.watches) {
        if (w.missing || now - w.lastSeenMs <= w.spec.intervalMs) continue;
        const since = new Date(w.lastSeenMs + w.spec.intervalMs).toISOString();
        try {
          await this.internal.raise({
            env: w.env,
            labels: this.labels(w),
            annotations: {
              summary: `heartbeat ${w.spec.name} not seen in ${w.env} for ${formatDuration(w.spec.intervalMs)} (match ${w.spec.match})`,
              last_seen: new Date(w.lastSeenMs).toISOString(),
              match: w.spec.match,
            },
            status: 'firing',
            startsAt: since,
            endsAt: null,
          });
          w.missing = true;
          w.missingSince = since;
          this.logger.warn({ heartbeat: w.spec.name, env: w.env, since }, `heartbeat ${w.spec.name} is missing in ${w.env}`);
        } catch (err) {
          this.logger.error({ heartbeat: w.spec.name, env: w.env, err: String(err) }, `could not raise ${HEARTBEAT_MISSING}; will retry`);
        }
      }
    });
  }

  private async resolve(w: Watch, event: EventRecord): Promise<void> {
    if (!w.missing) return;
    const since = w.missingSince ?? event.receivedAt;
    try {
      await this.internal.raise({
        env: w.env,
        labels: this.labels(w),
        annotations: { summary: `heartbeat ${w.spec.name} is back in ${w.env} (event ${event.id})`, last_seen: event.receivedAt, match: w.spec.match },
        status: 'resolved',
        startsAt: since,
        endsAt: event.receivedAt,
      });
      w.missing = false;
      w.missingSince = null;
      this.logger.info({ heartbeat: w.spec.name, env: w.env, eventId: event.id }, `heartbeat ${w.spec.name} is back in ${w.env}`);
    } catch (err) {
      this.logger.error({ heartbeat: w.spec.name, env: w.env, err: String(err) }, `could not raise the resolve of ${HEARTBEAT_MISSING}; the next heartbeat retries`);
    }
  }

  private labels(w: Watch): Record<string, string> {
    return { alertname: HEARTBEAT_MISSING, heartbeat: w.spec.name, env: w.env };
  }

  /** Resolves once the raises queued so far are recorded. */
  async idle(): Promise<void> {
    for (;;) {
      const chain = this.chain;
      await chain;
      if (chain === this.chain) return;
    }
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
