import type { Logger, Wolfe } from '@wolfe/application';
import { queueName, type SqsMessage, type SqsQueueStatus } from '@wolfe/sqs-intake';

/** What became of one received SQS message (kept in memory, newest last, bounded). */
export interface SqsOutcome {
  readonly queueUrl: string;
  readonly messageId: string;
  readonly receiveCount: number;
  readonly deliveryId: string;
  readonly outcome: 'recorded' | 'rejected';
  readonly eventIds: readonly string[];
  readonly error: string | null;
}

/** The SQS intake as the running server exposes it (tests, diagnostics). */
export interface SqsIntakeHandle {
  status(): SqsQueueStatus[];
  /** The last outcomes (at most 200), oldest first. */
  recent(): readonly SqsOutcome[];
}

const RECENT = 200;

function arnName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1) || arn;
}

/**
 * Records SQS messages through the same intake use-case as HTTP deliveries. A message the
 * sources cannot read (poison) is recorded as a rejected delivery on every receive, with
 * the receive count in its error, and left on the queue: SQS's redrive policy then moves it
 * to the dead-letter queue after maxReceiveCount receives. Each attempt is kept (not just
 * the first) so the record shows how close the message is to the DLQ; with a DLQ the
 * number of records per poison message is bounded by maxReceiveCount.
 */
export class SqsRecorder {
  private readonly outcomes: SqsOutcome[] = [];

  constructor(
    private readonly wolfe: Wolfe,
    private readonly logger: Logger,
  ) {}

  readonly handle = async (m: SqsMessage): Promise<'recorded' | 'rejected'> => {
    const queue = queueName(m.queueUrl);
    const attempt = `receive ${m.receiveCount}${m.redrive ? ` of maxReceiveCount ${m.redrive.maxReceiveCount}` : ''}`;
    const fate = m.redrive
      ? m.receiveCount >= m.redrive.maxReceiveCount
        ? `left on the queue: SQS moves it to the dead-letter queue ${arnName(m.redrive.deadLetterTargetArn)} instead of delivering it again`
        : `left on the queue: SQS moves it to the dead-letter queue ${arnName(m.redrive.deadLetterTargetArn)} after ${m.redrive.maxReceiveCount} receives`
      : 'left on the queue, which has no dead-letter queue (RedrivePolicy): it comes back after every visibility timeout';
    const origin = [`SQS queue ${queue}, message ${m.messageId}, ${attempt}`, m.note, fate].filter(Boolean).join('; ');
    const result = await this.wolfe.intake.accept({ source: m.source, env: m.env, contentType: 'application/json', body: m.body, origin });
    if (result.ok) {
      this.remember({ queueUrl: m.queueUrl, messageId: m.messageId, receiveCount: m.receiveCount, deliveryId: result.deliveryId, outcome: 'recorded', eventIds: result.eventIds, error: null });
      this.logger.debug({ queue: m.queueUrl, messageId: m.messageId, receiveCount: m.receiveCount, deliveryId: result.deliveryId, events: result.eventIds.length }, `SQS message ${m.messageId} recorded`);
      if (result.subscribeUrl !== undefined) {
        this.logger.warn(
          { queue: m.queueUrl, deliveryId: result.deliveryId },
          `SQS queue ${queue} received an SNS subscription confirmation (delivery ${result.deliveryId}): it is not confirmed automatically; GET its SubscribeURL once (GET /api/v1/deliveries/${result.deliveryId} shows it)`,
        );
      }
      return 'recorded';
    }
    this.remember({ queueUrl: m.queueUrl, messageId: m.messageId, receiveCount: m.receiveCount, deliveryId: result.deliveryId, outcome: 'rejected', eventIds: [], error: result.error });
    return 'rejected';
  };

  recent(): readonly SqsOutcome[] {
    return this.outcomes;
  }

  private remember(o: SqsOutcome): void {
    this.outcomes.push(o);
    if (this.outcomes.length > RECENT) this.outcomes.splice(0, this.outcomes.length - RECENT);
  }
}
