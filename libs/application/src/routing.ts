import { routeEvent } from '@wolfe/router';
import type { RunbookCatalog } from './catalog';
import { newId } from './ids';
import type { CandidateExplanation, EventDecision, EventRecord, ExecutionRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';

/**
 * Routing: every event gets a decision with a reason per candidate runbook, recorded
 * beside the event. Executions are created with a dedup key that the store enforces, so
 * re-sent alerts, retried webhooks and a crash between "created" and "decided" never
 * start a second remediation.
 */
export class RoutingService {
  constructor(
    private readonly store: Store,
    private readonly catalog: RunbookCatalog,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onQueued: () => void,
  ) {}

  async route(event: EventRecord): Promise<EventDecision> {
    const snap = this.catalog.snapshot(event.env);
    if (!snap) throw new Error(`environment ${event.env} has no runbook catalog loaded`);
    const candidates = routeEvent(event, snap.runbooks.map((r) => ({ name: r.name, version: r.version, triggers: r.manifest.triggers })));

    const explanation: CandidateExplanation[] = [];
    const executionIds: string[] = [];
    let matched = 0;
    let created = 0;
    for (const c of candidates) {
      const base: CandidateExplanation = { runbook: c.runbook, version: c.version, matched: c.matched, trigger: c.trigger, reason: c.reason };
      if (!c.matched) {
        explanation.push(base);
        continue;
      }
      matched += 1;
      const now = this.clock.now();
      const execution: ExecutionRecord = {
        id: newId(now.getTime()),
        runbook: c.runbook,
        env: event.env,
        version: c.version,
        status: 'queued',
        eventId: event.id,
        trigger: c.trigger,
        dedupKey: c.dedupKey,
        createdAt: now.toISOString(),
        startedAt: null,
        finishedAt: null,
        result: null,
        error: null,
      };
      const res = await this.store.executions.createIfAbsent(execution);
      if (res.created) {
        created += 1;
        executionIds.push(execution.id);
        explanation.push({ ...base, executionId: execution.id });
      } else if (res.existing.eventId === event.id) {
        // Routing of this very event resumed after a crash: the execution is ours.
        created += 1;
        executionIds.push(res.existing.id);
        explanation.push({ ...base, executionId: res.existing.id });
      } else {
        explanation.push({
          ...base,
          reason: `${c.reason}; deduplicated: execution ${res.existing.id} (event ${res.existing.eventId ?? 'none'}) already handles this episode`,
          duplicateOf: res.existing.id,
        });
      }
    }
    const decision: EventDecision = matched === 0 ? 'unmatched' : created === 0 ? 'deduplicated' : 'matched';
    await this.store.events.recordDecision(event.id, decision, explanation, executionIds, this.clock.now().toISOString());
    this.logger.info(
      { eventId: event.id, env: event.env, fingerprint: event.fingerprint, decision, executionIds },
      `event ${event.id} ${decision}${executionIds.length ? ` → ${executionIds.length} execution(s)` : ''}`,
    );
    if (created > 0) this.onQueued();
    return decision;
  }

  /** Routes events that were accepted but not decided (e.g. the process stopped in between). */
  async resume(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const pending = await this.store.events.listUndecided(batch);
      if (pending.length === 0) return total;
      let progressed = 0;
      for (const e of pending) {
        if (!this.catalog.serves(e.env)) continue;
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
