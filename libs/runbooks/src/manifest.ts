import type { Matcher } from '@wolfe/matchers';

export type TriggerStatus = 'firing' | 'resolved' | 'any';

export interface Trigger {
  /** The matcher text exactly as written, e.g. `{alertname="DiskAlmostFull", severity=~"warning|critical"}`. */
  readonly match: string;
  readonly matchers: readonly Matcher[];
  readonly status: TriggerStatus;
  /** Only events from this source (`alertmanager`, …); null = any source. */
  readonly source: string | null;
  /**
   * `for:` — the runbook runs only once the series has been firing this long (from the
   * event's startsAt, else from when Wolfe first saw the episode); null = at once.
   */
  readonly forMs: number | null;
}

/** runbook.yaml, validated. */
export interface Manifest {
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly triggers: readonly Trigger[];
  readonly timeoutMs: number;
  readonly memoryMiB: number;
}

/** A problem in a runbook folder: names the file, the field (dotted path) and the fix. */
export interface RunbookProblem {
  readonly file: string;
  /** e.g. `triggers[0].match`; null when the problem is the file as a whole. */
  readonly field: string | null;
  readonly line: number | null;
  readonly message: string;
}
