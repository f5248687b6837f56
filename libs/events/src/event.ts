/** A label set: the identity of an alert. Names and values are UTF-8 strings. */
export type Labels = Readonly<Record<string, string>>;

/** What the source says about the alert. */
export type AlertStatus = 'firing' | 'resolved';

/**
 * One alert as every source normalizes it (the "one event model").
 * Times are ISO-8601 strings (UTC); absent times are null, never the zero time.
 */
export interface NormalizedAlert {
  /** Source name as in the intake route, e.g. `alertmanager`. */
  readonly source: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status: AlertStatus;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  /** The fingerprint the source computed, kept beside ours for cross-reference. */
  readonly sourceFingerprint: string | null;
  /** A link back to the source (generatorURL, dashboard, …) when it gives one. */
  readonly sourceUrl: string | null;
}
