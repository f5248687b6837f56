import { MatcherIndex, regexFor, type Matcher } from '@wolfe/matchers';
import type { Trigger } from '@wolfe/runbooks';
import { type Candidate, DEFAULT_PROJECT, type RoutableEvent, type RoutableRunbook, dedupKey, matchedReason, triggerVerdict } from './route';

interface Entry {
  readonly runbook: number;
  readonly trigger: number;
}

/** The matcher a near miss is keyed on: `alertname` when it is selective, else the first equality. */
function nearKey(matchers: readonly Matcher[]): Matcher | null {
  const selective = (m: Matcher): boolean => {
    if (m.value === '') return false;
    if (m.type === '=') return true;
    if (m.type !== '=~') return false;
    const lits = regexFor(m.value).literals;
    return lits !== null && lits.length > 0 && !lits.includes('');
  };
  return matchers.find((m) => m.name === 'alertname' && selective(m)) ?? matchers.find((m) => m.type === '=' && m.value !== '') ?? null;
}

/** Size of a routing table, for tests and monitoring. */
export interface RoutingTableStats {
  readonly runbooks: number;
  readonly triggers: number;
  /** Triggers checked for every event because none of their matchers is selective. */
  readonly unindexed: number;
}

/**
 * The triggers of one catalog version, indexed: routing an event looks up the event's own
 * label values instead of checking every trigger (see MatcherIndex). Built once per catalog
 * snapshot.
 *
 * `route()` returns the runbooks that matched and the **near misses**: runbooks with a
 * trigger whose selective matcher (its `alertname`, else its first `name="value"`) matched
 * but which failed elsewhere (another matcher, the status or the source). Those are what an
 * operator asks about; the reason for every other runbook ("alertname is X, the trigger
 * wants Y") is computed on demand with `routeEvent()`.
 */
export class RoutingTable {
  private readonly entries: Entry[] = [];
  private readonly full = new MatcherIndex<number>();
  private readonly near = new MatcherIndex<number>();
  private readonly unindexedCount: number;

  constructor(readonly runbooks: readonly RoutableRunbook[]) {
    runbooks.forEach((rb, r) => {
      rb.triggers.forEach((t, i) => {
        const id = this.entries.length;
        this.entries.push({ runbook: r, trigger: i });
        this.full.add(id, t.matchers);
        const key = nearKey(t.matchers);
        if (key !== null) this.near.add(id, [key]);
      });
    });
    this.unindexedCount = this.full.stats().fallback;
  }

  stats(): RoutingTableStats {
    return { runbooks: this.runbooks.length, triggers: this.entries.length, unindexed: this.unindexedCount };
  }

  /**
   * The runbooks this event starts (matched, first matching trigger) and the near misses,
   * in catalog order. `episode` names the episode for the dedup key (see `dedupKey`).
   */
  route(event: RoutableEvent, episode?: string): Candidate[] {
    const full = this.full.candidates(event.labels);
    const near = this.near.candidates(event.labels);
    if (full.length === 0 && near.length === 0) return [];

    // Per runbook: the first matching trigger, or the triggers that nearly matched.
    const byRunbook = new Map<number, { matched: number | null; misses: { trigger: number; why: string }[] }>();
    const slot = (r: number) => {
      let s = byRunbook.get(r);
      if (s === undefined) byRunbook.set(r, (s = { matched: null, misses: [] }));
      return s;
    };
    const labelsMatched = new Set<number>();
    for (const id of full) {
      labelsMatched.add(id);
      const e = this.entries[id] as Entry;
      const trigger = this.trigger(e);
      const why = triggerVerdict(event, trigger, true);
      const s = slot(e.runbook);
      if (why === null) {
        if (s.matched === null || e.trigger < s.matched) s.matched = e.trigger;
      } else s.misses.push({ trigger: e.trigger, why });
    }
    for (const id of near) {
      if (labelsMatched.has(id)) continue;
      const e = this.entries[id] as Entry;
      const why = triggerVerdict(event, this.trigger(e)) ?? 'matched';
      slot(e.runbook).misses.push({ trigger: e.trigger, why });
    }

    const out: Candidate[] = [];
    for (const r of [...byRunbook.keys()].sort((a, b) => a - b)) {
      const rb = this.runbooks[r] as RoutableRunbook;
      const project = rb.project ?? DEFAULT_PROJECT;
      const s = byRunbook.get(r) as { matched: number | null; misses: { trigger: number; why: string }[] };
      if (s.matched !== null) {
        const trigger = rb.triggers[s.matched] as Trigger;
        out.push({
          project,
          runbook: rb.name,
          version: rb.version,
          matched: true,
          trigger: s.matched,
          reason: matchedReason(s.matched, trigger),
          dedupKey: dedupKey(event, rb.name, episode, project),
          forMs: trigger.forMs,
        });
        continue;
      }
      s.misses.sort((a, b) => a.trigger - b.trigger);
      const first = s.misses[0];
      out.push({
        project,
        runbook: rb.name,
        version: rb.version,
        matched: false,
        trigger: first ? first.trigger : null,
        reason: s.misses.map((m) => (rb.triggers.length === 1 ? m.why : `trigger ${m.trigger}: ${m.why}`)).join('; '),
        dedupKey: null,
        forMs: null,
      });
    }
    return out;
  }

  private trigger(e: Entry): Trigger {
    return (this.runbooks[e.runbook] as RoutableRunbook).triggers[e.trigger] as Trigger;
  }
}
