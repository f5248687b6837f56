import type { Series } from '@wolfe/series';
import type {
  CandidateExplanation,
  DeliveryQuery,
  DeliveryRecord,
  EventDecision,
  EventQuery,
  EventRecord,
  ExecutionError,
  ExecutionQuery,
  ExecutionRecord,
  ExecutionStatus,
  Page,
  Store,
} from '@wolfe/application';
import { describeCapabilityStoreContract } from './capabilities-contract';
import { leaseFor, makeAttachment, makeDelivery, makeEvent, makeExecution, makeLog, makePending, makeProject, makeSeries, makeStep, OWNER, ts } from './fixtures';
import { testId, testIdAt } from './test-ids';

/** One fresh, empty store for one test, plus what the suite needs around it. */
export interface StoreUnderTest {
  readonly store: Store;
  /**
   * Opens a new Store on the same underlying storage (same file, same database). The
   * suite closes `store` first; this proves that what was written survives a close.
   */
  reopen(): Promise<Store>;
  /** Closes every store this handle opened (close is idempotent) and deletes the storage. */
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

/** Per-test timeout: generous, because a networked adapter (MongoDB) runs the same suite. */
const T = 30_000;

const ids = <T extends { readonly id: string }>(items: readonly T[]): string[] => items.map((i) => i.id);
const newestFirst = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

/**
 * Follows `next` until it is null, checking the page invariants on the way: never more
 * than `limit` items, `next` is the last id of a full page, and no page is empty unless it
 * is the only one.
 */
async function collectPages<T extends { readonly id: string }>(
  limit: number,
  fetch: (cursor: string | null) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 1000; pages++) {
    const page: Page<T> = await fetch(cursor);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (pages > 1) expect(page.items.length).toBeGreaterThan(0);
    items.push(...page.items);
    if (page.next === null) return { items, pages };
    expect(page.items).toHaveLength(limit);
    expect(page.next).toBe(page.items[page.items.length - 1]?.id);
    cursor = page.next;
  }
  throw new Error('pagination did not terminate after 1000 pages');
}

const unicodeLabels = {
  alertname: 'Überlast',
  'служба': 'платежи',
  team: '運用チーム',
  emoji: '🚨🔥 on fire',
  'dotted.name': 'a.b.c',
  $dollar: '$set',
  quote: 'say "hi" \\ \' `tick`',
  newline: 'line1\nline2\ttab',
  empty: '',
  nul: 'before\u0000after',
};

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    }, T);

    afterEach(async () => {
      await subject.cleanup();
    }, T);

    describe('deliveries', () => {
      it(
        'records an accepted delivery with its events and reads both back exactly',
        async () => {
          const { delivery, events } = makeDelivery(2);
          await store.deliveries.record(delivery, events);
          expect(await store.deliveries.get(delivery.id)).toStrictEqual(delivery);
          for (const e of events) expect(await store.events.get(e.id)).toStrictEqual(e);
        },
        T,
      );

      it(
        'records a rejected delivery without events, keeping the raw body and the error',
        async () => {
          const { delivery } = makeDelivery(0, { body: 'not json at all: {', contentType: null });
          await store.deliveries.record(delivery, []);
          const got = await store.deliveries.get(delivery.id);
          expect(got).toStrictEqual(delivery);
          expect(got?.outcome).toBe('rejected');
          expect(got?.eventIds).toEqual([]);
        },
        T,
      );

      it(
        'returns null for unknown ids',
        async () => {
          expect(await store.deliveries.get(testId())).toBeNull();
          expect(await store.events.get(testId())).toBeNull();
          expect(await store.executions.get(testId())).toBeNull();
        },
        T,
      );

      it(
        'is atomic: when one event cannot be written, neither the delivery nor any of its events is',
        async () => {
          const first = makeDelivery(1);
          await store.deliveries.record(first.delivery, first.events);
          const clash = first.events[0];
          if (!clash) throw new Error('fixture has no event');

          const second = makeDelivery(2);
          const [fresh] = second.events;
          if (!fresh) throw new Error('fixture has no event');
          // The second event reuses an id that is already taken.
          const duplicate = { ...makeEvent(second.delivery.id), id: clash.id };
          const delivery = { ...second.delivery, eventIds: [fresh.id, duplicate.id] };
          await expect(store.deliveries.record(delivery, [fresh, duplicate])).rejects.toThrow();

          expect(await store.deliveries.get(delivery.id)).toBeNull();
          expect(await store.events.get(fresh.id)).toBeNull();
          expect(await store.events.get(clash.id)).toStrictEqual(clash);
          expect(await store.deliveries.get(first.delivery.id)).toStrictEqual(first.delivery);
        },
        T,
      );

      it(
        'rejects a delivery id that is already recorded and writes none of its events',
        async () => {
          const first = makeDelivery(1);
          await store.deliveries.record(first.delivery, first.events);
          const again = makeDelivery(1, { id: first.delivery.id, body: 'second' });
          await expect(store.deliveries.record(again.delivery, again.events)).rejects.toThrow();
          expect(await store.deliveries.get(first.delivery.id)).toStrictEqual(first.delivery);
          for (const e of again.events) expect(await store.events.get(e.id)).toBeNull();
        },
        T,
      );

      it(
        'rejects events that belong to another delivery',
        async () => {
          const { delivery, events } = makeDelivery(1);
          const stray = makeEvent(testId());
          await expect(
            store.deliveries.record({ ...delivery, eventIds: [...delivery.eventIds, stray.id] }, [...events, stray]),
          ).rejects.toThrow();
          expect(await store.deliveries.get(delivery.id)).toBeNull();
        },
        T,
      );

      it(
        'fails only the offending write when concurrent records race (others are kept)',
        async () => {
          const taken = makeDelivery(1);
          await store.deliveries.record(taken.delivery, taken.events);
          const takenId = taken.events[0]?.id;
          if (!takenId) throw new Error('fixture has no event');

          const batch = Array.from({ length: 12 }, () => makeDelivery(2));
          const bad = batch[5];
          if (!bad) throw new Error('fixture');
          const badEvent = { ...makeEvent(bad.delivery.id), id: takenId };
          const badDelivery = { ...bad.delivery, eventIds: [takenId] };
          const outcomes = await Promise.allSettled(
            batch.map((d, i) =>
              i === 5 ? store.deliveries.record(badDelivery, [badEvent]) : store.deliveries.record(d.delivery, d.events),
            ),
          );
          expect(outcomes.map((o) => o.status)).toEqual(batch.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
          for (const [i, d] of batch.entries()) {
            if (i === 5) {
              expect(await store.deliveries.get(d.delivery.id)).toBeNull();
              continue;
            }
            expect(await store.deliveries.get(d.delivery.id)).toStrictEqual(d.delivery);
            for (const e of d.events) expect(await store.events.get(e.id)).toStrictEqual(e);
          }
        },
        T,
      );

      it(
        'round-trips unicode, quotes, odd label names and NUL characters exactly',
        async () => {
          const { delivery, events } = makeDelivery(
            1,
            { body: '{"alerts":[{"labels":{"emoji":"🚨"}}]} ünïcødé', source: 'webhook/ünï' },
            { labels: unicodeLabels, annotations: { description: 'Ж ✓ 👍 "quoted"' }, sourceFingerprint: null, startsAt: null, sourceUrl: null },
          );
          await store.deliveries.record(delivery, events);
          expect(await store.deliveries.get(delivery.id)).toStrictEqual(delivery);
          const [event] = events;
          if (!event) throw new Error('fixture');
          const got = await store.events.get(event.id);
          expect(got).toStrictEqual(event);
          // Label order is part of "exactly": the fingerprint UI shows them as sent.
          expect(Object.keys(got?.labels ?? {})).toEqual(Object.keys(unicodeLabels));
        },
        T,
      );

      it(
        'lists deliveries newest first with outcome/source/env filters across pages',
        async () => {
          const all: DeliveryRecord[] = [];
          for (let d = 0; d < 12; d++) {
            const env = (['dev', 'test', 'prod'] as const)[d % 3] ?? 'prod';
            const source = d % 2 ? 'grafana' : 'alertmanager';
            const { delivery, events } = makeDelivery(d % 4 === 0 ? 0 : 1, { env, source, body: `body ${d} ünï` });
            await store.deliveries.record(delivery, events);
            all.push(delivery);
          }
          const filters: Omit<DeliveryQuery, 'limit' | 'cursor'>[] = [
            {},
            { outcome: 'rejected' },
            { outcome: 'accepted', source: 'grafana' },
            { source: 'alertmanager', env: 'dev' },
            { env: 'prod', outcome: 'rejected' },
          ];
          for (const filter of filters) {
            const want = all
              .filter(
                (d) =>
                  (filter.outcome === undefined || d.outcome === filter.outcome) &&
                  (filter.source === undefined || d.source === filter.source) &&
                  (filter.env === undefined || d.env === filter.env),
              )
              .map((d) => d.id)
              .sort(newestFirst);
            expect(want.length).toBeGreaterThan(0);
            for (const limit of [1, 2, want.length, want.length + 1]) {
              const { items } = await collectPages(limit, (cursor) => store.deliveries.list({ ...filter, cursor, limit }));
              expect({ filter, limit, ids: ids(items) }).toEqual({ filter, limit, ids: want });
            }
          }
          const rejected = await store.deliveries.list({ outcome: 'rejected', limit: 1 });
          expect(rejected.items[0]).toStrictEqual(all.filter((d) => d.outcome === 'rejected').sort((a, b) => newestFirst(a.id, b.id))[0]);
          expect(await store.deliveries.list({ source: 'nobody', limit: 5 })).toStrictEqual({ items: [], next: null });
          await expect(store.deliveries.list({ limit: 0 })).rejects.toThrow();
        },
        T,
      );
    });

    describe('events', () => {
      const decisions: readonly (EventDecision | null)[] = ['matched', 'unmatched', 'deduplicated', null];
      const envs = ['dev', 'test', 'prod'] as const;
      const sources = ['grafana', 'alertmanager'] as const;

      /** 24 events over 12 deliveries, with every combination of env/source/decision. */
      async function seedEvents(): Promise<EventRecord[]> {
        const all: EventRecord[] = [];
        for (let d = 0; d < 12; d++) {
          const env = envs[d % 3] ?? 'prod';
          const source = sources[d % 2] ?? 'grafana';
          const { delivery, events } = makeDelivery(2, { env, source }, { receivedAt: ts(d) });
          await store.deliveries.record(delivery, events);
          all.push(...events);
        }
        const decided: EventRecord[] = [];
        for (const [i, e] of all.entries()) {
          const decision = decisions[i % 4] ?? null;
          if (decision === null) {
            decided.push(e);
            continue;
          }
          await store.events.recordDecision(e.id, decision, [], [], ts(1000 + i));
          decided.push({ ...e, decision, decidedAt: ts(1000 + i) });
        }
        return decided;
      }

      function expected(all: readonly EventRecord[], q: Omit<EventQuery, 'limit' | 'cursor'>): string[] {
        return all
          .filter(
            (e) =>
              (q.env === undefined || e.env === q.env) &&
              (q.source === undefined || e.source === q.source) &&
              (q.decision === undefined || (q.decision === 'none' ? e.decision === null : e.decision === q.decision)),
          )
          .map((e) => e.id)
          .sort(newestFirst);
      }

      it(
        'lists newest first across pages with no duplicates or gaps, for every filter',
        async () => {
          const all = await seedEvents();
          const filters: Omit<EventQuery, 'limit' | 'cursor'>[] = [
            {},
            { env: 'prod' },
            { source: 'grafana' },
            { decision: 'matched' },
            { decision: 'none' },
            { env: 'dev', source: 'grafana' },
            { env: 'test', decision: 'unmatched' },
            { env: 'prod', source: 'alertmanager', decision: 'deduplicated' },
          ];
          for (const filter of filters) {
            const want = expected(all, filter);
            expect(want.length).toBeGreaterThan(0);
            for (const limit of [1, 5, want.length, want.length + 1]) {
              const { items, pages } = await collectPages(limit, (cursor) => store.events.list({ ...filter, cursor, limit }));
              expect({ filter, limit, ids: ids(items) }).toEqual({ filter, limit, ids: want });
              expect(pages).toBe(Math.ceil(want.length / limit));
            }
          }
        },
        T,
      );

      it(
        'returns whole records from list, and an empty last page only when nothing matches',
        async () => {
          const all = await seedEvents();
          const page = await store.events.list({ limit: 3 });
          expect(page.items).toStrictEqual([...all].sort((a, b) => newestFirst(a.id, b.id)).slice(0, 3));
          const none = await store.events.list({ source: 'nobody', limit: 10 });
          expect(none).toStrictEqual({ items: [], next: null });
        },
        T,
      );

      it(
        'rejects a non-positive or fractional limit instead of guessing',
        async () => {
          await expect(store.events.list({ limit: 0 })).rejects.toThrow();
          await expect(store.executions.list({ limit: -1 })).rejects.toThrow();
          await expect(store.events.listUndecided(1.5)).rejects.toThrow();
        },
        T,
      );

      it(
        'lists undecided events oldest first, excluding decided ones, up to the limit',
        async () => {
          const all = await seedEvents();
          const undecided = all.filter((e) => e.decision === null).map((e) => e.id).sort();
          expect(ids(await store.events.listUndecided(100))).toEqual(undecided);
          expect(ids(await store.events.listUndecided(2))).toEqual(undecided.slice(0, 2));
          const first = undecided[0];
          if (!first) throw new Error('fixture');
          await store.events.recordDecision(first, 'unmatched', [], [], ts(5000));
          expect(ids(await store.events.listUndecided(100))).toEqual(undecided.slice(1));
        },
        T,
      );

      it(
        'records a decision with its explanation and execution ids, exactly',
        async () => {
          const { delivery, events } = makeDelivery(1);
          await store.deliveries.record(delivery, events);
          const [event] = events;
          if (!event) throw new Error('fixture');
          const executionId = testId();
          const explanation: CandidateExplanation[] = [
            { runbook: 'restart-pod', version: 'abc123', matched: true, trigger: 0, reason: 'all matchers matched', executionId },
            {
              runbook: 'scale-up',
              version: 'abc123',
              matched: false,
              trigger: null,
              reason: 'label severity="critical" does not match severity=~"warning|info" — ünï',
            },
            { runbook: 'page-oncall', version: 'abc123', matched: true, trigger: 2, reason: 'duplicate', duplicateOf: testId() },
          ];
          await store.events.recordDecision(event.id, 'matched', explanation, [executionId], ts(42));
          const got = await store.events.get(event.id);
          expect(got).toStrictEqual({ ...event, decision: 'matched', decidedAt: ts(42), explanation, executionIds: [executionId] });
          expect(ids((await store.events.list({ decision: 'matched', limit: 10 })).items)).toEqual([event.id]);
          expect(await store.events.listUndecided(10)).toEqual([]);
        },
        T,
      );

      it(
        'filters by since (a lower bound on the time-ordered id), alone and with other filters and cursors',
        async () => {
          const base = Date.parse(ts());
          const all: EventRecord[] = [];
          for (let d = 0; d < 10; d++) {
            const deliveryId = testIdAt(base + d * 1000);
            const events = [0, 1].map(() => makeEvent(deliveryId, { id: testIdAt(base + d * 1000), receivedAt: ts(d * 1000) }));
            await store.deliveries.record({ ...makeDelivery(0).delivery, id: deliveryId, outcome: 'accepted', error: null, eventIds: events.map((e) => e.id) }, events);
            all.push(...events);
          }
          for (const [i, e] of all.entries()) if (i % 3 === 0) await store.events.recordDecision(e.id, 'suppressed', [], [], ts(50_000));
          const want = (sinceMs: number, decision?: 'suppressed'): string[] =>
            all
              .filter((e, i) => Date.parse(e.receivedAt) >= base + sinceMs && (decision === undefined || i % 3 === 0))
              .map((e) => e.id)
              .sort(newestFirst);
          for (const [since, sinceMs] of [
            [ts(5000), 5000],
            [ts(5001), 6000],
            [ts(-1), 0],
            [ts(60_000), 60_000],
          ] as const) {
            for (const limit of [1, 3, 50]) {
              const { items } = await collectPages(limit, (cursor) => store.events.list({ since, cursor, limit }));
              expect({ since, limit, ids: ids(items) }).toEqual({ since, limit, ids: want(sinceMs) });
              const filtered = await collectPages(limit, (cursor) => store.events.list({ since, decision: 'suppressed', cursor, limit }));
              expect({ since, limit, ids: ids(filtered.items) }).toEqual({ since, limit, ids: want(sinceMs, 'suppressed') });
            }
          }
          await expect(store.events.list({ since: 'yesterday', limit: 5 })).rejects.toThrow();
        },
        T,
      );

      it(
        'records the decisions pending and suppressed',
        async () => {
          const { delivery, events } = makeDelivery(2);
          await store.deliveries.record(delivery, events);
          const [a, b] = events;
          if (!a || !b) throw new Error('fixture');
          const explanation: CandidateExplanation[] = [
            { runbook: 'wait', version: 'v', matched: true, trigger: 0, reason: 'pending until later (for: 2m)', pendingUntil: ts(120_000) },
          ];
          await store.events.recordDecision(a.id, 'pending', explanation, [], ts(1));
          await store.events.recordDecision(b.id, 'suppressed', [{ runbook: 'x', version: 'v', matched: true, trigger: 0, reason: 'flapping', suppressed: true }], [], ts(1));
          expect(await store.events.get(a.id)).toStrictEqual({ ...a, decision: 'pending', decidedAt: ts(1), explanation });
          expect(ids((await store.events.list({ decision: 'pending', limit: 10 })).items)).toEqual([a.id]);
          expect(ids((await store.events.list({ decision: 'suppressed', limit: 10 })).items)).toEqual([b.id]);
        },
        T,
      );

      it(
        'rejects a decision for an unknown event',
        async () => {
          await expect(store.events.recordDecision(testId(), 'unmatched', [], [], ts())).rejects.toThrow();
        },
        T,
      );
    });

    describe('executions', () => {
      it(
        'creates an execution and reads it back exactly',
        async () => {
          const execution = makeExecution({ dedupKey: 'restart-pod:prod:fp1' });
          expect(await store.executions.createIfAbsent(execution)).toStrictEqual({ created: true, execution });
          expect(await store.executions.get(execution.id)).toStrictEqual(execution);
          // A runbook is (project, name): the project comes back as written.
          const other = makeExecution({ project: 'payments', dedupKey: 'prod|payments/restart-pod|fp1' });
          expect((await store.executions.createIfAbsent(other)).created).toBe(true);
          expect(await store.executions.get(other.id)).toStrictEqual(other);
        },
        T,
      );

      it(
        'deduplicates on the same dedupKey: nothing is written and the existing one is returned',
        async () => {
          const first = makeExecution({ dedupKey: 'restart-pod:prod:fp1' });
          await store.executions.createIfAbsent(first);
          const second = makeExecution({ dedupKey: 'restart-pod:prod:fp1', runbook: 'other' });
          expect(await store.executions.createIfAbsent(second)).toStrictEqual({ created: false, existing: first });
          expect(await store.executions.get(second.id)).toBeNull();
          // A different key is a different problem.
          const third = makeExecution({ dedupKey: 'restart-pod:prod:fp2' });
          expect((await store.executions.createIfAbsent(third)).created).toBe(true);
        },
        T,
      );

      it(
        'never deduplicates a null dedupKey',
        async () => {
          const a = makeExecution({ dedupKey: null, eventId: null, trigger: null });
          const b = makeExecution({ dedupKey: null, eventId: null, trigger: null });
          expect((await store.executions.createIfAbsent(a)).created).toBe(true);
          expect((await store.executions.createIfAbsent(b)).created).toBe(true);
          expect(await store.executions.get(a.id)).toStrictEqual(a);
          expect(await store.executions.get(b.id)).toStrictEqual(b);
        },
        T,
      );

      it(
        'creates exactly one execution when 20 concurrent callers race on one dedupKey',
        async () => {
          const candidates = Array.from({ length: 20 }, () => makeExecution({ dedupKey: 'race:prod:fp' }));
          const results = await Promise.all(candidates.map((c) => store.executions.createIfAbsent(c)));
          const created = results.filter((r) => r.created);
          expect(created).toHaveLength(1);
          const winner = created[0]?.created ? created[0].execution : null;
          if (!winner) throw new Error('no winner');
          for (const r of results) {
            if (!r.created) expect(r.existing).toStrictEqual(winner);
          }
          const stored = await Promise.all(candidates.map((c) => store.executions.get(c.id)));
          expect(stored.filter((s) => s !== null)).toStrictEqual([winner]);
          expect(ids(await store.executions.listByStatus('queued', 100))).toEqual([winner.id]);
        },
        T,
      );

      it(
        'rejects a second execution with an existing id',
        async () => {
          const a = makeExecution();
          await store.executions.createIfAbsent(a);
          await expect(store.executions.createIfAbsent({ ...a, runbook: 'changed' })).rejects.toThrow();
          expect(await store.executions.get(a.id)).toStrictEqual(a);
        },
        T,
      );

      it(
        'claims the oldest queued execution first (by id, not insertion order), then null',
        async () => {
          const [a, b, c] = [makeExecution(), makeExecution(), makeExecution()];
          for (const e of [c, a, b]) await store.executions.createIfAbsent(e);
          const first = await store.executions.claimNext(ts(100), OWNER, leaseFor(100));
          expect(first).toStrictEqual({ ...a, status: 'running', startedAt: ts(100), owner: OWNER, leaseUntil: leaseFor(100) });
          expect(await store.executions.get(a.id)).toStrictEqual(first);
          expect((await store.executions.claimNext(ts(101), OWNER, leaseFor(101)))?.id).toBe(b.id);
          expect((await store.executions.claimNext(ts(102), OWNER, leaseFor(102)))?.id).toBe(c.id);
          expect(await store.executions.claimNext(ts(103), OWNER, leaseFor(103))).toBeNull();
        },
        T,
      );

      it(
        'never hands the same execution to two concurrent claimers (20 claims over 10 queued)',
        async () => {
          const queued = Array.from({ length: 10 }, () => makeExecution());
          for (const e of queued) await store.executions.createIfAbsent(e);
          const claims = await Promise.all(Array.from({ length: 20 }, () => store.executions.claimNext(ts(7), OWNER, leaseFor(7))));
          const claimed = claims.filter((c): c is ExecutionRecord => c !== null);
          expect(claimed).toHaveLength(10);
          expect(claims.filter((c) => c === null)).toHaveLength(10);
          expect(new Set(ids(claimed))).toEqual(new Set(ids(queued)));
          for (const c of claimed) expect(c.status).toBe('running');
          expect(await store.executions.listByStatus('queued', 100)).toEqual([]);
        },
        T,
      );

      it(
        'finishes a running execution once; a second finish returns false and changes nothing',
        async () => {
          const e = makeExecution();
          await store.executions.createIfAbsent(e);
          await store.executions.claimNext(ts(1), OWNER, leaseFor(1));
          const result = { restarted: ['pod-a', 'pod-b'], note: 'ünïcødé ✓', nested: { n: 1.5, ok: true, none: null } };
          expect(await store.executions.finish(e.id, { status: 'succeeded', finishedAt: ts(2), result, error: null })).toBe(true);
          const done = await store.executions.get(e.id);
          expect(done).toStrictEqual({ ...e, status: 'succeeded', startedAt: ts(1), finishedAt: ts(2), result, error: null, owner: OWNER, leaseUntil: leaseFor(1) });

          const error: ExecutionError = { name: 'Error', message: 'late', stack: null, location: null, limit: null };
          expect(await store.executions.finish(e.id, { status: 'failed', finishedAt: ts(3), result: null, error })).toBe(false);
          expect(await store.executions.get(e.id)).toStrictEqual(done);
        },
        T,
      );

      it(
        'finishes a queued execution (cancel before start) and returns false for an unknown id',
        async () => {
          const e = makeExecution();
          await store.executions.createIfAbsent(e);
          expect(await store.executions.finish(e.id, { status: 'cancelled', finishedAt: ts(5), result: null, error: null })).toBe(true);
          expect(await store.executions.get(e.id)).toStrictEqual({ ...e, status: 'cancelled', finishedAt: ts(5) });
          expect(await store.executions.claimNext(ts(6), OWNER, leaseFor(6))).toBeNull();
          expect(await store.executions.finish(testId(), { status: 'cancelled', finishedAt: ts(5), result: null, error: null })).toBe(false);
        },
        T,
      );

      it(
        'round-trips results of every JSON shape and a full error exactly',
        async () => {
          const results: unknown[] = [
            null,
            'just a string — ünï',
            42,
            -0.125,
            true,
            [],
            [1, 'two', null, { three: [3] }],
            { 'key.with.dots': 1, $dollar: 'x', 'ключ': '値', empty: {}, list: [], nothing: null, big: 9007199254740991 },
          ];
          for (const result of results) {
            const e = makeExecution();
            await store.executions.createIfAbsent(e);
            await store.executions.finish(e.id, { status: 'succeeded', finishedAt: ts(9), result, error: null });
            expect((await store.executions.get(e.id))?.result).toStrictEqual(result);
          }
          const error: ExecutionError = {
            name: 'TypeError',
            message: "Cannot read properties of undefined (reading 'pods') (at index.ts:12:7)",
            stack: 'TypeError: Cannot read properties of undefined\n    at main (index.ts:12:7)',
            location: { file: 'index.ts', line: 12, column: 7 },
            limit: null,
          };
          const e = makeExecution();
          await store.executions.createIfAbsent(e);
          await store.executions.finish(e.id, { status: 'timed_out', finishedAt: ts(9), result: null, error: { ...error, limit: 'timeout' } });
          expect(await store.executions.get(e.id)).toStrictEqual({
            ...e,
            status: 'timed_out',
            finishedAt: ts(9),
            error: { ...error, limit: 'timeout' },
          });
        },
        T,
      );

      it(
        'lists newest first with project/runbook/status/env filters across pages',
        async () => {
          const all: ExecutionRecord[] = [];
          for (let i = 0; i < 15; i++) {
            const e = makeExecution({ project: i % 5 === 0 ? 'payments' : 'default', runbook: i % 2 ? 'scale-up' : 'restart-pod', env: (['dev', 'test', 'prod'] as const)[i % 3] });
            await store.executions.createIfAbsent(e);
            all.push(e);
          }
          // The 8 oldest become running; of those, 4 succeed and 2 fail.
          for (let i = 0; i < 8; i++) await store.executions.claimNext(ts(i), OWNER, leaseFor(i));
          const status = (i: number): ExecutionStatus => (i < 4 ? 'succeeded' : i < 6 ? 'failed' : i < 8 ? 'running' : 'queued');
          for (let i = 0; i < 6; i++) {
            const id = all[i]?.id ?? '';
            await store.executions.finish(id, { status: i < 4 ? 'succeeded' : 'failed', finishedAt: ts(50), result: null, error: null });
          }
          const filters: Omit<ExecutionQuery, 'limit' | 'cursor'>[] = [
            {},
            { runbook: 'scale-up' },
            { status: 'queued' },
            { status: 'succeeded' },
            { env: 'test' },
            { runbook: 'restart-pod', status: 'queued' },
            { runbook: 'restart-pod', env: 'test', status: 'failed' },
            { project: 'payments' },
            { project: 'default', runbook: 'scale-up' },
            { project: 'payments', runbook: 'restart-pod' },
          ];
          for (const filter of filters) {
            const want = all
              .map((e, i) => ({ e, s: status(i) }))
              .filter(
                ({ e, s }) =>
                  (filter.project === undefined || e.project === filter.project) &&
                  (filter.runbook === undefined || e.runbook === filter.runbook) &&
                  (filter.status === undefined || s === filter.status) &&
                  (filter.env === undefined || e.env === filter.env),
              )
              .map(({ e }) => e.id)
              .sort(newestFirst);
            expect(want.length).toBeGreaterThan(0);
            for (const limit of [1, 4, want.length]) {
              const { items, pages } = await collectPages(limit, (cursor) => store.executions.list({ ...filter, cursor, limit }));
              expect({ filter, limit, ids: ids(items) }).toEqual({ filter, limit, ids: want });
              expect(pages).toBe(Math.ceil(want.length / limit));
              for (const item of items) expect(item.status).toBe(status(all.findIndex((e) => e.id === item.id)));
            }
          }
          expect(await store.executions.list({ runbook: 'nope', limit: 5 })).toStrictEqual({ items: [], next: null });
          expect(await store.executions.list({ project: 'nope', limit: 5 })).toStrictEqual({ items: [], next: null });
        },
        T,
      );

      it(
        'lists by status oldest first, up to the limit',
        async () => {
          const all = Array.from({ length: 6 }, () => makeExecution());
          for (const e of [...all].reverse()) await store.executions.createIfAbsent(e);
          await store.executions.claimNext(ts(1), OWNER, leaseFor(1));
          await store.executions.claimNext(ts(2), OWNER, leaseFor(2));
          expect(ids(await store.executions.listByStatus('running', 10))).toEqual(ids(all.slice(0, 2)));
          expect(ids(await store.executions.listByStatus('queued', 10))).toEqual(ids(all.slice(2)));
          expect(ids(await store.executions.listByStatus('queued', 3))).toEqual(ids(all.slice(2, 5)));
          expect(await store.executions.listByStatus('failed', 10)).toEqual([]);
          expect((await store.executions.listByStatus('running', 10))[0]).toStrictEqual({ ...all[0], status: 'running', startedAt: ts(1), owner: OWNER, leaseUntil: leaseFor(1) });
        },
        T,
      );

      it(
        'a claim sets the owner and the lease; a queued execution has neither',
        async () => {
          const e = makeExecution();
          await store.executions.createIfAbsent(e);
          expect(await store.executions.get(e.id)).toMatchObject({ status: 'queued', owner: null, leaseUntil: null });
          expect(await store.executions.claimNext(ts(1), 'host-b:7:zz', ts(31_000))).toMatchObject({ id: e.id, status: 'running', owner: 'host-b:7:zz', leaseUntil: ts(31_000) });
          expect(await store.executions.get(e.id)).toMatchObject({ owner: 'host-b:7:zz', leaseUntil: ts(31_000) });
        },
        T,
      );

      it(
        'renews leases only for the owner and only while running, in one call',
        async () => {
          const [a, b, c, d] = [makeExecution(), makeExecution(), makeExecution(), makeExecution()];
          for (const e of [a, b, c, d]) await store.executions.createIfAbsent(e);
          await store.executions.claimNext(ts(1), OWNER, leaseFor(1)); // a
          await store.executions.claimNext(ts(2), OWNER, leaseFor(2)); // b
          await store.executions.claimNext(ts(3), 'someone-else', leaseFor(3)); // c
          await store.executions.finish(b.id, { status: 'succeeded', finishedAt: ts(4), result: null, error: null });
          // b has ended, c is another instance's, d is still queued, one id is unknown: only a.
          expect(await store.executions.renewLeases(OWNER, [a.id, b.id, c.id, d.id, testId()], ts(60_000))).toBe(1);
          expect(await store.executions.get(a.id)).toMatchObject({ status: 'running', owner: OWNER, leaseUntil: ts(60_000) });
          expect(await store.executions.get(b.id)).toMatchObject({ status: 'succeeded', leaseUntil: leaseFor(2) });
          expect(await store.executions.get(c.id)).toMatchObject({ owner: 'someone-else', leaseUntil: leaseFor(3) });
          expect(await store.executions.get(d.id)).toMatchObject({ status: 'queued', owner: null, leaseUntil: null });
          expect(await store.executions.renewLeases('someone-else', [a.id], ts(90_000))).toBe(0);
          expect((await store.executions.get(a.id))?.leaseUntil).toBe(ts(60_000));
          expect(await store.executions.renewLeases(OWNER, [], ts(90_000))).toBe(0);
        },
        T,
      );

      it(
        'lists the running executions whose lease expired (or that have none), oldest lease first; never a finished one',
        async () => {
          const [a, b, c, d, e] = [makeExecution(), makeExecution(), makeExecution(), makeExecution(), makeExecution()];
          for (const x of [a, b, c, d, e]) await store.executions.createIfAbsent(x);
          await store.executions.claimNext(ts(1), 'dead', ts(10_000)); // a: expires at 10 s
          await store.executions.claimNext(ts(2), 'dead', ts(5_000)); // b: expires at 5 s
          await store.executions.claimNext(ts(3), 'alive', ts(100_000)); // c: still held
          await store.executions.claimNext(ts(4), 'dead', ts(1_000)); // d: expired, but finished
          await store.executions.finish(d.id, { status: 'failed', finishedAt: ts(5), result: null, error: null });
          // e stays queued: a queued execution is never listed.
          expect(await store.executions.listExpired(ts(0), 10)).toEqual([]);
          expect(ids(await store.executions.listExpired(ts(7_000), 10))).toEqual([b.id]);
          expect(ids(await store.executions.listExpired(ts(50_000), 10))).toEqual([b.id, a.id]);
          expect(ids(await store.executions.listExpired(ts(50_000), 1))).toEqual([b.id]);
          expect(ids(await store.executions.listExpired(ts(200_000), 10))).toEqual([b.id, a.id, c.id]);
          const [expired] = await store.executions.listExpired(ts(7_000), 10);
          expect(expired).toStrictEqual({ ...b, status: 'running', startedAt: ts(2), owner: 'dead', leaseUntil: ts(5_000) });
          // Once failed, it is never listed again.
          await store.executions.finish(b.id, { status: 'failed', finishedAt: ts(8_000), result: null, error: null });
          expect(ids(await store.executions.listExpired(ts(50_000), 10))).toEqual([a.id]);
          expect(e.status).toBe('queued');
          // A running execution from before leases (no owner, no lease) counts as expired, first.
          const old = makeExecution({ status: 'running', startedAt: ts(-5) });
          await store.executions.createIfAbsent(old);
          expect(ids(await store.executions.listExpired(ts(0), 10))).toEqual([old.id]);
        },
        T,
      );
    });

    describe('logs', () => {
      async function execution(): Promise<ExecutionRecord> {
        const e = makeExecution();
        await store.executions.createIfAbsent(e);
        return e;
      }

      it(
        'lists appended lines in seq order, exactly, per execution',
        async () => {
          const [a, b] = [await execution(), await execution()];
          const lines = [
            makeLog(a.id, 0, { level: 'debug' }),
            makeLog(a.id, 1, { fields: { pod: 'checkout-7f9c', attempt: 2, 'k.dot': { $x: [1, null] } } }),
            makeLog(a.id, 2, { level: 'warn', message: 'ünïcødé ✓ 🚨\nsecond line' }),
            makeLog(a.id, 3, { level: 'error', message: '' }),
            makeLog(a.id, 4),
          ];
          // Appended in two calls, the second one out of order.
          await store.logs.append(lines.slice(0, 2));
          await store.logs.append([lines[4], lines[2], lines[3]].filter((l) => l !== undefined));
          await store.logs.append([makeLog(b.id, 0, { message: 'other execution' })]);
          expect(await store.logs.list(a.id)).toStrictEqual(lines);
          expect((await store.logs.list(b.id)).map((l) => l.message)).toEqual(['other execution']);
          expect(await store.logs.list(testId())).toEqual([]);
        },
        T,
      );

      it(
        'pages with afterSeq (exclusive) and limit',
        async () => {
          const e = await execution();
          await store.logs.append(Array.from({ length: 10 }, (_, seq) => makeLog(e.id, seq)));
          const seqs = async (after?: number, limit?: number): Promise<number[]> =>
            (await store.logs.list(e.id, after, limit)).map((l) => l.seq);
          expect(await seqs()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
          expect(await seqs(3)).toEqual([4, 5, 6, 7, 8, 9]);
          expect(await seqs(3, 2)).toEqual([4, 5]);
          expect(await seqs(undefined, 3)).toEqual([0, 1, 2]);
          expect(await seqs(9)).toEqual([]);
          const paged: number[] = [];
          let after = -1;
          for (;;) {
            const page = await seqs(after, 4);
            if (page.length === 0) break;
            paged.push(...page);
            after = page[page.length - 1] ?? after;
          }
          expect(paged).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        },
        T,
      );

      it(
        'rejects a duplicate seq and keeps the original line',
        async () => {
          const e = await execution();
          const original = makeLog(e.id, 0, { message: 'original' });
          await store.logs.append([original]);
          await expect(store.logs.append([makeLog(e.id, 0, { message: 'impostor' })])).rejects.toThrow();
          expect(await store.logs.list(e.id)).toStrictEqual([original]);
          await store.logs.append([]);
        },
        T,
      );
    });

    describe('steps', () => {
      async function execution(): Promise<ExecutionRecord> {
        const e = makeExecution();
        await store.executions.createIfAbsent(e);
        return e;
      }

      it(
        'keeps one record per step: the end of a step replaces its start',
        async () => {
          const e = await execution();
          const started = makeStep(e.id, 0, { name: 'measure disk ünï 🚨' });
          await store.steps.upsert([started]);
          expect(await store.steps.list(e.id)).toStrictEqual([started]);
          const done = { ...started, status: 'succeeded' as const, finishedAt: ts(250), output: '{"freePercent":3.5,"mount":"/var"}' };
          await store.steps.upsert([done]);
          expect(await store.steps.list(e.id)).toStrictEqual([done]);
          // Idempotent: the same end written again (a retried flush) changes nothing.
          await store.steps.upsert([done]);
          expect(await store.steps.list(e.id)).toStrictEqual([done]);
        },
        T,
      );

      it(
        'lists in seq order whatever the write order, per execution, with failed steps and their errors',
        async () => {
          const [a, b] = [await execution(), await execution()];
          const want = [
            makeStep(a.id, 0, { status: 'succeeded', finishedAt: ts(50), output: '42' }),
            makeStep(a.id, 1, { status: 'failed', finishedAt: ts(150), error: 'RangeError: disk is full\nsecond line' }),
            makeStep(a.id, 2, { name: '' }),
            makeStep(a.id, 3, { status: 'succeeded', finishedAt: ts(400), output: null }),
          ];
          await store.steps.upsert([want[2], want[0]].filter((x) => x !== undefined));
          await store.steps.upsert([want[3], want[1]].filter((x) => x !== undefined));
          await store.steps.upsert([makeStep(b.id, 0, { name: 'other execution' })]);
          expect(await store.steps.list(a.id)).toStrictEqual(want);
          expect((await store.steps.list(b.id)).map((x) => x.name)).toEqual(['other execution']);
          expect(await store.steps.list(testId())).toEqual([]);
        },
        T,
      );

      it(
        'applies one call in order: the start and the end of a step in one batch leave the end',
        async () => {
          const e = await execution();
          const start = makeStep(e.id, 0);
          const end = { ...start, status: 'failed' as const, finishedAt: ts(9), error: 'threw nope' };
          const other = makeStep(e.id, 1);
          await store.steps.upsert([start, other, end]);
          expect(await store.steps.list(e.id)).toStrictEqual([end, other]);
          await store.steps.upsert([]);
        },
        T,
      );

      it(
        'keeps one record per step when the start and the end of many steps are written concurrently',
        async () => {
          const e = await execution();
          const starts = Array.from({ length: 20 }, (_, seq) => makeStep(e.id, seq));
          await Promise.all(starts.map((s) => store.steps.upsert([s])));
          const ends = starts.map((s) => ({ ...s, status: 'succeeded' as const, finishedAt: ts(5000), output: `"${s.seq}"` }));
          await Promise.all(ends.map((s) => store.steps.upsert([s])));
          expect(await store.steps.list(e.id)).toStrictEqual(ends);
        },
        T,
      );
    });

    describe('attachments', () => {
      async function execution(): Promise<ExecutionRecord> {
        const e = makeExecution();
        await store.executions.createIfAbsent(e);
        return e;
      }

      it(
        'round-trips the data exactly, and lists metadata without it in seq order',
        async () => {
          const [a, b] = [await execution(), await execution()];
          const rows = Array.from({ length: 2000 }, (_, i) => ({ path: `/var/ünï/${i}`, bytes: i * 1024, 'k.dot': { $x: [i, null] }, emoji: '🚨' }));
          const big = makeAttachment(a.id, 1, { name: 'largest directories', data: JSON.stringify(rows) });
          expect(big.size).toBeGreaterThan(100 * 1024);
          const series = makeAttachment(a.id, 0, { name: 'free space ✓', data: JSON.stringify({ series: [[ts(0), 12.5], [ts(60_000), 3.25]] }) });
          const scalar = makeAttachment(a.id, 2, { data: JSON.stringify('a string with "quotes", \\ and a NUL \u0000') });
          await store.attachments.append([big]);
          await store.attachments.append([scalar, series]);
          await store.attachments.append([makeAttachment(b.id, 0, { name: 'other execution' })]);

          expect(await store.attachments.get(a.id, 1)).toStrictEqual(big);
          expect(JSON.parse((await store.attachments.get(a.id, 1))?.data ?? 'null')).toEqual(rows);
          expect(await store.attachments.get(a.id, 0)).toStrictEqual(series);
          expect(await store.attachments.get(a.id, 2)).toStrictEqual(scalar);
          const info = ({ data: _data, ...rest }: typeof big): Omit<typeof big, 'data'> => rest;
          expect(await store.attachments.list(a.id)).toStrictEqual([series, big, scalar].map(info));
          expect((await store.attachments.list(b.id)).map((x) => x.name)).toEqual(['other execution']);
          expect(await store.attachments.list(testId())).toEqual([]);
          expect(await store.attachments.get(a.id, 3)).toBeNull();
          expect(await store.attachments.get(testId(), 0)).toBeNull();
        },
        T,
      );

      it(
        'rejects a duplicate seq and keeps the original',
        async () => {
          const e = await execution();
          const original = makeAttachment(e.id, 0, { name: 'original' });
          await store.attachments.append([original]);
          await expect(store.attachments.append([makeAttachment(e.id, 0, { name: 'impostor', data: '[]' })])).rejects.toThrow();
          expect(await store.attachments.get(e.id, 0)).toStrictEqual(original);
          expect((await store.attachments.list(e.id)).map((x) => x.name)).toEqual(['original']);
          await store.attachments.append([]);
        },
        T,
      );
    });

    describe('series', () => {
      it(
        'creates a series only when absent, and reads it back exactly',
        async () => {
          expect(await store.series.get('prod', 'f1a2b3c4d5e6f708')).toBeNull();
          const s = makeSeries();
          expect(await store.series.put(s, null)).toBe(true);
          expect(await store.series.get('prod', s.fingerprint)).toStrictEqual(s);
          // A second "first write" loses: the series exists.
          expect(await store.series.put({ ...s, state: 'resolved', version: 1 }, null)).toBe(false);
          expect(await store.series.get('prod', s.fingerprint)).toStrictEqual(s);
          // Same fingerprint, other environment: another series.
          expect(await store.series.get('dev', s.fingerprint)).toBeNull();
          const nothing = makeSeries({ env: 'dev', episodeStartsAt: null, episode: `seen:${ts()}`, transitions: [], labels: {} });
          expect(await store.series.put(nothing, null)).toBe(true);
          expect(await store.series.get('dev', s.fingerprint)).toStrictEqual(nothing);
        },
        T,
      );

      it(
        'updates compare-and-set on version: a stale expected version writes nothing',
        async () => {
          const s = makeSeries();
          await store.series.put(s, null);
          const v2: Series = {
            ...s,
            state: 'resolved',
            transitions: [...s.transitions, { at: ts(5), to: 'resolved', episode: s.episode, eventId: testId() }],
            flapping: true,
            flappingSince: ts(5),
            version: 2,
          };
          expect(await store.series.put(v2, 1)).toBe(true);
          expect(await store.series.get('prod', s.fingerprint)).toStrictEqual(v2);
          expect(await store.series.put({ ...v2, state: 'firing', version: 3 }, 1)).toBe(false);
          expect(await store.series.put({ ...v2, state: 'firing', version: 3 }, 5)).toBe(false);
          expect(await store.series.get('prod', s.fingerprint)).toStrictEqual(v2);
          expect(await store.series.put(makeSeries({ fingerprint: 'unknown', version: 2 }), 1)).toBe(false);
          expect(await store.series.get('prod', 'unknown')).toBeNull();
        },
        T,
      );

      it(
        'loses no update when 10 writers of one series race (each retries on conflict)',
        async () => {
          const s = makeSeries({ transitions: [] });
          await store.series.put(s, null);
          let conflicts = 0;
          const writer = async (n: number): Promise<void> => {
            for (let attempt = 0; attempt < 100; attempt++) {
              const cur = await store.series.get('prod', s.fingerprint);
              if (!cur) throw new Error('series vanished');
              const next: Series = { ...cur, transitions: [...cur.transitions, { at: ts(n), to: 'firing', episode: `e${n}`, eventId: testId() }], version: cur.version + 1 };
              if (await store.series.put(next, cur.version)) return;
              conflicts += 1;
            }
            throw new Error('writer gave up');
          };
          await Promise.all(Array.from({ length: 10 }, (_, n) => writer(n)));
          const final = await store.series.get('prod', s.fingerprint);
          expect(final?.version).toBe(11);
          expect(final?.transitions.map((t) => t.episode).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `e${n}`).sort());
          expect(conflicts).toBeGreaterThanOrEqual(0);
        },
        T,
      );

      it(
        'lists only flapping series',
        async () => {
          const calm = makeSeries({ fingerprint: 'aaaa' });
          const wild = makeSeries({ fingerprint: 'bbbb', flapping: true, flappingSince: ts(1) });
          const wild2 = makeSeries({ fingerprint: 'cccc', env: 'dev', flapping: true, flappingSince: ts(2) });
          for (const x of [calm, wild, wild2]) await store.series.put(x, null);
          const found = await store.series.listFlapping(10);
          expect(found.map((x) => `${x.env}/${x.fingerprint}`).sort()).toEqual(['dev/cccc', 'prod/bbbb']);
          expect(await store.series.listFlapping(1)).toHaveLength(1);
          await store.series.put({ ...wild, flapping: false, flappingSince: null, version: 2 }, 1);
          expect((await store.series.listFlapping(10)).map((x) => x.fingerprint)).toEqual(['cccc']);
        },
        T,
      );
    });

    describe('pending runs', () => {
      it(
        'creates one pending run per dedup key and reads it back exactly',
        async () => {
          const p = makePending();
          expect(await store.pending.createIfAbsent(p)).toStrictEqual({ created: true, pending: p });
          expect(await store.pending.get(p.id)).toStrictEqual(p);
          const again = makePending({ eventId: testId(), dueAt: ts(99) });
          expect(await store.pending.createIfAbsent(again)).toStrictEqual({ created: false, existing: p });
          expect(await store.pending.get(again.id)).toBeNull();
          expect(await store.pending.get(testId())).toBeNull();
        },
        T,
      );

      it(
        'keeps the project of a pending run; runbooks of the same name in two projects wait apart',
        async () => {
          const a = makePending({ project: 'payments', dedupKey: 'prod|payments/restart-pod|fp|firing|e1' });
          const b = makePending({ project: 'default', dedupKey: 'prod|restart-pod|fp|firing|e1' });
          expect((await store.pending.createIfAbsent(a)).created).toBe(true);
          expect((await store.pending.createIfAbsent(b)).created).toBe(true);
          expect(await store.pending.get(a.id)).toStrictEqual(a);
          expect((await store.pending.listBySeries('prod', a.fingerprint)).map((p) => p.project)).toEqual(['payments', 'default']);
        },
        T,
      );

      it(
        'creates exactly one when 20 callers race on one dedup key',
        async () => {
          const candidates = Array.from({ length: 20 }, () => makePending({ dedupKey: 'race' }));
          const results = await Promise.all(candidates.map((c) => store.pending.createIfAbsent(c)));
          expect(results.filter((r) => r.created)).toHaveLength(1);
        },
        T,
      );

      it(
        'lists due runs earliest first up to now (inclusive), and a series\' runs; deletes once',
        async () => {
          const late = makePending({ dedupKey: 'k1', dueAt: ts(3000) });
          const early = makePending({ dedupKey: 'k2', dueAt: ts(1000) });
          const other = makePending({ dedupKey: 'k3', dueAt: ts(2000), fingerprint: 'other', env: 'dev' });
          for (const p of [late, early, other]) await store.pending.createIfAbsent(p);
          expect(ids(await store.pending.listDue(ts(0), 10))).toEqual([]);
          expect(ids(await store.pending.listDue(ts(2000), 10))).toEqual([early.id, other.id]);
          expect(ids(await store.pending.listDue(ts(5000), 10))).toEqual([early.id, other.id, late.id]);
          expect(ids(await store.pending.listDue(ts(5000), 1))).toEqual([early.id]);
          expect(ids(await store.pending.listBySeries('prod', late.fingerprint))).toEqual([late.id, early.id]);
          expect(ids(await store.pending.listBySeries('prod', 'other'))).toEqual([]);
          expect(await store.pending.delete(early.id)).toBe(true);
          expect(await store.pending.delete(early.id)).toBe(false);
          expect(ids(await store.pending.listDue(ts(5000), 10))).toEqual([other.id, late.id]);
          // The key is free again once its run is gone.
          expect((await store.pending.createIfAbsent(makePending({ dedupKey: 'k2' }))).created).toBe(true);
        },
        T,
      );
    });

    describe('projects', () => {
      it(
        'creates a project once by name and reads it back exactly; lists by name; deletes once',
        async () => {
          const payments = makeProject();
          expect(await store.projects.create(payments)).toStrictEqual({ created: true, project: payments });
          expect(await store.projects.get('payments')).toStrictEqual(payments);
          expect(await store.projects.create(makeProject({ remote: null, createdBy: 'someone' }))).toStrictEqual({ created: false, existing: payments });
          const local = makeProject({ name: 'a-team', remote: null, settings: {} });
          await store.projects.create(local);
          expect(await store.projects.list()).toStrictEqual([local, payments]);
          expect(await store.projects.get('nope')).toBeNull();
          expect(await store.projects.delete('a-team')).toBe(true);
          expect(await store.projects.delete('a-team')).toBe(false);
          expect((await store.projects.list()).map((p) => p.name)).toEqual(['payments']);
        },
        T,
      );

      it(
        'creates exactly one when 10 callers race on one name',
        async () => {
          const candidates = Array.from({ length: 10 }, (_, i) => makeProject({ name: 'race', createdBy: `p${i}` }));
          const results = await Promise.all(candidates.map((c) => store.projects.create(c)));
          expect(results.filter((r) => r.created)).toHaveLength(1);
          const winner = results.find((r) => r.created);
          for (const r of results) if (!r.created && winner?.created) expect(r.existing).toStrictEqual(winner.project);
        },
        T,
      );
    });

    describeCapabilityStoreContract(() => ({ store, subject }));

    describe('lifecycle', () => {
      it(
        'keeps every record across close and reopen',
        async () => {
          const { delivery, events } = makeDelivery(3);
          await store.deliveries.record(delivery, events);
          const [decided] = events;
          if (!decided) throw new Error('fixture');
          await store.events.recordDecision(decided.id, 'unmatched', [], [], ts(1));
          const execution = makeExecution({ dedupKey: 'survives' });
          await store.executions.createIfAbsent(execution);
          const logs = [makeLog(execution.id, 0), makeLog(execution.id, 1, { fields: { a: 1 } })];
          await store.logs.append(logs);
          const running = makeStep(execution.id, 1);
          const steps = [makeStep(execution.id, 0, { status: 'succeeded', finishedAt: ts(7), output: '{"ok":true}' }), running];
          await store.steps.upsert(steps);
          const attachments = [makeAttachment(execution.id, 0), makeAttachment(execution.id, 1, { data: '{"ü":[1,2,3]}' })];
          await store.attachments.append(attachments);
          const series = makeSeries({ flapping: true, flappingSince: ts(3) });
          await store.series.put(series, null);
          const pending = makePending();
          await store.pending.createIfAbsent(pending);
          const project = makeProject();
          await store.projects.create(project);
          await store.close();
          await store.close(); // idempotent

          const reopened = await subject.reopen();
          expect(await reopened.deliveries.get(delivery.id)).toStrictEqual(delivery);
          expect(await reopened.events.get(decided.id)).toStrictEqual({ ...decided, decision: 'unmatched', decidedAt: ts(1) });
          expect(ids(await reopened.events.listUndecided(10))).toEqual(ids(events.slice(1)));
          expect(await reopened.executions.get(execution.id)).toStrictEqual(execution);
          expect(await reopened.logs.list(execution.id)).toStrictEqual(logs);
          expect(await reopened.steps.list(execution.id)).toStrictEqual(steps);
          expect(await reopened.attachments.get(execution.id, 1)).toStrictEqual(attachments[1]);
          expect((await reopened.attachments.list(execution.id)).map((a) => a.seq)).toEqual([0, 1]);
          // A step that was running before the reopen is finished after it: still one record.
          const finished = { ...running, status: 'failed' as const, finishedAt: ts(8), error: 'interrupted' };
          await reopened.steps.upsert([finished]);
          expect(await reopened.steps.list(execution.id)).toStrictEqual([steps[0], finished]);
          expect(await reopened.series.get(series.env as 'prod', series.fingerprint)).toStrictEqual(series);
          expect(await reopened.pending.listDue(pending.dueAt, 10)).toStrictEqual([pending]);
          expect(await reopened.projects.list()).toStrictEqual([project]);
          // The dedup guarantee survives the reopen too.
          expect(await reopened.executions.createIfAbsent(makeExecution({ dedupKey: 'survives' }))).toStrictEqual({
            created: false,
            existing: execution,
          });
        },
        T,
      );
    });
  });
}
