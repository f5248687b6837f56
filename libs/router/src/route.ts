import type { AlertStatus, Labels } from '@wolfe/events';
import { explainMismatch, firstMismatch } from '@wolfe/matchers';
import type { Trigger } from '@wolfe/runbooks';

/** What the router needs to know about an event. */
export interface RoutableEvent {
  readonly id: string;
  readonly env: string;
  readonly source: string;
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly status: AlertStatus;
  readonly startsAt: string | null;
}

/** The embedded project (`<data dir>/repos/default.git`); runbooks without a project belong to it. */
export const DEFAULT_PROJECT = 'default';

export interface RoutableRunbook {
  /** The project (git repository) the runbook belongs to; default `default`. A runbook is (project, name). */
  readonly project?: string;
  readonly name: string;
  readonly version: string;
  readonly triggers: readonly Trigger[];
}

/** The verdict for one candidate runbook, with its reason in words. */
export interface Candidate {
  readonly project: string;
  readonly runbook: string;
  readonly version: string;
  readonly matched: boolean;
  readonly trigger: number | null;
  readonly reason: string;
  /** Set when matched: executions with the same key are one remediation. */
  readonly dedupKey: string | null;
  /** Set when matched by a trigger with `for:`: how long the series must fire first (ms). */
  readonly forMs: number | null;
}

/**
 * One firing episode of one label set is one problem: Alertmanager re-sends it every
 * repeat_interval with the same startsAt, and webhooks are retried. The key names the
 * environment, the runbook (project and name), the series (fingerprint), the status and the
 * episode. `episode` is the series' episode (libs/series: the startsAt, or when Wolfe first saw
 * an episode without one); without it, the startsAt, and without that the event itself.
 *
 * The runbook part is `project/name` (a runbook name never contains `/`), except in the default
 * project, whose keys keep the form they had before projects existed (`name`): executions made
 * before an upgrade still deduplicate the re-sends that come after it.
 */
export function dedupKey(event: RoutableEvent, runbook: string, episode?: string, project: string = DEFAULT_PROJECT): string {
  const who = project === DEFAULT_PROJECT ? runbook : `${project}/${runbook}`;
  return [event.env, who, event.fingerprint, event.status, episode ?? event.startsAt ?? `event:${event.id}`].join('|');
}

/**
 * Why `trigger` does not start for `event` (null: it does). With `labelsMatched` the
 * matchers are known to hold (an index verified them) and only source and status are checked.
 */
export function triggerVerdict(event: RoutableEvent, trigger: Trigger, labelsMatched = false): string | null {
  if (trigger.source !== null && trigger.source !== event.source) {
    return `source is ${event.source}; the trigger wants ${trigger.source}`;
  }
  if (trigger.status !== 'any' && trigger.status !== event.status) {
    return `status is ${event.status}; the trigger wants ${trigger.status}`;
  }
  if (labelsMatched) return null;
  const miss = firstMismatch(trigger.matchers, event.labels);
  return miss === null ? null : explainMismatch(miss, event.labels);
}

/** `trigger 0 matched: {alertname="A"} (status firing)` */
export function matchedReason(index: number, trigger: Trigger): string {
  return `trigger ${index} matched: ${trigger.match}${trigger.status === 'any' ? '' : ` (status ${trigger.status})`}`;
}

/**
 * Decides, for every runbook of the event's environment, whether it runs and why, by
 * checking every trigger. Routing uses the indexed `RoutingTable`; this full scan answers
 * "why not" on demand (GET /api/v1/events/:id) and is the reference the table is tested against.
 */
export function routeEvent(event: RoutableEvent, runbooks: readonly RoutableRunbook[], episode?: string): Candidate[] {
  return runbooks.map((rb) => {
    const project = rb.project ?? DEFAULT_PROJECT;
    const reasons: string[] = [];
    for (let i = 0; i < rb.triggers.length; i++) {
      const trigger = rb.triggers[i] as Trigger;
      const why = triggerVerdict(event, trigger);
      if (why === null) {
        return {
          project,
          runbook: rb.name,
          version: rb.version,
          matched: true,
          trigger: i,
          reason: matchedReason(i, trigger),
          dedupKey: dedupKey(event, rb.name, episode, project),
          forMs: trigger.forMs,
        };
      }
      reasons.push(rb.triggers.length === 1 ? why : `trigger ${i}: ${why}`);
    }
    return {
      project,
      runbook: rb.name,
      version: rb.version,
      matched: false,
      trigger: null,
      reason: reasons.length === 0 ? 'the runbook has no triggers' : reasons.join('; '),
      dedupKey: null,
      forMs: null,
    };
  });
}
