// SqsIntake against the fauxqs emulator with the real AWS SDK: deletion only after the
// handler resolved, visibility extended while it works, failures left on the queue.
import type { Logger } from '@wolfe/application';
import { SqsAdmin } from './admin';
import { type SqsMessage, SqsIntake, type SqsQueueConfig } from './sqs-intake';
import { type FauxqsProcess, startFauxqsProcess } from './testing/fauxqs';

const REGION = 'eu-west-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const logs: { level: string; message: string }[] = [];
const logger: Logger = {
  debug: (_f, message) => logs.push({ level: 'debug', message }),
  info: (_f, message) => logs.push({ level: 'info', message }),
  warn: (_f, message) => logs.push({ level: 'warn', message }),
  error: (_f, message) => logs.push({ level: 'error', message }),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('SqsIntake (fauxqs, real AWS SDK)', () => {
  let fq: FauxqsProcess;
  let admin: SqsAdmin;
  let n = 0;

  beforeAll(async () => {
    fq = await startFauxqsProcess({ region: REGION });
    admin = new SqsAdmin({ region: REGION, endpoint: fq.endpoint, credentials });
  }, 30_000);
  afterAll(async () => {
    admin?.close();
    await fq?.stop();
  });

  async function setup(handle: (m: SqsMessage) => Promise<'recorded' | 'rejected'>, queue: Partial<SqsQueueConfig> = {}) {
    n += 1;
    const url = (await admin.createQueue(`q${n}`)).url;
    const intake = new SqsIntake({
      region: REGION,
      endpoint: fq.endpoint,
      credentials,
      logger,
      handle,
      queues: [{ url, source: 'auto', env: 'prod', batchSize: 10, waitTimeSeconds: 1, visibilityTimeout: 2, ...queue }],
    });
    await intake.start();
    return { url, intake };
  }

  it('deletes a message only after the handler resolved, extending its visibility meanwhile', async () => {
    const seen: SqsMessage[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    const { url, intake } = await setup(async (m) => {
      seen.push(m);
      await released; // recording takes longer than the visibility timeout (2 s)
      return 'recorded';
    });
    try {
      const id = await admin.send(url, JSON.stringify({ labels: { alertname: 'Slow' }, status: 'firing' }));
      await until(() => (seen.length > 0 ? true : undefined));
      // Well past the visibility timeout (2 s): without the heartbeat another consumer (a
      // second Wolfe, here the admin client) would receive the message while it is being recorded.
      await sleep(3000);
      expect(await admin.receive(url, { waitTimeSeconds: 1, visibilityTimeout: 1 })).toEqual([]);
      await sleep(1000);
      expect(await admin.receive(url, { waitTimeSeconds: 1, visibilityTimeout: 1 })).toEqual([]);
      expect(seen.map((m) => [m.messageId, m.receiveCount, m.source])).toEqual([[id, 1, 'generic']]);
      expect(await admin.counts(url)).toEqual({ visible: 0, inFlight: 1 });
      release();
      await until(async () => {
        const c = await admin.counts(url);
        return c.visible === 0 && c.inFlight === 0 ? true : undefined;
      });
      expect(intake.status()[0]).toMatchObject({ received: 1, recorded: 1, rejected: 0, failed: 0, redrive: null });
    } finally {
      release();
      await intake.stop();
    }
    expect(logs.some((l) => l.level === 'warn' && /has no dead-letter queue/.test(l.message))).toBe(true);
  }, 30_000);

  it('leaves rejected and failed messages on the queue (received again), deletes recorded ones', async () => {
    const calls = new Map<string, number>();
    const { url, intake } = await setup(async (m) => {
      const k = JSON.parse(m.body) as { kind: string };
      calls.set(k.kind, (calls.get(k.kind) ?? 0) + 1);
      if (k.kind === 'fail' && (calls.get('fail') ?? 0) === 1) throw new Error('store is down');
      return k.kind === 'poison' ? 'rejected' : 'recorded';
    }, { visibilityTimeout: 1 });
    try {
      await admin.send(url, JSON.stringify({ kind: 'ok' }));
      await admin.send(url, JSON.stringify({ kind: 'fail' }));
      await admin.send(url, JSON.stringify({ kind: 'poison' }));
      // "fail" is recorded on its second receive; "poison" keeps coming back.
      await until(() => ((calls.get('fail') ?? 0) >= 2 && (calls.get('poison') ?? 0) >= 2 ? true : undefined));
      expect(calls.get('ok')).toBe(1);
      expect(logs.some((l) => l.level === 'error' && /could not be recorded; it stays on queue/.test(l.message))).toBe(true);
      const st = intake.status()[0];
      expect(st).toMatchObject({ failed: 1 });
      expect(st?.recorded).toBe(2);
    } finally {
      await intake.stop();
    }
    // Only the poison message is left.
    const left = await until(async () => {
      const c = await admin.counts(url);
      return c.visible + c.inFlight === 1 ? c : undefined;
    });
    expect(left.visible + left.inFlight).toBe(1);
  }, 30_000);

  it('stops after the batch in progress is recorded and deleted', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    let started = false;
    const { url, intake } = await setup(async () => {
      started = true;
      await released;
      return 'recorded';
    });
    await admin.send(url, '{"labels":{"a":"b"},"status":"firing"}');
    await until(() => (started ? true : undefined));
    const stopped = intake.stop();
    await sleep(200);
    release();
    await stopped;
    expect(await admin.counts(url)).toEqual({ visible: 0, inFlight: 0 });
    expect(intake.status()[0]?.running).toBe(false);
  }, 30_000);
});
