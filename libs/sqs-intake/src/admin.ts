import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface SqsAdminOptions {
  readonly region: string;
  readonly endpoint: string | null;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface ReceivedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
}

/**
 * A few SQS calls for setting up and inspecting queues (tests against an emulator, checks
 * by operators). Lives here because this library is the only importer of the AWS SDK.
 */
export class SqsAdmin {
  private readonly client: SQSClient;

  constructor(options: SqsAdminOptions) {
    this.client = new SQSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
    });
  }

  /** Creates a queue (idempotent), optionally with a dead-letter queue. */
  async createQueue(
    name: string,
    options: { visibilityTimeout?: number; deadLetter?: { queueUrl: string; maxReceiveCount: number } } = {},
  ): Promise<{ url: string; arn: string }> {
    const attributes: Record<string, string> = {};
    if (options.visibilityTimeout !== undefined) attributes['VisibilityTimeout'] = String(options.visibilityTimeout);
    if (options.deadLetter) {
      const dlqArn = await this.arn(options.deadLetter.queueUrl);
      attributes['RedrivePolicy'] = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(options.deadLetter.maxReceiveCount) });
    }
    const out = await this.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
    return { url: out.QueueUrl, arn: await this.arn(out.QueueUrl) };
  }

  async arn(queueUrl: string): Promise<string> {
    const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const arn = out.Attributes?.QueueArn;
    if (!arn) throw new Error(`queue ${queueUrl} has no QueueArn`);
    return arn;
  }

  async send(queueUrl: string, body: string): Promise<string> {
    const out = await this.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    return out.MessageId ?? '';
  }

  /** Receives (and does not delete) up to `max` messages. */
  async receive(queueUrl: string, options: { max?: number; waitTimeSeconds?: number; visibilityTimeout?: number } = {}): Promise<ReceivedMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: options.max ?? 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 0,
        ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout }),
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    return (out.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? '',
      body: m.Body ?? '',
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '0'),
    }));
  }

  /** Approximate numbers of messages waiting (visible) and being worked on (in flight). */
  async counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return {
      visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? '0'),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? '0'),
    };
  }

  close(): void {
    this.client.destroy();
  }
}
