import type { NormalizedAlert } from '@wolfe/events';

/** What a normalizer makes of one delivery (one HTTP body or one queue message). */
export type NormalizeResult =
  | {
      ok: true;
      alerts: NormalizedAlert[];
      /**
       * A key identifying this delivery across the source's retries, when the source gives one
       * (SNS MessageId, EventBridge id, PagerDuty event id, CloudEvents source#id, Datadog $ID), else null.
       */
      deliveryKey: string | null;
      /** Notes worth recording with the delivery, e.g. "Alertmanager truncated 3 alerts from this group". */
      notes: string[];
      /** SNS SubscriptionConfirmation: the URL to GET to confirm the subscription (already checked to be an SNS host). */
      subscribeUrl?: string;
    }
  | {
      ok: false;
      /** `<field path>: <what is wrong and what was expected>`, e.g. `alerts[2].labels: expected an object of string values, got a string ("x")`. */
      error: string;
      /** The field path the error is about (`alerts[2].labels`), or null when it is about the payload as a whole. */
      field: string | null;
    };

export type NormalizeFailure = Extract<NormalizeResult, { ok: false }>;
export type NormalizeSuccess = Extract<NormalizeResult, { ok: true }>;

/** One alert source format. Pure: no I/O, never throws on bad input (bad input is `ok: false`). */
export interface SourceNormalizer {
  /** The route name: `POST /api/v1/events/{name}`. */
  readonly name: string;
  normalize(payload: unknown): NormalizeResult;
}
