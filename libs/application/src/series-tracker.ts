import { DEFAULT_FLAPPING, evaluateFlapping, formatWindow, observe, type FlappingConfig, type Observation, type Series } from '@wolfe/series';
import type { InternalEvents } from './internal-events';
import type { Environment, EventRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';

/** Labels of the internal event raised while a series flaps. */
export const SERIES_FLAPPING = 'WolfeSeriesFlapping';

/** How often a compare-and-set on one series is retried before routing gives up (and retries later). */
const MAX_ATTEMPTS = 25;

export interface SeriesObservation {
  readonly previous: Series | null;
  readonly observation: Observation;
}

/**
 * Keeps every series' state in the store: observes each routed event (compare-and-set on
 * the series version, retried, so concurrent events of one series never lose a transition)
 * and raises `WolfeSeriesFlapping` when a series starts or stops flapping. A timer
 * (`recheckFlapping`) ends the flapping of series that went quiet.
 */
/** lastSeenAt is kept to this precision: re-sends within it do not rewrite the series. */
const LAST_SEEN_GRANULARITY_MS = 60_000;

export class SeriesTracker {
  constructor(
    private readonly store: Store,
    private readonly internal: InternalEvents,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly flapping: FlappingConfig = DEFAULT_FLAPPING,
  ) {}

  async observe(event: EventRecord): Promise<SeriesObservation> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const previous = await this.store.series.get(event.env, event.fingerprint);
      const now = this.clock.now();
      const observation = observe(previous, event, now, this.flapping);
      // A re-send of the current state changes nothing but lastSeenAt (informational): skip
      // the write (a commit per duplicate) unless lastSeenAt is more than a minute behind.
      if (
        previous !== null &&
        (observation.change === 'repeat' || observation.change === 'resolved_repeat') &&
        observation.flapping === null &&
        now.getTime() - Date.parse(previous.lastSeenAt) < LAST_SEEN_GRANULARITY_MS
      ) {
        return { previous, observation: { ...observation, next: previous } };
      }
      if (await this.store.series.put(observation.next, previous?.version ?? null)) {
        if (observation.flapping !== null) await this.announce(previous, observation.next, observation.flapping);
        return { previous, observation };
      }
    }
    throw new Error(`series ${event.env}/${event.fingerprint} changed ${MAX_ATTEMPTS} times while event ${event.id} was observed; it will be routed again`);
  }

  /** Ends flapping for series whose transitions left the window (no event needed). */
  async recheckFlapping(limit = 500): Promise<number> {
    let stopped = 0;
    for (const s of await this.store.series.listFlapping(limit)) {
      const r = evaluateFlapping(s, this.clock.now(), this.flapping);
      if (r.flapping === null) continue;
      // A conflict means an event of this series is being routed: it re-evaluates anyway.
      if (!(await this.store.series.put(r.next, s.version))) continue;
      await this.announce(s, r.next, r.flapping);
      stopped += 1;
    }
    return stopped;
  }

  /** The reason a flapping series' automation is held back, for the explanation. */
  describeFlapping(s: Series): string {
    return `suppressed: the series is flapping (${formatWindow(this.flapping)}; flapping since ${s.flappingSince ?? 'now'}); automation resumes once it settles`;
  }

  private async announce(previous: Series | null, next: Series, change: 'started' | 'stopped'): Promise<void> {
    const alertname = next.labels['alertname'] ?? '';
    this.logger.warn(
      { env: next.env, fingerprint: next.fingerprint, alertname, flapping: change },
      `series ${alertname || next.fingerprint} in ${next.env} ${change === 'started' ? 'started' : 'stopped'} flapping (${formatWindow(this.flapping)})`,
    );
    // Flapping of the flapping alert itself is suppressed like any other, but not announced
    // again: that would feed itself.
    if (alertname === SERIES_FLAPPING) return;
    const since = change === 'started' ? next.flappingSince : previous?.flappingSince;
    const now = this.clock.now().toISOString();
    try {
      await this.internal.raise({
        env: next.env as Environment,
        labels: { alertname: SERIES_FLAPPING, series_alertname: alertname, series_fingerprint: next.fingerprint },
        annotations: {
          summary:
            change === 'started'
              ? `${alertname || next.fingerprint} is flapping: ${formatWindow(this.flapping)}; its automation is suppressed`
              : `${alertname || next.fingerprint} stopped flapping; its automation runs again`,
          series_labels: JSON.stringify(next.labels),
        },
        status: change === 'started' ? 'firing' : 'resolved',
        startsAt: since ?? now,
        endsAt: change === 'started' ? null : now,
      });
    } catch (err) {
      // The series state is saved; only the announcement is lost (logged, not retried).
      this.logger.error({ env: next.env, fingerprint: next.fingerprint, err: String(err) }, `could not raise ${SERIES_FLAPPING}`);
    }
  }
}
