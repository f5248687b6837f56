import { type Candidate, RoutingTable } from '@wolfe/router';
import { describeEpisode, episodeStartMs, type Series } from '@wolfe/series';
import type { CatalogSnapshot, RunbookCatalogs } from './catalog';
import { newId } from './ids';
import { decide, pendingReason, type PendingRuns } from './pending';
import type { CandidateExplanation, EventDecision, EventRecord, PendingRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';
import type { SeriesTracker } from './series-tracker';
import { queuedExecution } from './executions';

/** Something that wants to see every routed event (heartbeats). */
export type RoutedEventListener = (event: EventRecord) => void;

/**
 * Routing: every event gets a decision with a reason per candidate runbook, recorded
 * beside the event.
 *
 * 1. The event's series (env + fingerprint) is observed (libs/series): a re-send of an
 *    episode is a `repeat`, a newer startsAt a `new_episode`, an older one `stale`.
 * 2. Every project's catalog snapshot of the event's environment has a RoutingTable (built
 *    once per commit) that finds the matching triggers through an index of label values — no
 *    scan of every trigger — and the near misses; both are stored as the explanation, each
 *    candidate naming its project (a runbook is (project, name): two projects may both have
 *    an `echo`, and one alert runs both). The reason for every other runbook is computed on
 *    demand (`explainEvent`).
 * 3. Each match is held back when the event is stale or its series flaps (`suppressed`),
 *    waits when its trigger has `for:` that has not elapsed yet (`pending`: a durable
 *    PendingRecord), or creates an execution whose dedup key the store enforces, so
 *    re-sent alerts, retried webhooks and a crash between "created" and "decided" never
 *    start a second remediation (`deduplicated`).
 */
export class RoutingService {
  private readonly tables = new WeakMap<CatalogSnapshot, RoutingTable>();
  private readonly listeners: RoutedEventListener[] = [];
  /** Projects already reported as having no catalog of an environment (logged once each). */
  private readonly reportedMissing = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly catalogs: RunbookCatalogs,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onQueued: () => void,
    private readonly series: SeriesTracker,
    private readonly pending: PendingRuns,
  ) {}

  /** Calls `listener` with every event after its decision is recorded. */
  onRouted(listener: RoutedEventListener): void {
    this.listeners.push(listener);
  }

  /** The routing table of a catalog snapshot, built on first use and kept as long as the snapshot. */
  table(snap: CatalogSnapshot): RoutingTable {
    let t = this.tables.get(snap);
    if (!t) {
      t = new RoutingTable(snap.runbooks.map((r) => ({ project: snap.project, name: r.name, version: r.version, triggers: r.manifest.triggers })));
      this.tables.set(snap, t);
    }
    return t;
  }

  /**
   * `onObserved` is called once the event's series observation is saved: from then on the
   * next event of the same series may be observed while this one finishes (its remaining
   * writes are atomic per execution and per event), which pipelines bursts of one series.
   */
  async route(event: EventRecord, onObserved?: () => void): Promise<EventDecision> {
    const { snapshots, missing } = this.catalogs.snapshots(event.env);
    if (snapshots.length === 0) throw new Error(`environment ${event.env} has no runbook catalog loaded`);
    for (const project of missing) {
      // A project is added once it loaded; one that lost an environment's branch must not hold
      // up every other project's routing: it is left out (and said so once).
      if (this.reportedMissing.has(`${project}|${event.env}`)) continue;
      this.reportedMissing.add(`${project}|${event.env}`);
      this.logger.warn({ project, env: event.env }, `project ${project} has no runbook catalog for ${event.env}: its runbooks are not considered for ${event.env} events`);
    }
    const { observation: obs } = await this.series.observe(event);
    onObserved?.();
    const candidates = snapshots.flatMap((snap) => this.table(snap).route(event, obs.episode));

    const explanation: CandidateExplanation[] = [];
    const executionIds: string[] = [];
    let created = 0;
    for (const c of candidates) {
      const base: CandidateExplanation = { project: c.project, runbook: c.runbook, version: c.version, matched: c.matched, trigger: c.trigger, reason: c.reason };
      if (!c.matched) {
        explanation.push(base);
        continue;
      }
      if (obs.change === 'stale') {
        explanation.push({ ...base, reason: `${c.reason}; not run: ${obs.reason}`, suppressed: true });
        continue;
      }
      if (obs.next.flapping) {
        explanation.push({ ...base, reason: `${c.reason}; ${this.series.describeFlapping(obs.next)}`, suppressed: true });
        continue;
      }
      if (c.forMs !== null && event.status === 'firing') {
        const waiting = await this.waitFor(event, c, base, obs.next);
        if (waiting) {
          explanation.push(waiting);
          continue;
        }
      }
      const res = await this.execute(event, c, base);
      explanation.push(res.explanation);
      if (res.executionId) executionIds.push(res.executionId);
      if (res.created) created += 1;
    }
    const decision = decide(explanation);
    await this.store.events.recordDecision(event.id, decision, explanation, executionIds, this.clock.now().toISOString());
    this.logger.info(
      { eventId: event.id, env: event.env, fingerprint: event.fingerprint, decision, series: obs.change, executionIds },
      `event ${event.id} ${decision} (${obs.change})${executionIds.length ? ` → ${executionIds.length} execution(s)` : ''}`,
    );
    if (created > 0) this.onQueued();

    // A resolve ends the episode, a new episode replaces the old one: their pending runs go.
    if (obs.change === 'resolved') {
      await this.pending.dropForSeries(event.env, event.fingerprint, null, `the series resolved at ${event.receivedAt} (event ${event.id}) before its for: elapsed`);
    } else if (obs.change === 'new_episode') {
      await this.pending.dropForSeries(event.env, event.fingerprint, obs.episode, `a new episode (${describeEpisode(obs.episode)}, event ${event.id}) replaced it before its for: elapsed`);
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.error({ eventId: event.id, err: String(err) }, 'a routed-event listener failed');
      }
    }
    return decision;
  }

  /**
   * A trigger with `for:`: the series must have been firing that long (from the episode's
   * startsAt, else from when Wolfe first saw it). Returns the pending explanation, or null
   * when the time has already passed (run now).
   */
  private async waitFor(event: EventRecord, c: Candidate, base: CandidateExplanation, series: Series): Promise<CandidateExplanation | null> {
    const forMs = c.forMs as number;
    const since = episodeStartMs(series);
    const now = this.clock.now();
    const due = since + forMs;
    const firingSince = new Date(since).toISOString();
    if (due <= now.getTime()) return null;
    const pending: PendingRecord = {
      id: newId(now.getTime()),
      env: event.env,
      project: c.project,
      runbook: c.runbook,
      version: c.version,
      trigger: c.trigger as number,
      eventId: event.id,
      fingerprint: event.fingerprint,
      episode: series.episode,
      dedupKey: c.dedupKey as string,
      forMs,
      createdAt: now.toISOString(),
      dueAt: new Date(due).toISOString(),
    };
    const res = await this.store.pending.createIfAbsent(pending);
    const holder = res.created ? pending : res.existing;
    if (res.created || holder.eventId === event.id) {
      return { ...base, reason: `${c.reason}; ${pendingReason(holder.dueAt, forMs, firingSince)}`, pendingUntil: holder.dueAt };
    }
    return {
      ...base,
      reason: `${c.reason}; deduplicated: event ${holder.eventId} already waits for this episode (${pendingReason(holder.dueAt, forMs, firingSince)})`,
      duplicateOfEvent: holder.eventId,
    };
  }

  private async execute(
    event: EventRecord,
    c: Candidate,
    base: CandidateExplanation,
  ): Promise<{ explanation: CandidateExplanation; executionId: string | null; created: boolean }> {
    const now = this.clock.now();
    const execution = queuedExecution(
      { project: c.project, runbook: c.runbook, env: event.env, version: c.version, eventId: event.id, trigger: c.trigger, dedupKey: c.dedupKey },
      now,
    );
    const reason = c.forMs !== null && event.status === 'firing' ? `${c.reason}; for: already elapsed` : c.reason;
    const res = await this.store.executions.createIfAbsent(execution);
    if (res.created) return { explanation: { ...base, reason, executionId: execution.id }, executionId: execution.id, created: true };
    if (res.existing.eventId === event.id) {
      // Routing of this very event resumed after a crash: the execution is ours.
      return { explanation: { ...base, reason, executionId: res.existing.id }, executionId: res.existing.id, created: true };
    }
    return {
      explanation: {
        ...base,
        reason: `${reason}; deduplicated: execution ${res.existing.id} (event ${res.existing.eventId ?? 'none'}) already handles this episode`,
        duplicateOf: res.existing.id,
      },
      executionId: null,
      created: false,
    };
  }

  /** Routes events that were accepted but not decided (e.g. the process stopped in between). */
  async resume(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const pending = await this.store.events.listUndecided(batch);
      if (pending.length === 0) return total;
      let progressed = 0;
      for (const e of pending) {
        if (!this.catalogs.serves(e.env)) continue;
        try {
          await this.route(e);
          progressed += 1;
        } catch (err) {
          // One event that cannot be routed must not hold back the others; it stays
          // undecided and is tried again by the next sweep.
          this.logger.error({ eventId: e.id, err: String(err) }, 'routing failed; will retry');
        }
      }
      total += progressed;
      if (progressed === 0) return total;
    }
  }
}
