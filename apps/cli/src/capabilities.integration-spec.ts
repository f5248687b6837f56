// `wolfe test` with the capability fakes of a test file (secrets:, state:, http:, and
// expect.state / expect.emitted), in process, on runbook folders written to a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EXIT_FAILED, EXIT_OK, testCommand, type Output } from './commands';

jest.setTimeout(60_000);

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wolfe-cli-caps-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

async function test(dir: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const o: Output = { out: (l) => lines.push(l), err: (l) => lines.push(l) };
  const code = await testCommand(dir, {}, o);
  return { code, out: lines.join('\n') };
}

const MANIFEST = `name: pager
description: pages when a disk is full, at most once an hour
owner: team-test
triggers:
  - match: '{alertname="DiskAlmostFull"}'
timeout: 5s
secrets: [PAGER_TOKEN]
egress: ['https://pager.example.com', 'api.example.com']
`;

const INDEX = `import { runbook } from '@wolfe/sdk';

export default runbook(async (ctx) => {
  const disk = await ctx.http.getJson<{ used: number }>('https://api.example.com/v1/disks/' + (ctx.event.labels.instance ?? 'x'));
  if (disk.used < 90) return { paged: false };
  const last = await ctx.state.get<string>('last-page');
  if (last !== undefined && last > '2026-11-21T13:00:00.000Z') return { paged: false, last };
  const token = await ctx.secrets.get('PAGER_TOKEN');
  ctx.log.info('paging with ' + token);
  const answer = await ctx.http.postJson<{ id: string }>('https://pager.example.com/v2/pages', { text: 'disk full' }, { headers: { authorization: token } });
  await ctx.state.set('last-page', '2026-11-21T14:00:00.000Z');
  await ctx.state.set('pages', ((await ctx.state.get<number>('pages')) ?? 0) + 1);
  await ctx.emit({ labels: { alertname: 'Paged', instance: ctx.event.labels.instance ?? '' } });
  return { paged: true, page: answer.id };
});
`;

const EVENT = 'event:\n  labels: { alertname: DiskAlmostFull, instance: db-1 }\n';
const HTTP = `http:
  GET https://api.example.com/v1/disks/db-1:
    json: { used: 97 }
  POST https://pager.example.com/v2/pages:
    status: 201
    json: { id: page-7 }
`;

describe('wolfe test with capability fakes', () => {
  it('passes tests that use secrets, state, recorded http and emit, and checks the final state and the emitted events', async () => {
    const dir = folder('pager', {
      'runbook.yaml': MANIFEST,
      'index.ts': INDEX,
      'tests/pages.yaml': `${EVENT}secrets:\n  PAGER_TOKEN: pd-test-token\nstate:\n  pages: 2\n${HTTP}expect:
  result: { paged: true, page: page-7 }
  logs: ['paging with [secret:PAGER_TOKEN]']
  state: { last-page: '2026-11-21T14:00:00.000Z', pages: 3 }
  emitted: [{ labels: { alertname: Paged, instance: db-1 } }]
`,
      'tests/quiet.yaml': `${EVENT}state:\n  last-page: '2026-11-21T13:30:00.000Z'\n${HTTP}expect:
  result: { paged: false, last: '2026-11-21T13:30:00.000Z' }
  state: { last-page: '2026-11-21T13:30:00.000Z' }
  emitted: []
`,
    });
    const r = await test(dir);
    expect(r.out).toContain('2 passed, 0 failed');
    expect(r.code).toBe(EXIT_OK);
  });

  it('fails clearly: a request with no recorded response, a missing fake secret, a wrong final state', async () => {
    const dir = folder('pager-bad', {
      'runbook.yaml': MANIFEST.replace('name: pager', 'name: pager-bad'),
      'index.ts': INDEX,
      'tests/unrecorded.yaml': `${EVENT}secrets:\n  PAGER_TOKEN: pd-test-token\nexpect:\n  status: succeeded\n`,
      'tests/no-secret.yaml': `${EVENT}${HTTP}expect:\n  status: succeeded\n`,
      'tests/wrong-state.yaml': `${EVENT}secrets:\n  PAGER_TOKEN: pd-test-token\n${HTTP}expect:\n  state: { pages: 5 }\n`,
    });
    const r = await test(dir);
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.out).toContain('0 passed, 3 failed');
    expect(r.out).toMatch(/HttpNotRecordedError: ctx\.http: no recorded response for GET https:\/\/api\.example\.com\/v1\/disks\/db-1 in tests\/unrecorded\.yaml/);
    expect(r.out).toMatch(/SecretNotFoundError: secret PAGER_TOKEN is not set for tests\/no-secret\.yaml: add it under secrets: in tests\/no-secret\.yaml/);
    expect(r.out).toMatch(/tests\/wrong-state\.yaml:\d+: state\.pages: expected 5, got 1/);
  });

  it('refuses URLs outside egress: and undeclared secrets, as the server does', async () => {
    const dir = folder('strict', {
      'runbook.yaml': 'name: strict\ndescription: d\nowner: o\negress: [api.example.com]\n',
      'index.ts': `import { runbook } from '@wolfe/sdk';
export default runbook(async (ctx) => {
  const a = await ctx.http.fetch('http://169.254.169.254/latest/meta-data/').catch((e: Error) => e.name);
  const b = await ctx.secrets.get('NOT_DECLARED').catch((e: Error) => e.name);
  const c = await ctx.prometheus.query('up').catch((e: Error) => e.name);
  return [a, b, c];
});
`,
      'tests/strict.yaml': `secrets:\n  NOT_DECLARED: value-1234\nexpect:\n  result: [EgressDeniedError, SecretNotDeclaredError, CapabilityUnavailableError]\n`,
      'tests/bad-key.yaml': `http:\n  FETCH https://api.example.com/: { status: 200 }\n`,
    });
    const r = await test(dir);
    expect(r.out).toMatch(/✓ strict/);
    expect(r.out).toMatch(/✗ tests\/bad-key\.yaml\n\s+tests\/bad-key\.yaml:2: http: "FETCH https:\/\/api\.example\.com\/" must be "METHOD URL"/);
  });
});
