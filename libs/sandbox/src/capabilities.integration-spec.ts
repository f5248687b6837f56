// The capabilities as the sandbox offers them (ctx.secrets, ctx.state, ctx.http, ctx.emit,
// ctx.prometheus): the asynchronous call machinery, redaction of secrets from everything an
// execution keeps, the limits. The capabilities are the application's real classes over
// in-memory data, or small fakes of the port; the sandbox is the real one.
// Run with NODE_OPTIONS=--no-node-snapshot.
import {
  CapabilityError,
  ChainedEmitter,
  DeclaredSecrets,
  MemoryStateRepository,
  ScopedState,
  type CapabilityCall,
  type EventRecord,
  type HttpRequestSpec,
  type RunbookCapabilities,
  type SandboxRequest,
  systemClock,
} from '@wolfe/application';
import { IsolateSandbox } from './index';
import { runBody } from './testing/run-body';

jest.setTimeout(30_000);

const SECRET = 'xoxb-1234-very-secret-token';
const OTHER = 'p@ss"w\\rd-42';

const run = (sandbox: IsolateSandbox, body: string, capabilities: RunbookCapabilities | undefined, overrides: Partial<SandboxRequest> = {}) =>
  runBody(sandbox, 'team/caps', body, { env: 'prod', ...(capabilities === undefined ? {} : { capabilities }), ...overrides });

const secrets = (values: Record<string, string>, declared = Object.keys(values)) =>
  new DeclaredSecrets(declared, async (name) => values[name] ?? null, 'project team, environment prod');

describe('ctx capabilities in the sandbox', () => {
  let sandbox: IsolateSandbox;
  beforeAll(() => {
    sandbox = new IsolateSandbox({ limits: { maxHostCalls: 200 } });
  });
  afterAll(async () => {
    await sandbox.dispose();
  });

  describe('ctx.secrets and redaction', () => {
    it('reads a declared secret and redacts it from logs, fields, steps, attachments, the result and the error', async () => {
      const x = await run(
        sandbox,
        `const token = await ctx.secrets.get('SLACK_TOKEN');
        const other = await ctx.secrets.get('DB_PASSWORD');
        ctx.log.info('using ' + token + ' and ' + other, { token, nested: { list: [token, 'x' + token + 'y'] }, [token]: 'as a key', escaped: JSON.stringify(other) });
        console.log('console', token);
        await ctx.step('step ' + token, () => ({ token }));
        await ctx.step('failing', () => { throw new Error('bad ' + token); }).catch(() => undefined);
        ctx.attach('attachment ' + token, { rows: [{ token }] });
        return { token, length: token.length, json: JSON.stringify({ other }) };`,
        { secrets: secrets({ SLACK_TOKEN: SECRET, DB_PASSWORD: OTHER }) },
      );
      expect(x.outcome).toEqual({
        status: 'succeeded',
        result: { token: '[secret:SLACK_TOKEN]', length: SECRET.length, json: '{"other":"[secret:DB_PASSWORD]"}' },
      });
      expect(x.logs[0]?.message).toBe('using [secret:SLACK_TOKEN] and [secret:DB_PASSWORD]');
      expect(x.logs[0]?.fields).toEqual({
        token: '[secret:SLACK_TOKEN]',
        nested: { list: ['[secret:SLACK_TOKEN]', 'x[secret:SLACK_TOKEN]y'] },
        '[secret:SLACK_TOKEN]': 'as a key',
        escaped: '"[secret:DB_PASSWORD]"',
      });
      expect(x.logs[1]?.message).toBe('console [secret:SLACK_TOKEN]');
      const ended = x.steps.filter((s) => s.status !== 'running');
      expect(ended.map((s) => [s.name, s.output, s.error])).toEqual([
        ['step [secret:SLACK_TOKEN]', '{"token":"[secret:SLACK_TOKEN]"}', null],
        ['failing', null, 'Error: bad [secret:SLACK_TOKEN]'],
      ]);
      expect(x.attachments).toEqual([{ name: 'attachment [secret:SLACK_TOKEN]', contentType: 'application/json', data: '{"rows":[{"token":"[secret:SLACK_TOKEN]"}]}' }]);
      const everything = JSON.stringify(x);
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain('very-secret');
    });

    it('redacts the error message and stack, and the beginning of a secret a limit cut off', async () => {
      const x = await run(
        sandbox,
        `const token = await ctx.secrets.get('SLACK_TOKEN');
        ctx.log.info('x'.repeat(16_384 - 10) + token);
        await ctx.step('cut', () => 'y'.repeat(1_010) + token);
        throw new Error('failed with ' + token);`,
        { secrets: secrets({ SLACK_TOKEN: SECRET }) },
      );
      expect(x.outcome.status).toBe('failed');
      const text = JSON.stringify(x);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice(0, 10));
      expect(x.logs[0]?.message.endsWith('[secret:SLACK_TOKEN]… [truncated]')).toBe(true);
      expect(x.steps.find((s) => s.status === 'succeeded')?.output?.endsWith('[secret:SLACK_TOKEN]…')).toBe(true);
      if (x.outcome.status === 'failed') {
        expect(x.outcome.error.message).toMatch(/^failed with \[secret:SLACK_TOKEN\] \(at index\.ts:\d+:\d+\)$/);
        expect(x.outcome.error.stack).toContain('[secret:SLACK_TOKEN]');
      }
    });

    it('refuses a secret the manifest does not declare, and one that is not set', async () => {
      const x = await run(
        sandbox,
        `const out: string[] = [];
        for (const name of ['UNDECLARED', 'UNSET', 'bad name']) {
          try { await ctx.secrets.get(name); out.push('read ' + name); } catch (e) { out.push((e as Error).name + ': ' + (e as Error).message); }
        }
        return out;`,
        { secrets: new DeclaredSecrets(['UNSET'], async () => null, 'project team, environment prod') },
      );
      expect(x.outcome).toEqual({
        status: 'succeeded',
        result: [
          'SecretNotDeclaredError: secret UNDECLARED is not declared: add it to secrets: in runbook.yaml (a runbook reads only the secrets it declares)',
          expect.stringMatching(/^SecretNotFoundError: secret UNSET is not set for project team, environment prod/),
          expect.stringMatching(/^TypeError: ctx\.secrets\.get\(name\): name must be a secret name/),
        ],
      });
    });

    it('rejects with CapabilityUnavailableError when the run has no such capability', async () => {
      const x = await run(
        sandbox,
        `const names: string[] = [];
        for (const p of [ctx.secrets.get('A'), ctx.state.get('k'), ctx.http.fetch('https://example.com'), ctx.emit({ labels: { a: 'b' } }), ctx.prometheus.query('up')]) {
          names.push(await p.then(() => 'resolved', (e: Error) => e.name));
        }
        return names;`,
        undefined,
      );
      expect(x.outcome).toEqual({ status: 'succeeded', result: Array(5).fill('CapabilityUnavailableError') });
    });
  });

  describe('ctx.state', () => {
    it('gets, sets and deletes JSON values of the runbook scope, sanitized, bounded', async () => {
      const repo = new MemoryStateRepository();
      const scope = { project: 'team', runbook: 'caps', env: 'prod' as const };
      const state = new ScopedState(repo, scope, systemClock, 3);
      const x = await run(
        sandbox,
        `const before = await ctx.state.get('count');
        await ctx.state.set('count', { n: 1, __proto__: { polluted: true }, $where: 'x', list: [1, 'two'] });
        const after = await ctx.state.get<{ n: number }>('count');
        await ctx.state.set('a', 1);
        await ctx.state.set('b', 2);
        const tooMany = await ctx.state.set('c', 3).then(() => 'stored', (e: Error) => e.name + ': ' + e.message);
        const big = await ctx.state.set('a', 'x'.repeat(70_000)).then(() => 'stored', (e: Error) => e.name);
        const undef = await ctx.state.set('a', undefined).then(() => 'stored', (e: Error) => e.name);
        const longKey = await ctx.state.get('k'.repeat(257)).then(() => 'read', (e: Error) => e.name);
        const deleted = [await ctx.state.delete('b'), await ctx.state.delete('b')];
        return { before: before === undefined ? 'undefined' : before, after, tooMany, big, undef, longKey, deleted };`,
        { state },
      );
      expect(x.outcome).toEqual({
        status: 'succeeded',
        result: {
          before: 'undefined',
          after: { n: 1, list: [1, 'two'] },
          tooMany: expect.stringMatching(/^StateLimitError: ctx\.state\.set: this runbook already keeps 3 keys in prod/),
          big: 'StateLimitError',
          undef: 'TypeError',
          longKey: 'TypeError',
          deleted: [true, false],
        },
      });
      expect((await repo.list(scope)).map((r) => [r.key, r.value])).toEqual([
        ['a', 1],
        ['count', { n: 1, list: [1, 'two'] }],
      ]);
    });

    it('never stores a secret the execution read', async () => {
      const repo = new MemoryStateRepository();
      const scope = { project: 'team', runbook: 'caps', env: 'prod' as const };
      const x = await run(sandbox, `const t = await ctx.secrets.get('SLACK_TOKEN'); await ctx.state.set('cache', { t, list: [t] }); return 'ok';`, {
        secrets: secrets({ SLACK_TOKEN: SECRET }),
        state: new ScopedState(repo, scope, systemClock),
      });
      expect(x.outcome.status).toBe('succeeded');
      expect((await repo.get(scope, 'cache'))?.value).toEqual({ t: '[secret:SLACK_TOKEN]', list: ['[secret:SLACK_TOKEN]'] });
    });
  });

  describe('the call machinery', () => {
    it('passes http requests to the capability with the time left, and gives the guest a fetch-like response', async () => {
      const seen: HttpRequestSpec[] = [];
      const http = {
        fetch: async (request: HttpRequestSpec) => {
          seen.push(request);
          const body = request.url.endsWith('/json') ? JSON.stringify({ ok: 1, echo: request.body }) : request.url.endsWith('/404') ? 'missing' : 'plain text';
          const status = request.url.endsWith('/404') ? 404 : 200;
          return { status, statusText: status === 200 ? 'OK' : 'Not Found', url: request.url, headers: { 'content-type': 'application/json' }, body };
        },
      };
      const x = await run(
        sandbox,
        `const r = await ctx.http.fetch('https://api.example.com/text', { headers: { 'X-Thing': 'a' }, timeoutMs: 60_000 });
        const j = await ctx.http.getJson<{ ok: number }>('https://api.example.com/json');
        const p = await ctx.http.postJson<{ echo: string }>('https://api.example.com/json', { hello: 'world' });
        const e = await ctx.http.getJson('https://api.example.com/404').then(() => null, (err: Error & { status: number }) => [err.name, err.status, err.message]);
        const notJson = await r.json().then(() => 'parsed', (err: Error) => err.name);
        return { status: r.status, ok: r.ok, text: await r.text(), h: r.headers['content-type'], j, p, e, notJson };`,
        { http },
      );
      expect(x.outcome).toEqual({
        status: 'succeeded',
        result: {
          status: 200,
          ok: true,
          text: 'plain text',
          h: 'application/json',
          j: { ok: 1, echo: null },
          p: { ok: 1, echo: '{"hello":"world"}' },
          e: ['HttpStatusError', 404, 'HTTP 404 Not Found from https://api.example.com/404'],
          notJson: 'SyntaxError',
        },
      });
      expect(seen[0]).toMatchObject({ method: 'GET', headers: { 'x-thing': 'a' }, body: null, redirect: 'follow' });
      expect(seen[0]?.timeoutMs).toBeLessThanOrEqual(5_000);
      expect(seen[2]).toMatchObject({ method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    });

    it('shows the runbook only a capability error message, never a host error', async () => {
      const http = {
        fetch: async (request: HttpRequestSpec) => {
          if (request.url.includes('refused')) throw new CapabilityError('EgressDeniedError', 'refused.example.com is not in egress:');
          throw new Error(`ENOENT: open ${process.cwd()}/secret-file`);
        },
      };
      const x = await run(
        sandbox,
        `const a = await ctx.http.fetch('https://refused.example.com').catch((e: Error) => e.name + ': ' + e.message);
        const b = await ctx.http.fetch('https://boom.example.com').catch((e: Error) => e.name + ': ' + e.message);
        return [a, b];`,
        { http },
      );
      expect(x.outcome).toEqual({
        status: 'succeeded',
        result: ['EgressDeniedError: refused.example.com is not in egress:', 'Error: ctx.http.fetch failed: a platform error (see the server log)'],
      });
    });

    it('bounds calls in flight, counts them as host calls, and aborts what is still running when the execution ends', async () => {
      const signals: AbortSignal[] = [];
      const never = {
        fetch: (_r: HttpRequestSpec, call: CapabilityCall) => {
          signals.push(call.signal);
          return new Promise<never>(() => undefined);
        },
      };
      const x = await run(
        sandbox,
        `const started = [];
        for (let i = 0; i < 17; i++) started.push(ctx.http.fetch('https://slow.example.com/' + i).catch((e: Error) => e.name + ': ' + e.message));
        const refused = await started[16];
        ctx.log.info(String(refused));
        await Promise.race(started.slice(0, 16));
        return 'never';`,
        { http: never },
        { limits: { timeoutMs: 400, memoryMiB: 32 } },
      );
      expect(x.outcome.status).toBe('timed_out');
      expect(x.logs[0]?.message).toMatch(/^RangeError: ctx\.http\.fetch: at most 16 calls .* may be in flight at once/);
      expect(signals).toHaveLength(16);
      expect(signals.every((s) => s.aborted)).toBe(true);

      const flood = await run(sandbox, `for (let i = 0; i < 1000; i++) await ctx.state.get('k'); return 'done';`, {
        state: new ScopedState(new MemoryStateRepository(), { project: 'p', runbook: 'r', env: 'prod' }, systemClock),
      });
      expect(flood.outcome).toMatchObject({ status: 'failed', error: { name: 'HostCallLimitError', limit: 'host_calls' } });
    });

    it('emits events with the chain annotation, and refuses past the per-execution limit', async () => {
      const raised: Parameters<ConstructorParameters<typeof ChainedEmitter>[0]>[0][] = [];
      const raise = async (e: (typeof raised)[number]): Promise<EventRecord> => {
        raised.push(e);
        return { id: `evt-${raised.length}` } as EventRecord;
      };
      const emit = new ChainedEmitter(raise, { project: 'team', runbook: 'caps', env: 'prod' }, null, systemClock, { perExecution: 2, depth: 3 });
      const x = await run(
        sandbox,
        `const token = await ctx.secrets.get('SLACK_TOKEN');
        const a = await ctx.emit({ labels: { alertname: 'Cleaned', token }, annotations: { wolfe_emit_chain: 'forged', note: 'n' } });
        const b = await ctx.emit({ labels: { alertname: 'Cleaned' }, status: 'resolved' });
        const c = await ctx.emit({ labels: { alertname: 'Again' } }).catch((e: Error) => e.name);
        const d = await ctx.emit({ labels: {} }).catch((e: Error) => e.name);
        return [a.id, b.id, c, d];`,
        { emit, secrets: secrets({ SLACK_TOKEN: SECRET }) },
      );
      expect(x.outcome).toEqual({ status: 'succeeded', result: ['evt-1', 'evt-2', 'EmitLimitError', 'TypeError'] });
      expect(raised[0]).toMatchObject({
        env: 'prod',
        source: 'runbook:team/caps',
        labels: { alertname: 'Cleaned', token: '[secret:SLACK_TOKEN]' },
        annotations: { note: 'n', wolfe_emit_chain: 'team/caps' },
        status: 'firing',
      });
      expect(raised[1]).toMatchObject({ status: 'resolved' });
    });
  });
});
