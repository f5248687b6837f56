// SQS intake end to end: the real @aws-sdk/client-sqs (through sqs-consumer) against the
// fauxqs emulator, into the real server (sqlite, git, isolated-vm).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventDto, ExecutionDetailDto, ExecutionSummaryDto, PageDto } from '@wolfe/api-types';
import type { DeliveryRecord } from '@wolfe/application';
import { type FauxqsProcess, SqsAdmin, startFauxqsProcess } from '@wolfe/sqs-intake';
import type { SqsOutcome } from './intake/sqs';
import { api, eventually, startTestServer, type TestServer } from './testing/test-server';

const REGION = 'eu-west-1';
const snsAlarm = readFileSync(resolve(__dirname, '../../../libs/sources/fixtures/cloudwatch/sns-alarm.json'), 'utf8');

describe('SQS intake (fauxqs, real AWS SDK, real server)', () => {
  let fq: FauxqsProcess;
  let admin: SqsAdmin;
  let s: TestServer;
  let dir: string;
  let queueUrl: string;
  let dlqUrl: string;
  const savedEnv = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };

  beforeAll(async () => {
    fq = await startFauxqsProcess({ region: REGION });
    // The server's SQS client takes credentials from the SDK's default chain, as in production.
    process.env['AWS_ACCESS_KEY_ID'] = 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
    admin = new SqsAdmin({ region: REGION, endpoint: fq.endpoint });
    dlqUrl = (await admin.createQueue('alarms-dlq')).url;
    queueUrl = (await admin.createQueue('alarms', { deadLetter: { queueUrl: dlqUrl, maxReceiveCount: 2 } })).url;

    dir = await mkdtemp(join(tmpdir(), 'wolfe-sqs-'));
    const seed = join(dir, 'runbooks');
    await mkdir(join(seed, 'cpu-high'), { recursive: true });
    await writeFile(
      join(seed, 'cpu-high', 'runbook.yaml'),
      "name: cpu-high\ndescription: scale out\nowner: team-web\ntriggers:\n  - match: 'alertname=\"web-asg-cpu-high\"'\n    source: cloudwatch\n    status: firing\ntimeout: 5s\nmemory: 16\n",
    );
    await writeFile(
      join(seed, 'cpu-high', 'index.ts'),
      "import { runbook } from '@wolfe/sdk';\nexport default runbook((ctx) => { ctx.log.info('scaling out', { asg: ctx.event.labels.dimension_AutoScalingGroupName }); return { asg: ctx.event.labels.dimension_AutoScalingGroupName }; });\n",
    );
    const config = join(dir, 'wolfe.yaml');
    await writeFile(
      config,
      [
        'sqs:',
        `  region: ${REGION}`,
        `  endpoint: ${fq.endpoint}`,
        '  queues:',
        `    - url: ${queueUrl}`,
        '      source: auto',
        '      batchSize: 10',
        '      waitTimeSeconds: 1',
        '      visibilityTimeout: 2',
        '',
      ].join('\n'),
    );
    s = await startTestServer({ env: { WOLFE_CONFIG: config, WOLFE_SEED_DIR: seed, WOLFE_REFRESH_MS: '0' } });
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    admin?.close();
    await fq?.stop();
    await rm(dir, { recursive: true, force: true });
    if (savedEnv.id === undefined) delete process.env['AWS_ACCESS_KEY_ID'];
    else process.env['AWS_ACCESS_KEY_ID'] = savedEnv.id;
    if (savedEnv.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY'];
    else process.env['AWS_SECRET_ACCESS_KEY'] = savedEnv.secret;
  });

  const outcomesOf = (messageId: string): SqsOutcome[] => (s.sqs?.recent() ?? []).filter((o) => o.messageId === messageId);
  const getJson = async <T>(path: string): Promise<T> => {
    const res = await api(s, path);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const queueEmpty = () =>
    eventually(async () => {
      const c = await admin.counts(queueUrl);
      return c.visible === 0 && c.inFlight === 0 ? true : undefined;
    });

  let firstExecution = '';

  it('records an SNS-wrapped CloudWatch alarm, runs the runbook and deletes the message', async () => {
    expect(s.sqs?.status()).toEqual([
      expect.objectContaining({ url: queueUrl, source: 'auto', env: 'prod', running: true, redrive: { maxReceiveCount: 2, deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:alarms-dlq' } }),
    ]);
    const messageId = await admin.send(queueUrl, snsAlarm);
    const outcome = await eventually(async () => outcomesOf(messageId)[0]);
    expect(outcome).toMatchObject({ outcome: 'recorded', receiveCount: 1, error: null });
    expect(outcome.eventIds).toHaveLength(1);

    const delivery = await getJson<DeliveryRecord>(`/api/v1/deliveries/${outcome.deliveryId}`);
    expect(delivery).toMatchObject({ source: 'cloudwatch', env: 'prod', outcome: 'accepted', body: snsAlarm });

    const eventId = outcome.eventIds[0] as string;
    const ev = await eventually(async () => {
      const e = await getJson<EventDto>(`/api/v1/events/${eventId}`);
      return e.decision ? e : undefined;
    });
    expect(ev).toMatchObject({ source: 'cloudwatch', decision: 'matched', status: 'firing', labels: { alertname: 'web-asg-cpu-high', aws_region: 'eu-west-1' } });
    firstExecution = ev.executionIds[0] as string;
    const ex = await eventually(async () => {
      const d = await getJson<ExecutionDetailDto>(`/api/v1/executions/${firstExecution}`);
      return d.status === 'queued' || d.status === 'running' ? undefined : d;
    });
    expect(ex).toMatchObject({ runbook: 'cpu-high', status: 'succeeded', result: { asg: 'web-asg' } });
    await queueEmpty();
  });

  it('does not start a second execution for the same alarm delivered again (SQS redelivery, SNS retry)', async () => {
    const messageId = await admin.send(queueUrl, snsAlarm);
    const outcome = await eventually(async () => outcomesOf(messageId)[0]);
    expect(outcome.outcome).toBe('recorded');
    const ev = await eventually(async () => {
      const e = await getJson<EventDto & { explanation: { duplicateOf?: string }[] }>(`/api/v1/events/${outcome.eventIds[0] as string}`);
      return e.decision ? e : undefined;
    });
    expect(ev.decision).toBe('deduplicated');
    expect(ev.executionIds).toEqual([]);
    expect(ev.explanation[0]?.duplicateOf).toBe(firstExecution);
    const page = await getJson<PageDto<ExecutionSummaryDto>>('/api/v1/executions?runbook=cpu-high');
    expect(page.items.map((e) => e.id)).toEqual([firstExecution]);
    await queueEmpty();
  });

  it('leaves a poison message on the queue until SQS moves it to the DLQ, each receive recorded as rejected', async () => {
    const poison = 'this is not an alert {';
    const messageId = await admin.send(queueUrl, poison);
    // Rejected on receive 1 and 2 (maxReceiveCount), never deleted: the third receive moves it.
    const inDlq = await eventually(
      async () => {
        const got = await admin.receive(dlqUrl, { waitTimeSeconds: 1 });
        return got.find((m) => m.messageId === messageId);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(inDlq.body).toBe(poison);

    const outcomes = outcomesOf(messageId);
    expect(outcomes.map((o) => [o.outcome, o.receiveCount])).toEqual([
      ['rejected', 1],
      ['rejected', 2],
    ]);
    const first = await getJson<DeliveryRecord>(`/api/v1/deliveries/${outcomes[0]?.deliveryId as string}`);
    expect(first).toMatchObject({ outcome: 'rejected', body: poison, source: 'generic', eventIds: [] });
    expect(first.error).toMatch(/^body is not valid JSON/);
    expect(first.error).toContain(`SQS queue alarms, message ${messageId}, receive 1 of maxReceiveCount 2`);
    expect(first.error).toContain('SQS moves it to the dead-letter queue alarms-dlq after 2 receives');
    const second = await getJson<DeliveryRecord>(`/api/v1/deliveries/${outcomes[1]?.deliveryId as string}`);
    expect(second.error).toContain('receive 2 of maxReceiveCount 2');
    expect(second.error).toContain('instead of delivering it again');
    await queueEmpty();
  }, 45_000);
});
