import { evaluateFlapping, historyLimit, observe, recentTransitions, seenEpisode, type ObservedEvent, type Series } from './series';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const at = (sec: number): string => new Date(T0 + sec * 1000).toISOString();
const cfg = { transitions: 6, windowMs: 10 * 60_000 };

let n = 0;
const ev = (status: 'firing' | 'resolved', startsAt: string | null, receivedSec: number): ObservedEvent => ({
  id: `e${++n}`,
  env: 'prod',
  fingerprint: 'fp',
  labels: { alertname: 'DiskAlmostFull' },
  status,
  startsAt,
  receivedAt: at(receivedSec),
});

/** Feeds events in order; returns every observation. */
function run(events: ObservedEvent[]) {
  let s: Series | null = null;
  return events.map((e) => {
    const o = observe(s, e, e.receivedAt, cfg);
    s = o.next;
    return o;
  });
}

describe('observe: episodes', () => {
  it('starts an episode, treats re-sends of it as repeats and resolves it', () => {
    const [a, b, c, d] = run([ev('firing', at(0), 1), ev('firing', at(0), 60), ev('resolved', at(0), 120), ev('resolved', at(0), 121)]);
    expect(a).toMatchObject({ change: 'new_episode', episode: at(0), flapping: null, next: { state: 'firing', version: 1, episodeStartsAt: at(0), episodeSeenAt: at(1) } });
    expect(b).toMatchObject({ change: 'repeat', episode: at(0), next: { state: 'firing', version: 2, lastSeenAt: at(60) } });
    expect(c).toMatchObject({ change: 'resolved', episode: at(0), next: { state: 'resolved', version: 3 } });
    expect(d).toMatchObject({ change: 'resolved_repeat', episode: at(0), next: { state: 'resolved' } });
    expect(d?.next.transitions.map((t) => t.to)).toEqual(['firing', 'resolved']);
  });

  it('takes a newer startsAt as a new episode, and an older one as stale (nothing changes)', () => {
    const [, b, c, d] = run([ev('firing', at(0), 1), ev('firing', at(300), 301), ev('firing', at(0), 302), ev('resolved', at(0), 303)]);
    expect(b).toMatchObject({ change: 'new_episode', episode: at(300) });
    expect(c).toMatchObject({ change: 'stale', episode: at(0), next: { state: 'firing', episode: at(300) } });
    expect(c?.reason).toMatch(/^stale: startsAt .* is before the current episode started/);
    expect(d).toMatchObject({ change: 'stale', next: { state: 'firing', episode: at(300) } });
    expect(d?.next.transitions).toHaveLength(2);
  });

  it('fires again after a resolve only with a later startsAt; a late re-send of the resolved episode is stale', () => {
    const [, , c, d] = run([ev('firing', at(0), 1), ev('resolved', at(0), 60), ev('firing', at(0), 61), ev('firing', at(100), 101)]);
    expect(c).toMatchObject({ change: 'stale', next: { state: 'resolved' } });
    expect(d).toMatchObject({ change: 'new_episode', episode: at(100), next: { state: 'firing' } });
  });

  it('names episodes without startsAt by when Wolfe first saw them, and keeps re-notifications in them', () => {
    const [a, b, c, d, e] = run([ev('firing', null, 1), ev('firing', null, 30), ev('resolved', null, 60), ev('firing', null, 90), ev('firing', at(0), 91)]);
    expect(a).toMatchObject({ change: 'new_episode', episode: seenEpisode(at(1)) });
    expect(b).toMatchObject({ change: 'repeat', episode: seenEpisode(at(1)) });
    expect(c).toMatchObject({ change: 'resolved', episode: seenEpisode(at(1)) });
    expect(d).toMatchObject({ change: 'new_episode', episode: seenEpisode(at(90)) });
    // A startsAt before Wolfe first saw the episode: the same episode, seen late.
    expect(e).toMatchObject({ change: 'repeat', episode: seenEpisode(at(90)) });
  });

  it('keeps a source startsAt episode when a re-notification comes without one (Datadog)', () => {
    const [, b] = run([ev('firing', at(0), 1), ev('firing', null, 60)]);
    expect(b).toMatchObject({ change: 'repeat', episode: at(0) });
  });

  it('handles a first resolve and a resolve of an episode it never saw fire', () => {
    const [a, b] = run([ev('resolved', at(0), 1), ev('resolved', at(500), 501)]);
    expect(a).toMatchObject({ change: 'resolved', next: { state: 'resolved' } });
    expect(b).toMatchObject({ change: 'resolved', episode: at(500), next: { state: 'resolved', episode: at(500) } });
  });

  it('is idempotent: observing the same event again adds no transition', () => {
    const first = ev('firing', at(0), 1);
    const o1 = observe(null, first, at(1), cfg);
    const o2 = observe(o1.next, first, at(2), cfg);
    expect(o2).toMatchObject({ change: 'repeat', episode: o1.episode });
    expect(o2.next.transitions).toEqual(o1.next.transitions);
    const resolve = ev('resolved', at(0), 5);
    const o3 = observe(o2.next, resolve, at(5), cfg);
    expect(observe(o3.next, resolve, at(6), cfg)).toMatchObject({ change: 'resolved_repeat' });
  });

  it('refuses an event of another series', () => {
    const o = observe(null, ev('firing', at(0), 1), at(1), cfg);
    expect(() => observe(o.next, { ...ev('firing', at(0), 2), fingerprint: 'other' }, at(2), cfg)).toThrow(/does not belong/);
  });
});

describe('observe: flapping', () => {
  /** firing/resolved alternating every `everySec`, new startsAt each time it fires. */
  const flap = (count: number, everySec: number, from = 0): ObservedEvent[] =>
    Array.from({ length: count }, (_, i) => {
      const t = from + i * everySec;
      const episodeStart = from + Math.floor(i / 2) * 2 * everySec;
      return ev(i % 2 === 0 ? 'firing' : 'resolved', at(episodeStart), t);
    });

  it('starts flapping at the 6th transition within 10 minutes, not before', () => {
    const obs = run(flap(6, 60));
    expect(obs.slice(0, 5).map((o) => o.flapping)).toEqual([null, null, null, null, null]);
    expect(obs[5]).toMatchObject({ flapping: 'started', next: { flapping: true, flappingSince: at(300) } });
  });

  it('does not flap when the same transitions are spread wider than the window', () => {
    const obs = run(flap(12, 150));
    expect(obs.every((o) => o.flapping === null && !o.next.flapping)).toBe(true);
  });

  it('counts repeats not as transitions', () => {
    const events = [ev('firing', at(0), 0), ...Array.from({ length: 20 }, (_, i) => ev('firing', at(0), i + 1))];
    expect(run(events).every((o) => !o.next.flapping)).toBe(true);
  });

  it('counts new episodes without resolves (send_resolved: false) as transitions', () => {
    const obs = run(Array.from({ length: 6 }, (_, i) => ev('firing', at(i * 60), i * 60)));
    expect(obs[5]?.flapping).toBe('started');
  });

  it('stops once the count in the window falls below the threshold, by event or by timer', () => {
    const obs = run(flap(6, 60));
    const flapping = obs[5]?.next as Series;
    // Still flapping 1 minute later: 6 transitions within the last 10 minutes.
    expect(evaluateFlapping(flapping, at(360), cfg)).toEqual({ next: flapping, flapping: null });
    // The first transition (t=0) leaves the window at t=600.
    const stopped = evaluateFlapping(flapping, at(601), cfg);
    expect(stopped).toMatchObject({ flapping: 'stopped', next: { flapping: false, flappingSince: null, version: flapping.version + 1 } });
    // The same through an event: a re-sent resolve at t=601 ends it too.
    const byEvent = observe(flapping, ev('resolved', at(240), 601), at(601), cfg);
    expect(byEvent).toMatchObject({ change: 'resolved_repeat', flapping: 'stopped' });
  });

  it('keeps flapping while transitions keep coming, and reports start only once', () => {
    const obs = run(flap(20, 30));
    expect(obs.filter((o) => o.flapping === 'started')).toHaveLength(1);
    expect(obs.filter((o) => o.flapping === 'stopped')).toHaveLength(0);
    expect(obs[19]?.next.flapping).toBe(true);
    expect(obs[19]?.next.flappingSince).toBe(obs[5]?.next.flappingSince);
  });

  it('honours a configured threshold and window', () => {
    let s: Series | null = null;
    const results = flap(3, 1).map((e) => {
      const o = observe(s, e, e.receivedAt, { transitions: 3, windowMs: 5000 });
      s = o.next;
      return o.flapping;
    });
    expect(results).toEqual([null, null, 'started']);
  });

  it('bounds the history', () => {
    const obs = run(flap(100, 1));
    expect(obs[99]?.next.transitions).toHaveLength(historyLimit(cfg));
    expect(recentTransitions(obs[99]?.next.transitions ?? [], T0 + 99_000, 10_000)).toBe(10);
  });
});
