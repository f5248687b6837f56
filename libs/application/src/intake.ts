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
}

export type IntakeResult =
  | { readonly ok: true; readonly deliveryId: string; readonly eventIds: readonly string[]; readonly notes: readonly string[]; readonly subscribeUrl?: string }
  | { readonly ok: false; readonly reason: 'unknown_source' | 'malformed'; readonly deliveryId: string; readonly error: string };

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

  async accept(req: IntakeRequest): Promise<IntakeResult> {
    const receivedAt = this.clock.now();
    const deliveryId = newId(receivedAt.getTime());
    const reject = async (reason: 'unknown_source' | 'malformed', error: string): Promise<IntakeResult> => {
      await this.store.deliveries.record(this.delivery(deliveryId, req, receivedAt, 'rejected', error, []), []);
      this.logger.warn({ deliveryId, source: req.source, env: req.env, reason }, `delivery rejected: ${error}`);
      return { ok: false, reason, deliveryId, error };
    };

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
