import { formatDuration } from '@wolfe/runbooks';
import { DEFAULT_PROJECT } from '@wolfe/router';
import { describeEpisode, type Series } from '@wolfe/series';
import type { CandidateExplanation, EventDecision, PendingRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';
import { queuedExecution } from './executions';

/** Separates a candidate's match reason from what the wait added to it. */
export const PENDING_MARK = '; pending until ';

/**
 * The event's decision follows from its candidates: an execution started → `matched`; else a
 * run waiting for `for:` → `pending`; else all handled elsewhere → `deduplicated`; else held
 * back → `suppressed`; else `unmatched`.
 */
export function decide(explanation: readonly CandidateExplanation[]): EventDecision {
  if (explanation.some((c) => c.executionId !== undefined)) return 'matched';
  if (explanation.some((c) => c.pendingUntil !== undefined)) return 'pending';
  if (explanation.some((c) => c.duplicateOf !== undefined || c.duplicateOfEvent !== undefined)) return 'deduplicated';
  if (explanation.some((c) => c.suppressed === true)) return 'suppressed';
  return 'unmatched';
}

/** `pending until 2026-…Z (for: 2m), firing since 2026-…Z` */
export function pendingReason(dueAt: string, forMs: number, firingSince: string): string {
  return `pending until ${dueAt} (for: ${formatDuration(forMs)}), firing since ${firingSince}`;
}

const baseReason = (c: CandidateExplanation): string => {
  const i = c.reason.indexOf(PENDING_MARK);
  return i < 0 ? c.reason : c.reason.slice(0, i);
};

const withoutPending = (c: CandidateExplanation): CandidateExplanation => {
  const { pendingUntil: _dropped, ...rest } = c;
  return rest;
};

/**
 * Runs that wait for a trigger's `for:`. They are durable (the store's PendingRepository),
 * so a restart loses none; `runDue()` (a timer) re-evaluates each one when due against its
 * series: still firing in the same episode (and not flapping) → the execution is created
 * with the dedup key the event would have used, and the event's explanation and decision
 * are updated; resolved, replaced by a new episode or flapping → dropped, with the reason
 * recorded on the event. A resolve drops the series' pending runs at once (`dropForSeries`).
 */
export class PendingRuns {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onQueued: () => void,
  ) {}

  /** Re-evaluates every pending run that is due. Returns how many were settled. */
  async runDue(limit = 200): Promise<number> {
    let settled = 0;
    for (const p of await this.store.pending.listDue(this.clock.now().toISOString(), limit)) {
      try {
        if (await this.settle(p)) settled += 1;
      } catch (err) {
        this.logger.error({ pendingId: p.id, eventId: p.eventId, err: String(err) }, 'could not settle a pending run; will retry');
      }
    }
    return settled;
  }

  /**
   * Drops the series' pending runs of every episode but `keep` (null: all of them), e.g.
   * when the series resolves or a new episode starts. `why` says what happened.
   */
  async dropForSeries(env: PendingRecord['env'], fingerprint: string, keep: string | null, why: string): Promise<number> {
    let dropped = 0;
    for (const p of await this.store.pending.listBySeries(env, fingerprint)) {
      if (p.episode === keep) continue;
      await this.drop(p, why);
      dropped += 1;
    }
    return dropped;
  }

  private async settle(p: PendingRecord): Promise<boolean> {
    const event = await this.store.events.get(p.eventId);
    // Its routing has not recorded the decision yet: settle on the next tick.
    if (event !== null && event.decision === null) return false;
    const series = await this.store.series.get(p.env, p.fingerprint);
    const waited = `for: ${formatDuration(p.forMs)}`;
    if (series === null) {
      await this.drop(p, `the series is no longer known, so ${waited} cannot be confirmed`);
    } else if (series.episode !== p.episode) {
      await this.drop(
        p,
        series.state === 'firing'
          ? `a new episode (${describeEpisode(series.episode)}) replaced ${describeEpisode(p.episode)} before ${waited} elapsed`
          : `the series resolved before ${waited} elapsed`,
      );
    } else if (series.state !== 'firing') {
      await this.drop(p, `the series resolved${resolvedAt(series, p.episode)} before ${waited} elapsed`);
    } else if (series.flapping) {
      await this.drop(p, `the series is flapping (since ${series.flappingSince ?? '?'}) when ${waited} elapsed`);
    } else {
      await this.run(p);
    }
    return true;
  }

  private async run(p: PendingRecord): Promise<void> {
    await this.exclusive(p.eventId, async () => {
      const now = this.clock.now();
      const execution = queuedExecution(
        { project: p.project, runbook: p.runbook, env: p.env, version: p.version, eventId: p.eventId, trigger: p.trigger, dedupKey: p.dedupKey },
        now,
      );
      const res = await this.store.executions.createIfAbsent(execution);
      const holder = res.created ? execution : res.existing;
      const ours = res.created || holder.eventId === p.eventId;
      const waited = `waited for: ${formatDuration(p.forMs)} until ${p.dueAt}; the series was still firing`;
      await this.updateEvent(
        p,
        (c) =>
          ours
            ? { ...withoutPending(c), reason: `${baseReason(c)}; ${waited}: execution ${holder.id} started`, executionId: holder.id }
            : {
                ...withoutPending(c),
                reason: `${baseReason(c)}; ${waited}; deduplicated: execution ${holder.id} (event ${holder.eventId ?? 'none'}) already handles this episode`,
                duplicateOf: holder.id,
              },
        ours ? holder.id : null,
      );
      await this.store.pending.delete(p.id);
      this.logger.info({ pendingId: p.id, eventId: p.eventId, project: p.project, runbook: p.runbook, executionId: holder.id }, `pending run of ${p.runbook} is due: execution ${holder.id}`);
      if (res.created) this.onQueued();
    });
  }

  private async drop(p: PendingRecord, why: string): Promise<void> {
    await this.exclusive(p.eventId, async () => {
      await this.updateEvent(p, (c) => ({ ...withoutPending(c), reason: `${baseReason(c)}; pending run dropped: ${why}`, suppressed: true }), null);
      await this.store.pending.delete(p.id);
      this.logger.info({ pendingId: p.id, eventId: p.eventId, project: p.project, runbook: p.runbook }, `pending run of ${p.runbook} dropped: ${why}`);
    });
  }

  /** Rewrites the candidate of `p.runbook` (of `p.project`) on the event, and the event's decision with it. */
  private async updateEvent(p: PendingRecord, change: (c: CandidateExplanation) => CandidateExplanation, executionId: string | null): Promise<void> {
    const event = await this.store.events.get(p.eventId);
    if (event === null) return; // removed by retention: nothing to explain any more
    let touched = false;
    const explanation = event.explanation.map((c) => {
      if (c.runbook !== p.runbook || (c.project ?? DEFAULT_PROJECT) !== p.project || c.pendingUntil === undefined) return c;
      touched = true;
      return change(c);
    });
    if (!touched) return; // already settled (another process, or a retry)
    const executionIds = executionId === null || event.executionIds.includes(executionId) ? event.executionIds : [...event.executionIds, executionId];
    await this.store.events.recordDecision(event.id, decide(explanation), explanation, executionIds, this.clock.now().toISOString());
  }

  /** One change at a time per event (a resolve and the timer may settle the same event). */
  private async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const result = before.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

function resolvedAt(series: Series, episode: string): string {
  const t = [...series.transitions].reverse().find((x) => x.to === 'resolved' && x.episode === episode);
  return t ? ` at ${t.at}` : '';
}
