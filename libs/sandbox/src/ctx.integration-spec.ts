// ctx.step, ctx.sleep, ctx.attach, ctx.params and the host-call and CPU limits, in the real
// sandbox with runbooks compiled by the real compiler. Run with NODE_OPTIONS=--no-node-snapshot.
import type { SandboxLogEntry, SandboxRequest, SandboxStep } from '@wolfe/application';
import { IsolateSandbox } from './index';
import { compileBody, runBody } from './testing/run-body';

jest.setTimeout(30_000);

const run = (sandbox: IsolateSandbox, body: string, overrides: Partial<SandboxRequest> = {}) => runBody(sandbox, 'team/ctx', body, overrides);

const brief = (steps: SandboxStep[]) => steps.map(({ seq, name, status, output, error }) => ({ seq, name, status, output, error }));

describe('ctx (step, sleep, attach, params) and the host-call and CPU limits', () => {
  let sandbox: IsolateSandbox;
  beforeAll(() => {
    sandbox = new IsolateSandbox({ limits: { maxHostCalls: 300 } });
  });
  afterAll(async () => {
    await sandbox.dispose();
  });

  describe('ctx.step', () => {
    it('reports start and end, returns the value of sync and async fns, nested and concurrent steps get their own seq', async () => {
      const { outcome, steps } = await run(
        sandbox,
        `
  const a = await ctx.step('sync', () => 41 + 1);
  const b = await ctx.step('async', async () => {
    const inner = await ctx.step('nested', () => ({ ok: true }));
    return [inner.ok, 'b'];
  });
  const both = await Promise.all([ctx.step('c1', async () => { await ctx.sleep(30); return 'c1'; }), ctx.step('c2', () => 'c2')]);
  return { a, b, both };`,
      );
      expect(outcome).toEqual({ status: 'succeeded', result: { a: 42, b: [true, 'b'], both: ['c1', 'c2'] } });
      expect(brief(steps)).toEqual([
        { seq: 0, name: 'sync', status: 'running', output: null, error: null },
        { seq: 0, name: 'sync', status: 'succeeded', output: '42', error: null },
        { seq: 1, name: 'async', status: 'running', output: null, error: null },
        { seq: 2, name: 'nested', status: 'running', output: null, error: null },
        { seq: 2, name: 'nested', status: 'succeeded', output: '{"ok":true}', error: null },
        { seq: 1, name: 'async', status: 'succeeded', output: '[true,"b"]', error: null },
        { seq: 3, name: 'c1', status: 'running', output: null, error: null },
        { seq: 4, name: 'c2', status: 'running', output: null, error: null },
        { seq: 4, name: 'c2', status: 'succeeded', output: '"c2"', error: null },
        { seq: 3, name: 'c1', status: 'succeeded', output: '"c1"', error: null },
      ]);
      for (const s of steps) {
        expect(new Date(s.startedAt).toISOString()).toBe(s.startedAt);
        if (s.status === 'running') expect(s.finishedAt).toBeNull();
        else expect(new Date(s.finishedAt ?? '').toISOString()).toBe(s.finishedAt);
      }
    });

    it('rethrows the error of fn (the execution fails at the TypeScript line) and records the step as failed', async () => {
      const { outcome, steps } = await run(sandbox, `await ctx.step('check', () => { throw new RangeError('disk is full'); });`);
      expect(outcome.status).toBe('failed');
      if (outcome.status === 'succeeded') return;
      expect(outcome.error).toMatchObject({ name: 'RangeError', message: 'disk is full (at index.ts:3:39)', location: { file: 'index.ts', line: 3, column: 39 } });
      expect(brief(steps)).toEqual([
        { seq: 0, name: 'check', status: 'running', output: null, error: null },
        { seq: 0, name: 'check', status: 'failed', output: null, error: 'RangeError: disk is full' },
      ]);
    });

    it('lets the runbook catch a failed step and go on', async () => {
      const { outcome, steps } = await run(sandbox, `try { await ctx.step('flaky', async () => { throw 'nope'; }); } catch (e) { return 'caught ' + String(e); }`);
      expect(outcome).toEqual({ status: 'succeeded', result: 'caught nope' });
      expect(steps[1]).toMatchObject({ status: 'failed', error: 'threw nope' });
    });

    it('cuts long outputs and names, and records a step still running at the end as failed', async () => {
      const { outcome, steps } = await run(
        sandbox,
        `
  await ctx.step('n'.repeat(500), () => 'é'.repeat(5000));
  void ctx.step('never ends', () => new Promise(() => undefined));
  return 'done';`,
      );
      expect(outcome).toEqual({ status: 'succeeded', result: 'done' });
      expect(steps[0]!.name).toBe(`${'n'.repeat(200)}…`);
      const output = steps[1]!.output ?? '';
      expect(Buffer.byteLength(output)).toBeLessThanOrEqual(1024);
      expect(output).toMatch(/^"é+…$/);
      expect(brief(steps.slice(2))).toEqual([
        { seq: 1, name: 'never ends', status: 'running', output: null, error: null },
        { seq: 1, name: 'never ends', status: 'failed', output: null, error: 'the execution ended (succeeded) before this step finished' },
      ]);
    });

    it('refuses a bad name or fn with a TypeError in the runbook', async () => {
      const { outcome, steps } = await run(
        sandbox,
        `
  const errors: string[] = [];
  for (const args of [['', () => 1], [42, () => 1], ['x', 'not a function']]) {
    try { await (ctx.step as (...a: unknown[]) => Promise<unknown>)(...args); } catch (e) { errors.push(String(e)); }
  }
  return errors;`,
      );
      expect(outcome).toEqual({
        status: 'succeeded',
        result: [
          'TypeError: ctx.step(name, fn): name must be a non-empty string',
          'TypeError: ctx.step(name, fn): name must be a non-empty string',
          'TypeError: ctx.step(name, fn): fn must be a function',
        ],
      });
      expect(steps).toEqual([]);
    });

    it('records at most maxSteps steps; later steps still run, one warning says so', async () => {
      const own = new IsolateSandbox({ limits: { maxSteps: 3 } });
      try {
        const { outcome, steps, logs } = await run(own, `let n = 0; for (let i = 0; i < 10; i++) n += await ctx.step('s' + i, () => 1); return n;`);
        expect(outcome).toEqual({ status: 'succeeded', result: 10 });
        expect(steps.filter((s) => s.status === 'succeeded').map((s) => s.name)).toEqual(['s0', 's1', 's2']);
        expect(logs.map((l) => l.message)).toEqual(['step limit: an execution records at most 3 steps; later steps still ran but were not recorded']);
      } finally {
        await own.dispose();
      }
    });
  });

  describe('ctx.sleep', () => {
    it('waits on a host timer without using CPU', async () => {
      const { outcome, ms } = await run(sandbox, `const t = Date.now(); await ctx.sleep(200); return Date.now() - t;`, {
        limits: { timeoutMs: 2_000, memoryMiB: 16, cpuTimeMs: 150 },
      });
      expect(outcome.status).toBe('succeeded');
      if (outcome.status !== 'succeeded') return;
      expect(outcome.result).toBeGreaterThanOrEqual(195);
      expect(ms).toBeGreaterThanOrEqual(195);
      expect(ms).toBeLessThan(1_500);
    });

    it('ends the execution at once as timed_out when the sleep would outlast the timeout', async () => {
      const { outcome, ms, logs } = await run(sandbox, `ctx.log.info('before'); await ctx.sleep(60_000); ctx.log.info('after');`, { limits: { timeoutMs: 3_000, memoryMiB: 16 } });
      expect(outcome).toEqual({
        status: 'timed_out',
        error: {
          name: 'TimeoutError',
          message: expect.stringMatching(/^ctx\.sleep\(60000\) would end after the 3s timeout set in runbook\.yaml \(2\.\d+s left\)$/),
          stack: null,
          location: null,
          limit: 'timeout',
        },
      });
      expect(ms).toBeLessThan(1_000);
      expect(logs.map((l) => l.message)).toEqual(['before']);
    });

    it('rejects a bad duration with a TypeError the runbook can catch', async () => {
      const { outcome } = await run(
        sandbox,
        `
  const out: string[] = [];
  for (const ms of [-1, Number.NaN, '10', { valueOf: () => 10 }]) {
    try { await ctx.sleep(ms as number); out.push('slept'); } catch (e) { out.push((e as Error).name); }
  }
  return out;`,
      );
      expect(outcome).toEqual({ status: 'succeeded', result: ['TypeError', 'TypeError', 'TypeError', 'TypeError'] });
    });

    it('never wakes an execution that already ended', async () => {
      const logs: SandboxLogEntry[] = [];
      const { outcome } = await run(sandbox, `void ctx.sleep(100).then(() => ctx.log.info('late')); return 'early';`, { onLog: (l) => logs.push(l) });
      expect(outcome).toEqual({ status: 'succeeded', result: 'early' });
      await new Promise((r) => setTimeout(r, 250));
      expect(logs).toEqual([]);
    });
  });

  describe('ctx.attach', () => {
    it('delivers JSON attachments, sanitized', async () => {
      const { outcome, attachments } = await run(
        sandbox,
        `
  const rows = [{ dir: '/var/log', bytes: 123 }];
  ctx.attach('largest directories', rows);
  rows.push({ dir: 'later', bytes: 0 });
  ctx.attach('series', JSON.parse('{"__proto__": {"x": 1}, "$where": 1, "points": [1, 2, 3]}'));
  ctx.attach('a number', 42);
  return 'ok';`,
      );
      expect(outcome).toEqual({ status: 'succeeded', result: 'ok' });
      expect(attachments).toEqual([
        { name: 'largest directories', contentType: 'application/json', data: '[{"dir":"/var/log","bytes":123}]' },
        { name: 'series', contentType: 'application/json', data: '{"points":[1,2,3]}' },
        { name: 'a number', contentType: 'application/json', data: '42' },
      ]);
    });

    it('refuses what is not JSON or over the limits, keeps nothing of it, and says why', async () => {
      const own = new IsolateSandbox({ limits: { maxAttachments: 3, maxAttachmentBytes: 1000, maxAttachmentsBytes: 1200 } });
      try {
        const { outcome, attachments } = await run(
          own,
          `
  const out: string[] = [];
  const tryAttach = (name: unknown, data: unknown) => { try { (ctx.attach as (n: unknown, d: unknown) => void)(name, data); out.push('kept'); } catch (e) { out.push(String(e)); } };
  tryAttach('', 1);
  tryAttach('big', 'x'.repeat(2000));
  tryAttach('bigint', { n: 1n });
  tryAttach('undefined', undefined);
  tryAttach('a', 'x'.repeat(700));
  tryAttach('b', 'x'.repeat(700));
  tryAttach('c', 1);
  tryAttach('d', 2);
  tryAttach('e', 3);
  return out;`,
        );
        expect(outcome).toEqual({
          status: 'succeeded',
          result: [
            'TypeError: ctx.attach(name, data): name must be a non-empty string',
            'RangeError: ctx.attach: "big" is 2002 bytes of JSON, over the 1000-byte limit per attachment',
            expect.stringMatching(/^TypeError: ctx\.attach\(name, data\): data is not JSON-serializable: .*BigInt/),
            'TypeError: ctx.attach(name, data): data is not JSON-serializable (got undefined)',
            'kept',
            `RangeError: ctx.attach: "b" (702 bytes) would take this execution's attachments over 1200 bytes; it was not kept`,
            'kept',
            'kept',
            'RangeError: ctx.attach: an execution keeps at most 3 attachments; "e" was not kept',
          ],
        });
        expect(attachments.map((a) => a.name)).toEqual(['a', 'c', 'd']);
      } finally {
        await own.dispose();
      }
    });
  });

  describe('ctx.params', () => {
    it('is the request params as frozen JSON, {} by default, without unsafe keys', async () => {
      const body = `let frozen = false; try { (ctx.params as Record<string, unknown>)['x'] = 1; } catch { frozen = true; } return { params: ctx.params, frozen: frozen && Object.isFrozen(ctx.params) };`;
      const params = JSON.parse('{"dryRun": true, "hosts": ["a", "b"], "__proto__": {"admin": true}, "nested": {"constructor": 1, "ok": 1}}') as Record<string, unknown>;
      expect((await run(sandbox, body, { params })).outcome).toEqual({
        status: 'succeeded',
        result: { params: { dryRun: true, hosts: ['a', 'b'], nested: { ok: 1 } }, frozen: true },
      });
      expect((await run(sandbox, body)).outcome).toEqual({ status: 'succeeded', result: { params: {}, frozen: true } });
    });

    it('refuses params that are not a JSON object of bounded size', async () => {
      const compiled = await compileBody('team/ctx', 'return 1;');
      const base = { executionId: 'x', runbook: { name: 'n', version: 'v' }, env: 'dev' as const, compiled, event: null, limits: { timeoutMs: 1_000, memoryMiB: 8 }, onLog: () => undefined };
      await expect(sandbox.run({ ...base, params: [] as unknown as Record<string, unknown> })).rejects.toThrow(TypeError);
      await expect(sandbox.run({ ...base, params: { n: 1n } })).rejects.toThrow(/JSON/);
      await expect(sandbox.run({ ...base, params: { big: 'x'.repeat(300 * 1024) } })).rejects.toThrow(RangeError);
    });
  });

  describe('limits', () => {
    it('fails an execution that makes more host calls than maxHostCalls', async () => {
      const { outcome, ms } = await run(sandbox, `for (;;) { try { ctx.attach('x', 1); } catch { /* over the attachment count: keep calling */ } }`);
      expect(outcome).toEqual({
        status: 'failed',
        error: {
          name: 'HostCallLimitError',
          message: 'the runbook made more than 300 calls to ctx (log lines, steps, attachments, sleeps, secrets, state, http, emit, prometheus) — batch the work, or log a summary',
          stack: null,
          location: null,
          limit: 'host_calls',
        },
      });
      expect(ms).toBeLessThan(2_000);
    });

    it('ends a CPU hog as timed_out with limit cpu when cpuTimeMs is below the timeout', async () => {
      const { outcome, ms } = await run(sandbox, `for (;;) {}`, { limits: { timeoutMs: 5_000, memoryMiB: 16, cpuTimeMs: 300 } });
      expect(outcome).toEqual({
        status: 'timed_out',
        error: { name: 'CpuTimeLimitError', message: 'the runbook used more than 300ms of CPU time (its CPU limit)', stack: null, location: null, limit: 'cpu' },
      });
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(2_000);
    });

    it('counts only CPU, not sleeping, against cpuTimeMs', async () => {
      const { outcome } = await run(sandbox, `for (let i = 0; i < 4; i++) await ctx.sleep(100); return 'rested';`, { limits: { timeoutMs: 3_000, memoryMiB: 16, cpuTimeMs: 200 } });
      expect(outcome).toEqual({ status: 'succeeded', result: 'rested' });
    });

    it('rejects a nonsensical cpuTimeMs', async () => {
      await expect(run(sandbox, 'return 1;', { limits: { timeoutMs: 1_000, memoryMiB: 16, cpuTimeMs: -5 } })).rejects.toThrow(RangeError);
    });
  });
});
