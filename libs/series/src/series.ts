import type { AlertStatus, Labels } from '@wolfe/events';

/** Where a series is now: its last episode is firing, or it resolved. */
export type SeriesState = AlertStatus;

/** What one event did to its series. */
export type SeriesChange = 'new_episode' | 'repeat' | 'resolved' | 'resolved_repeat' | 'stale';

/** Whether this observation started or stopped the series' flapping. */
export type FlappingChange = 'started' | 'stopped' | null;

export interface FlappingConfig {
  /** Transitions (`new_episode` or `resolved`) within `windowMs` that make a series flapping. */
  readonly transitions: number;
  readonly windowMs: number;
}

export const DEFAULT_FLAPPING: FlappingConfig = Object.freeze({ transitions: 6, windowMs: 10 * 60_000 });

/** Transitions kept per series at least (more when `transitions` asks for more). */
export const MIN_HISTORY = 20;

export const historyLimit = (config: FlappingConfig): number => Math.max(MIN_HISTORY, config.transitions);

export interface SeriesTransition {
  /** When Wolfe received the event that made it (ISO-8601). */
  readonly at: string;
  readonly to: SeriesState;
  readonly episode: string;
  readonly eventId: string;
}

/** One label set in one environment, with its state and a bounded history. */
export interface Series {
  readonly env: string;
  readonly fingerprint: string;
  /** The label set (identical for every event of the series). */
  readonly labels: Labels;
  readonly state: SeriesState;
  /** The current (or last) episode: its `startsAt`, or `seen:<ISO time>` when the source gave none. */
  readonly episode: string;
  readonly episodeStartsAt: string | null;
  /** When Wolfe first saw the current episode. */
  readonly episodeSeenAt: string;
  readonly lastEventId: string;
  readonly lastSeenAt: string;
  /** Oldest first, at most `historyLimit(config)` entries. */
  readonly transitions: readonly SeriesTransition[];
  readonly flapping: boolean;
  /** When the current flapping period started; null when not flapping. */
  readonly flappingSince: string | null;
  /** Incremented by every observation (compare-and-set in the store). */
  readonly version: number;
}

/** What the series needs to know about an event. */
export interface ObservedEvent {
  readonly id: string;
  readonly env: string;
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly status: AlertStatus;
  readonly startsAt: string | null;
  readonly receivedAt: string;
}

export interface Observation {
  readonly next: Series;
  readonly change: SeriesChange;
  readonly flapping: FlappingChange;
  /** The episode this event belongs to (part of the dedup key of what it starts). */
  readonly episode: string;
  /** In words, e.g. `repeat of the firing episode that started 2026-…`. */
  readonly reason: string;
}

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  return t;
};

const iso = (t: Date | string): string => (typeof t === 'string' ? new Date(ms(t)).toISOString() : t.toISOString());

/** `seen:<ISO>` episodes have no startsAt: Wolfe's first sighting names them. */
export const seenEpisode = (at: string): string => `seen:${iso(at)}`;

/** The start of an episode in ms: its startsAt, or when Wolfe first saw it. */
export function episodeStartMs(s: Pick<Series, 'episodeStartsAt' | 'episodeSeenAt'>): number {
  return ms(s.episodeStartsAt ?? s.episodeSeenAt);
}

/** Transitions within (now - windowMs, now] (later ones count too: clocks differ). */
export function recentTransitions(transitions: readonly SeriesTransition[], nowMs: number, windowMs: number): number {
  let n = 0;
  for (const t of transitions) if (ms(t.at) > nowMs - windowMs) n += 1;
  return n;
}

/** `6 transitions within 10m` */
export function formatWindow(config: FlappingConfig): string {
  const w = config.windowMs;
  const text = w % 3_600_000 === 0 ? `${w / 3_600_000}h` : w % 60_000 === 0 ? `${w / 60_000}m` : w % 1000 === 0 ? `${w / 1000}s` : `${w}ms`;
  return `${config.transitions} transitions within ${text}`;
}

function withFlapping(next: Series, prevFlapping: boolean, nowMs: number, config: FlappingConfig): { next: Series; flapping: FlappingChange } {
  const count = recentTransitions(next.transitions, nowMs, config.windowMs);
  const flapping = count >= config.transitions;
  if (flapping === prevFlapping) return { next: { ...next, flapping, flappingSince: flapping ? next.flappingSince : null }, flapping: null };
  if (flapping) {
    const last = next.transitions[next.transitions.length - 1];
    return { next: { ...next, flapping: true, flappingSince: last ? last.at : new Date(nowMs).toISOString() }, flapping: 'started' };
  }
  return { next: { ...next, flapping: false, flappingSince: null }, flapping: 'stopped' };
}

/**
 * Re-checks flapping without an event (a timer): a series that went quiet stops flapping
 * once fewer than `transitions` transitions remain in the window. Version is bumped only
 * when something changed.
 */
export function evaluateFlapping(series: Series, now: Date | string, config: FlappingConfig = DEFAULT_FLAPPING): { next: Series; flapping: FlappingChange } {
  const r = withFlapping(series, series.flapping, ms(iso(now)), config);
  return r.flapping === null ? { next: series, flapping: null } : { next: { ...r.next, version: series.version + 1 }, flapping: r.flapping };
}

/**
 * Applies one event to its series (null: the first event of this label set). Pure: the
 * same inputs give the same result, so re-observing an event after a crash is harmless
 * (a second look at the same event is a `repeat`, `resolved_repeat` or `stale`, and adds
 * no transition).
 */
export function observe(series: Series | null, event: ObservedEvent, now: Date | string, config: FlappingConfig = DEFAULT_FLAPPING): Observation {
  if (series !== null && (series.env !== event.env || series.fingerprint !== event.fingerprint)) {
    throw new Error(`event ${event.id} (${event.env}/${event.fingerprint}) does not belong to series ${series.env}/${series.fingerprint}`);
  }
  const nowMs = ms(iso(now));
  const at = iso(event.receivedAt);
  const startsAt = event.startsAt === null ? null : iso(event.startsAt);
  const base = {
    env: event.env,
    fingerprint: event.fingerprint,
    labels: event.labels,
    lastEventId: event.id,
    lastSeenAt: series === null || ms(series.lastSeenAt) < ms(at) ? at : series.lastSeenAt,
  };

  /** A transition: the series changes state or starts a new episode. */
  const transition = (change: 'new_episode' | 'resolved', to: SeriesState, episode: string, episodeStartsAt: string | null, episodeSeenAt: string, reason: string): Observation => {
    const limit = historyLimit(config);
    const transitions = [...(series?.transitions ?? []), { at, to, episode, eventId: event.id }].slice(-limit);
    const next: Series = {
      ...base,
      state: to,
      episode,
      episodeStartsAt,
      episodeSeenAt,
      transitions,
      flapping: series?.flapping ?? false,
      flappingSince: series?.flappingSince ?? null,
      version: (series?.version ?? 0) + 1,
    };
    const f = withFlapping(next, series?.flapping ?? false, nowMs, config);
    return { next: f.next, change, flapping: f.flapping, episode, reason };
  };

  /** No transition: the state stays, only "last seen" moves. */
  const same = (change: 'repeat' | 'resolved_repeat' | 'stale', episode: string, reason: string): Observation => {
    const s = series as Series;
    const next: Series = { ...s, ...base, version: s.version + 1 };
    const f = withFlapping(next, s.flapping, nowMs, config);
    return { next: f.next, change, flapping: f.flapping, episode, reason };
  };

  if (series === null) {
    const episode = startsAt ?? seenEpisode(at);
    return event.status === 'firing'
      ? transition('new_episode', 'firing', episode, startsAt, at, `first firing of this label set (episode ${describeEpisode(episode)})`)
      : transition('resolved', 'resolved', episode, startsAt, at, `resolved; Wolfe had not seen this label set firing`);
  }

  const current = episodeStartMs(series);
  const describeCurrent = describeEpisode(series.episode);
  if (event.status === 'firing') {
    if (startsAt === null) {
      // No startsAt: while the series fires, it is the same problem (e.g. a re-notification).
      if (series.state === 'firing') return same('repeat', series.episode, `repeat of the firing episode ${describeCurrent} (the event has no startsAt)`);
      const episode = seenEpisode(at);
      return transition('new_episode', 'firing', episode, null, at, `fires again after the resolve of ${describeCurrent} (no startsAt: episode ${describeEpisode(episode)})`);
    }
    const t = ms(startsAt);
    if (series.state === 'firing') {
      if (startsAt === series.episodeStartsAt || (series.episodeStartsAt === null && t <= current)) {
        return same('repeat', series.episode, `repeat of the firing episode ${describeCurrent}`);
      }
      if (t > current) return transition('new_episode', 'firing', startsAt, startsAt, at, `new episode: startsAt ${startsAt} is after the current episode ${describeCurrent}`);
      return same('stale', startsAt, `stale: startsAt ${startsAt} is before the current episode ${describeCurrent}`);
    }
    // The series is resolved: only a later episode fires again.
    if (t > current) return transition('new_episode', 'firing', startsAt, startsAt, at, `new episode: fires again (startsAt ${startsAt}) after the resolve of ${describeCurrent}`);
    return same('stale', startsAt, `stale: episode ${startsAt} already resolved (current episode ${describeCurrent} is resolved)`);
  }

  // resolved
  if (startsAt === null) {
    if (series.state === 'firing') return transition('resolved', 'resolved', series.episode, series.episodeStartsAt, series.episodeSeenAt, `resolves the firing episode ${describeCurrent}`);
    return same('resolved_repeat', series.episode, `repeat of the resolve of ${describeCurrent}`);
  }
  const t = ms(startsAt);
  const sameEpisode = startsAt === series.episodeStartsAt || (series.episodeStartsAt === null && t <= current);
  if (sameEpisode) {
    if (series.state === 'firing') return transition('resolved', 'resolved', series.episode, series.episodeStartsAt, series.episodeSeenAt, `resolves the firing episode ${describeCurrent}`);
    return same('resolved_repeat', series.episode, `repeat of the resolve of ${describeCurrent}`);
  }
  if (t > current) {
    // A whole episode Wolfe never saw firing; it ends whatever was current.
    if (series.state === 'firing') return transition('resolved', 'resolved', startsAt, startsAt, at, `resolved episode ${startsAt} (Wolfe did not see it fire); the series was firing in episode ${describeCurrent}`);
    const next: Series = { ...series, ...base, episode: startsAt, episodeStartsAt: startsAt, episodeSeenAt: at, version: series.version + 1 };
    const f = withFlapping(next, series.flapping, nowMs, config);
    return { next: f.next, change: 'resolved', flapping: f.flapping, episode: startsAt, reason: `resolved episode ${startsAt}, which Wolfe did not see fire` };
  }
  return same('stale', startsAt, `stale: resolve of episode ${startsAt}, which is before the current episode ${describeCurrent}`);
}

/** `2026-11-21T10:00:00.000Z` or `first seen 2026-…` for episodes without startsAt. */
export function describeEpisode(episode: string): string {
  return episode.startsWith('seen:') ? `first seen ${episode.slice(5)}` : `started ${episode}`;
}
