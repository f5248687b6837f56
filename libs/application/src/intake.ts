import { fingerprint } from '@wolfe/events';
import type { SourceNormalizer } from '@wolfe/sources';
import { newId } from './ids';
import type { DeliveryRecord, Environment, EventRecord } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';

export interface IntakeRequest {
  readonly source: string;
  readonly env: Environment;
  readonly contentType: string | null;
  /** The raw body, exactly as received. */
  readonly body: string;
  /**
   * Where the delivery came from when that matters for its record, e.g. `SQS queue alarms,
   * message 1f2e…, receive 2 of 5`: appended to the error of a rejected delivery and logged.
   */
  readonly origin?: string;
}

/** Why a delivery was not accepted. */
export type IntakeRejection = 'unknown_source' | 'malformed' | 'unauthenticated';

export type IntakeResult =
  | { readonly ok: true; readonly deliveryId: string; readonly eventIds: readonly string[]; readonly notes: readonly string[]; readonly subscribeUrl?: string }
  | { readonly ok: false; readonly reason: IntakeRejection; readonly deliveryId: string; readonly error: string };

export type IntakeRejected = Extract<IntakeResult, { ok: false }>;

/**
 * Intake: parse, normalize and durably record a delivery with its events. Routing happens
 * after the answer (`onRecorded`), so a slow or failing runbook never costs an alert; a
 * delivery the sources cannot read is recorded as rejected, raw body and reason kept.
 */
export class IntakeService {
  constructor(
    private readonly store: Store,
    private readonly sources: (name: string) => SourceNormalizer | undefined,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onRecorded: (events: readonly EventRecord[]) => void,
  ) {}

  /**
   * Records a delivery the edge refused before reading it (e.g. a missing or wrong
   * signature): raw body and reason are kept, like any rejected delivery, for inspection.
   */
  async reject(req: IntakeRequest, reason: IntakeRejection, error: string): Promise<IntakeRejected> {
    const receivedAt = this.clock.now();
    return this.recordRejection(newId(receivedAt.getTime()), receivedAt, req, reason, error);
  }

  async accept(req: IntakeRequest): Promise<IntakeResult> {
    const receivedAt = this.clock.now();
    const deliveryId = newId(receivedAt.getTime());
    const reject = (reason: IntakeRejection, error: string) => this.recordRejection(deliveryId, receivedAt, req, reason, error);

    const normalizer = this.sources(req.source);
    if (!normalizer) return reject('unknown_source', `unknown source "${req.source}"`);

    let payload: unknown;
    try {
      payload = JSON.parse(req.body);
    } catch (err) {
      return reject('malformed', `body is not valid JSON: ${(err as Error).message}`);
    }
    const normalized = normalizer.normalize(payload);
    if (!normalized.ok) return reject('malformed', normalized.error);

    const receivedIso = receivedAt.toISOString();
    const events: EventRecord[] = normalized.alerts.map((a) => ({
      id: newId(receivedAt.getTime()),
      deliveryId,
      source: req.source,
      env: req.env,
      fingerprint: fingerprint(a.labels),
      sourceFingerprint: a.sourceFingerprint,
      labels: a.labels,
      annotations: a.annotations,
      status: a.status,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      sourceUrl: a.sourceUrl,
      receivedAt: receivedIso,
      decision: null,
      decidedAt: null,
      explanation: [],
      executionIds: [],
    }));
    const eventIds = events.map((e) => e.id);
    await this.store.deliveries.record(this.delivery(deliveryId, req, receivedAt, 'accepted', null, eventIds), events);
    this.onRecorded(events);
    return {
      ok: true,
      deliveryId,
      eventIds,
      notes: normalized.notes,
      ...(normalized.subscribeUrl === undefined ? {} : { subscribeUrl: normalized.subscribeUrl }),
    };
  }

  private async recordRejection(deliveryId: string, receivedAt: Date, req: IntakeRequest, reason: IntakeRejection, error: string): Promise<IntakeRejected> {
    const full = req.origin ? `${error} [${req.origin}]` : error;
    await this.store.deliveries.record(this.delivery(deliveryId, req, receivedAt, 'rejected', full, []), []);
    this.logger.warn({ deliveryId, source: req.source, env: req.env, reason }, `delivery rejected: ${full}`);
    return { ok: false, reason, deliveryId, error: full };
  }

  private delivery(
    id: string,
    req: IntakeRequest,
    receivedAt: Date,
    outcome: DeliveryRecord['outcome'],
    error: string | null,
    eventIds: readonly string[],
  ): DeliveryRecord {
    return {
      id,
      source: req.source,
      env: req.env,
      receivedAt: receivedAt.toISOString(),
      contentType: req.contentType,
      body: req.body,
      outcome,
      error,
      eventIds,
    };
  }
}
