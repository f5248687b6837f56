import { fingerprint, type AlertStatus, type Labels } from '@wolfe/events';
import { newId } from './ids';
import type { DeliveryRecord, Environment, EventRecord, Timestamp } from './ports/records';
import type { Clock, Logger } from './ports/runtime';
import type { Store } from './ports/store';

/** The source name of events Wolfe raises itself (no intake route has this name). */
export const INTERNAL_SOURCE = 'wolfe';

/** An event Wolfe raises about itself: a missed heartbeat, a flapping series. */
export interface InternalEvent {
  readonly env: Environment;
  /** Default {@link INTERNAL_SOURCE}; `runbook:<project>/<name>` for an event a runbook emitted (`ctx.emit`). */
  readonly source?: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly status: AlertStatus;
  readonly startsAt: Timestamp;
  readonly endsAt: Timestamp | null;
}

/**
 * Records internal events exactly like a delivery (source `wolfe`, the raw body is the JSON
 * of the internal event) and hands them to routing, so runbooks match them like any alert
 * and the ledger shows them with their reasons.
 */
export class InternalEvents {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onRecorded: (events: readonly EventRecord[]) => void,
  ) {}

  async raise(e: InternalEvent): Promise<EventRecord> {
    const source = e.source ?? INTERNAL_SOURCE;
    const receivedAt = this.clock.now();
    const at = receivedAt.toISOString();
    const deliveryId = newId(receivedAt.getTime());
    const event: EventRecord = {
      id: newId(receivedAt.getTime()),
      deliveryId,
      source,
      env: e.env,
      fingerprint: fingerprint(e.labels),
      sourceFingerprint: null,
      labels: e.labels,
      annotations: e.annotations,
      status: e.status,
      startsAt: e.startsAt,
      endsAt: e.endsAt,
      sourceUrl: null,
      receivedAt: at,
      decision: null,
      decidedAt: null,
      explanation: [],
      executionIds: [],
    };
    const delivery: DeliveryRecord = {
      id: deliveryId,
      source,
      env: e.env,
      receivedAt: at,
      contentType: 'application/json',
      body: JSON.stringify({ labels: e.labels, annotations: e.annotations, status: e.status, startsAt: e.startsAt, endsAt: e.endsAt }),
      outcome: 'accepted',
      error: null,
      eventIds: [event.id],
    };
    await this.store.deliveries.record(delivery, [event]);
    this.logger.info(
      { eventId: event.id, env: e.env, labels: e.labels, status: e.status },
      `internal event ${e.labels['alertname'] ?? ''} ${e.status} (${event.id})`,
    );
    this.onRecorded([event]);
    return event;
  }
}
