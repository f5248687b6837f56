import type { CandidateExplanationDto, DeliveryDto, EventDetailDto } from '@wolfe/api-types';
import { matchesLabels, type Matcher } from '@wolfe/matchers';
import { DEFAULT_PROJECT, routeEvent } from '@wolfe/router';
import type { CatalogSnapshot } from './catalog';
import { toEventDto } from './dto';
import type { DeliveryRecord, EventRecord } from './ports/records';
import type { EventQuery, Page, Store } from './ports/store';

/**
 * Most events one `match`-filtered page reads from the store. The `match` filter runs in
 * the process (label sets are not indexed per label), so a page costs a walk of the
 * newest-first index until `limit` events matched or this many were read; then the page
 * ends early (fewer items, `next` set) and the next request continues from there.
 */
export const MATCH_SCAN_LIMIT = 5000;

export interface EventLedgerQuery extends EventQuery {
  /** Alertmanager matchers over the event's labels (all must match). */
  readonly matchers?: readonly Matcher[];
}

export interface EventLedgerPage extends Page<EventRecord> {
  /** How many events were read to fill this page (the cost of `match`). */
  readonly scanned: number;
}

/**
 * The events ledger: newest first with the store's filters (env, source, decision, since —
 * all index walks), plus `matchers`, checked here on each event in order. With matchers a
 * page may hold fewer than `limit` items (the scan budget ran out) and a `next` page may be
 * empty: follow `next` until it is null.
 */
export async function listEvents(store: Store, q: EventLedgerQuery, scanLimit = MATCH_SCAN_LIMIT): Promise<EventLedgerPage> {
  const { matchers, ...query } = q;
  if (matchers === undefined || matchers.length === 0) {
    const page = await store.events.list(query);
    return { ...page, scanned: page.items.length };
  }
  const items: EventRecord[] = [];
  let cursor = q.cursor ?? null;
  let scanned = 0;
  while (scanned < scanLimit) {
    const batch = Math.min(500, Math.max(q.limit * 4, 100), scanLimit - scanned);
    const page = await store.events.list({ ...query, cursor, limit: batch });
    for (const e of page.items) {
      scanned += 1;
      if (!matchesLabels(matchers, e.labels)) continue;
      items.push(e);
      if (items.length === q.limit) return { items, next: e.id, scanned };
    }
    const last = page.items[page.items.length - 1];
    if (page.next === null || last === undefined) return { items, next: null, scanned };
    cursor = last.id;
  }
  return { items, next: cursor, scanned };
}

/**
 * An event with every runbook's reason: what routing recorded (matches and near misses,
 * `origin: routing`), and for every other runbook of the environment — of every project — a
 * reason computed now against the current catalogs (`origin: on_demand`, their version noted).
 * Each candidate names its project (explanations recorded before projects existed: `default`).
 */
export function explainEvent(event: EventRecord, snapshots: CatalogSnapshot | readonly CatalogSnapshot[] | null, delivery: DeliveryRecord | null): EventDetailDto {
  const snaps: readonly CatalogSnapshot[] = snapshots === null ? [] : 'runbooks' in snapshots ? [snapshots] : snapshots;
  const recorded: CandidateExplanationDto[] = event.explanation.map((c) => ({ ...c, project: c.project ?? DEFAULT_PROJECT, origin: 'routing' }));
  const known = new Set(recorded.map((c) => `${c.project}|${c.runbook}`));
  const onDemand: CandidateExplanationDto[] = [];
  for (const snapshot of snaps) {
    const rest = snapshot.runbooks
      .filter((r) => !known.has(`${snapshot.project}|${r.name}`))
      .map((r) => ({ project: snapshot.project, name: r.name, version: r.version, triggers: r.manifest.triggers }));
    for (const c of routeEvent(event, rest)) {
      const note = !c.matched
        ? ''
        : event.decision === null
          ? ' (the event is not routed yet)'
          : ` (at version ${snapshot.version.slice(0, 12)}; it did not match when the event was routed)`;
      onDemand.push({ project: c.project, runbook: c.runbook, version: c.version, matched: c.matched, trigger: c.trigger, reason: `${c.reason}${note}`, origin: 'on_demand' });
    }
  }
  const snapshot = snaps.find((s) => s.project === DEFAULT_PROJECT) ?? snaps[0] ?? null;
  return {
    ...toEventDto(event),
    explanation: [...recorded, ...onDemand],
    decidedAt: event.decidedAt,
    sourceUrl: event.sourceUrl,
    explainedAt: snapshot?.version ?? null,
    explainedAtByProject: Object.fromEntries(snaps.map((s) => [s.project, s.version])),
    delivery: delivery ? { id: delivery.id, contentType: delivery.contentType, body: delivery.body } : null,
  };
}

export const toDeliveryDto = (d: DeliveryRecord): DeliveryDto => ({
  id: d.id,
  source: d.source,
  env: d.env,
  receivedAt: d.receivedAt,
  contentType: d.contentType,
  body: d.body,
  outcome: d.outcome,
  error: d.error,
  eventIds: [...d.eventIds],
});
