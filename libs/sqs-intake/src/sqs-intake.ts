import { GetQueueAttributesCommand, type Message, SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import type { Environment, Logger } from '@wolfe/application';
import { prepareMessage, type SqsSourceMode } from './detect';

/** One queue to consume (validated by the server's configuration). */
export interface SqsQueueConfig {
  readonly url: string;
  readonly source: SqsSourceMode;
  readonly env: Environment;
  /** Messages per ReceiveMessage, 1..10. */
  readonly batchSize: number;
  /** Long polling, 0..20 seconds. */
  readonly waitTimeSeconds: number;
  /** Seconds a received message stays invisible; extended while it is being recorded. */
  readonly visibilityTimeout: number;
}

/** The queue's dead-letter settings (RedrivePolicy), when it has them. */
export interface Redrive {
  readonly maxReceiveCount: number;
  readonly deadLetterTargetArn: string;
}

/** One message, handed to the intake. */
export interface SqsMessage {
  readonly queueUrl: string;
  readonly messageId: string;
  /** The text to record and normalize (see `prepareMessage`). */
  readonly body: string;
  /** ApproximateReceiveCount: 1 on the first receive. */
  readonly receiveCount: number;
  /** The intake source that reads `body`. */
  readonly source: string;
  readonly env: Environment;
  /** How the source was detected or the body unwrapped; null when nothing to say. */
  readonly note: string | null;
  /** The queue's RedrivePolicy; null when it has none (or it could not be read). */
  readonly redrive: Redrive | null;
}

/**
 * Records one message durably. `recorded` → the message is deleted from the queue;
 * `rejected` (poison: not the format) → it is left on the queue, so SQS's redrive policy
 * moves it to the dead-letter queue after `maxReceiveCount` receives; a thrown error (the
 * store is down) → left on the queue and received again after the visibility timeout.
 */
export type SqsMessageHandler = (message: SqsMessage) => Promise<'recorded' | 'rejected'>;

export interface SqsIntakeOptions {
  readonly region: string;
  /** Custom endpoint (emulators); null = AWS. */
  readonly endpoint: string | null;
  readonly queues: readonly SqsQueueConfig[];
  readonly handle: SqsMessageHandler;
  readonly logger: Logger;
  /** Explicit credentials (tests, emulators); default: the AWS SDK's provider chain (env, profile, IMDS/ECS role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface SqsQueueStatus {
  readonly url: string;
  readonly source: SqsSourceMode;
  readonly env: Environment;
  readonly running: boolean;
  readonly redrive: Redrive | null;
  readonly received: number;
  readonly recorded: number;
  readonly rejected: number;
  readonly failed: number;
}

interface QueueState {
  readonly queue: SqsQueueConfig;
  readonly consumer: Consumer;
  redrive: Redrive | null;
  /** A batch is between "received" and "deleted" (the consumer emits response_processed after the delete). */
  busy: boolean;
  backoffMs: number;
  received: number;
  recorded: number;
  rejected: number;
  failed: number;
}

const MAX_BACKOFF_MS = 60_000;
const STOP_WAIT_MS = 30_000;

/** `https://sqs.eu-west-1.amazonaws.com/123/alarms` → `alarms` (for logs). */
export function queueName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1) || url;
}

function parseRedrive(text: string | undefined): Redrive | null {
  if (!text) return null;
  try {
    const p = JSON.parse(text) as { maxReceiveCount?: unknown; deadLetterTargetArn?: unknown };
    const max = Number(p.maxReceiveCount);
    if (!Number.isInteger(max) || max < 1 || typeof p.deadLetterTargetArn !== 'string') return null;
    return { maxReceiveCount: max, deadLetterTargetArn: p.deadLetterTargetArn };
  } catch {
    return null;
  }
}

/**
 * Consumes SQS queues into the intake with sqs-consumer: long polling, batches, visibility
 * extended by a heartbeat while a batch is being recorded, and a message deleted only after
 * the handler has recorded it durably. No NestJS here: the server wires it.
 */
export class SqsIntake {
  private readonly client: SQSClient;
  private readonly states: QueueState[] = [];
  private stopping = false;
  private started = false;

  constructor(private readonly options: SqsIntakeOptions) {
    this.client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { logger } = this.options;
    for (const queue of this.options.queues) {
      const state: QueueState = {
        queue,
        consumer: Consumer.create({
          queueUrl: queue.url,
          sqs: this.client,
          batchSize: queue.batchSize,
          waitTimeSeconds: queue.waitTimeSeconds,
          visibilityTimeout: queue.visibilityTimeout,
          // Extend the visibility while a batch is being recorded (must be < visibilityTimeout).
          heartbeatInterval: queue.visibilityTimeout >= 2 ? Math.floor(queue.visibilityTimeout / 2) : queue.visibilityTimeout / 2,
          messageSystemAttributeNames: ['ApproximateReceiveCount'],
          handleMessageBatch: (messages) => this.handleBatch(state, messages),
          suppressFifoWarning: true,
          strictReturn: true,
        }),
        redrive: null,
        busy: false,
        backoffMs: 0,
        received: 0,
        recorded: 0,
        rejected: 0,
        failed: 0,
      };
      state.redrive = await this.readRedrive(queue.url);
      if (!state.redrive) {
        logger.warn(
          { queue: queue.url },
          `SQS queue ${queueName(queue.url)} has no dead-letter queue (RedrivePolicy): a message Wolfe rejects stays on it and is received again after every visibility timeout; give the queue a RedrivePolicy with maxReceiveCount`,
        );
      }
      this.listen(state);
      this.states.push(state);
      state.consumer.start();
      logger.info(
        { queue: queue.url, source: queue.source, env: queue.env, batchSize: queue.batchSize, waitTimeSeconds: queue.waitTimeSeconds, visibilityTimeout: queue.visibilityTimeout, redrive: state.redrive },
        `consuming SQS queue ${queueName(queue.url)}`,
      );
    }
  }

  /** Stops polling; a batch being recorded finishes (and is deleted) first. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await Promise.all(
      this.states.map(
        (s) =>
          new Promise<void>((resolve) => {
            const finish = () => {
              clearTimeout(timer);
              s.consumer.stop({ abort: true });
              resolve();
            };
            const timer = setTimeout(finish, STOP_WAIT_MS);
            if (s.busy) s.consumer.once('response_processed', finish);
            else finish();
          }),
      ),
    );
    this.client.destroy();
  }

  status(): SqsQueueStatus[] {
    return this.states.map((s) => ({
      url: s.queue.url,
      source: s.queue.source,
      env: s.queue.env,
      running: s.consumer.status.isRunning,
      redrive: s.redrive,
      received: s.received,
      recorded: s.recorded,
      rejected: s.rejected,
      failed: s.failed,
    }));
  }

  private async readRedrive(url: string): Promise<Redrive | null> {
    try {
      const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }));
      return parseRedrive(out.Attributes?.RedrivePolicy);
    } catch (err) {
      this.options.logger.warn({ queue: url, err: err instanceof Error ? err.message : String(err) }, `cannot read the RedrivePolicy of SQS queue ${queueName(url)} (sqs:GetQueueAttributes); consuming anyway`);
      return null;
    }
  }

  private listen(s: QueueState): void {
    const { logger } = this.options;
    const name = queueName(s.queue.url);
    const recovered = () => {
      s.busy = false;
      if (s.backoffMs > 0 && !this.stopping) {
        s.backoffMs = 0;
        s.consumer.updateOption('pollingWaitTimeMs', 0);
        logger.info({ queue: s.queue.url }, `SQS queue ${name}: receiving again`);
      }
    };
    s.consumer.on('response_processed', recovered);
    s.consumer.on('empty', recovered);
    s.consumer.on('error', (err, messages) => {
      if (this.stopping) return;
      if (messages !== undefined) {
        // Deleting (or extending) failed after the messages were recorded: they come back
        // after the visibility timeout and are recorded again; routing deduplicates them.
        logger.error({ queue: s.queue.url, err: err.message }, `SQS queue ${name}: ${err.message}; the message(s) will be received again (routing deduplicates them)`);
        return;
      }
      s.backoffMs = Math.min(MAX_BACKOFF_MS, s.backoffMs === 0 ? 1000 : s.backoffMs * 2);
      s.consumer.updateOption('pollingWaitTimeMs', s.backoffMs);
      logger.warn({ queue: s.queue.url, err: err.message, retryInMs: s.backoffMs }, `SQS queue ${name}: ${err.message}; retrying in ${s.backoffMs / 1000} s`);
    });
  }

  private async handleBatch(s: QueueState, messages: Message[]): Promise<Message[]> {
    // Received while stopping: not acknowledged, visible again after the visibility timeout.
    if (this.stopping) return [];
    s.busy = true;
    s.received += messages.length;
    const acked: Message[] = [];
    await Promise.all(
      messages.map(async (m) => {
        const messageId = m.MessageId ?? '(no id)';
        const receiveCount = Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1;
        const prepared = prepareMessage(m.Body ?? '', s.queue.source);
        try {
          const outcome = await this.options.handle({
            queueUrl: s.queue.url,
            messageId,
            body: prepared.body,
            receiveCount,
            source: prepared.source,
            env: s.queue.env,
            note: prepared.note,
            redrive: s.redrive,
          });
          if (outcome === 'recorded') {
            s.recorded += 1;
            acked.push(m);
          } else {
            s.rejected += 1;
          }
        } catch (err) {
          s.failed += 1;
          this.options.logger.error(
            { queue: s.queue.url, messageId, receiveCount, err: err instanceof Error ? err.message : String(err) },
            `SQS message ${messageId} could not be recorded; it stays on queue ${queueName(s.queue.url)} and is received again after the visibility timeout`,
          );
        }
      }),
    );
    return acked;
  }
}
