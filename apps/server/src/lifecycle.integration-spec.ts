import { rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  LifecycleCommitResultDto,
  LifecycleRunbookDto,
  LifecycleRunbookListDto,
  ManualRunResultDto,
  ProjectListDto,
  PromotionResultDto,
  RollbackResultDto,
  RunbookConflictDto,
  RunbookDiffDto,
  RunbookHistoryDto,
  RunbookRejectedDto,
} from '@wolfe/api-types';
import { call, code, executionFor, finished, manifest, seedFolder, sendAlert } from './lifecycle/testing';
import { startTestServer, type TestServer } from './testing/test-server';

const P = '/api/v1/projects/default';

describe('runbook lifecycle over HTTP (real git, sqlite, isolated-vm)', () => {
  let s: TestServer;
  let seedDir: string;

  beforeAll(async () => {
    seedDir = await seedFolder({
      echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('v1') },
      flaky: { 'runbook.yaml': manifest('flaky', 'Flaky'), 'index.ts': code('v1') },
      other: { 'runbook.yaml': manifest('other', 'Other'), 'index.ts': code('other-v1') },
    });
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir } });
  });
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
  });

  const get = <T>(path: string) => call<T>(s, 'GET', path);
  const headOf = async (env: string): Promise<string> => (await get<LifecycleRunbookListDto>(`${P}/runbooks?env=${env}`)).body.commit;

  it('lists projects, and answers 404 naming the known projects for any other', async () => {
    const list = await get<ProjectListDto>('/api/v1/projects');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ name: 'default', environments: ['dev', 'test', 'prod'], allowSkipTest: false, remote: null })]);
    expect(list.body.items[0]?.heads.prod).toMatch(/^[0-9a-f]{40}$/);
    const other = await get<RunbookRejectedDto>('/api/v1/projects/payments/runbooks?env=dev');
    expect(other.status).toBe(404);
    expect(other.body.message).toContain('known projects: default');
    expect((await call(s, 'GET', `${P}/runbooks?env=staging`)).status).toBe(400);
    expect((await call(s, 'GET', `${P}/runbooks/Not_A_Name`)).status).toBe(400);
  });

  it('lists the runbooks of an environment and reads one with its version', async () => {
    const list = await get<LifecycleRunbookListDto>(`${P}/runbooks?env=prod`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((r) => r.name)).toEqual(['echo', 'flaky', 'other']);
    const echo = list.body.items[0];
    expect(echo).toMatchObject({ name: 'echo', version: list.body.commit, description: 'echo for tests', owner: 'team-tests', triggers: [{ match: 'alertname="Echo"', status: 'any', source: null }], problems: [] });

    const one = await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`);
    expect(one.body).toMatchObject({ project: 'default', name: 'echo', env: 'dev', manifest: manifest('echo', 'Echo'), code: { 'index.ts': code('v1') }, tests: {} });
    expect((await get(`${P}/runbooks/nope?env=dev`)).status).toBe(404);
    expect((await get<LifecycleRunbookDto>(`${P}/runbooks/echo?version=${one.body.version}`)).body.code['index.ts']).toBe(code('v1'));
  });

  it('edits on dev as one commit with the actor and a message; invalid runbooks get 422 with file and line and nothing is committed', async () => {
    const before = await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`);
    const saved = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: code('v2'), message: 'Echo v2\n\nReturns v2 now.', baseVersion: before.body.version }, { 'x-wolfe-actor': 'Alice Example' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ env: 'dev', changed: true, live: true });
    expect(saved.body.version).toBe(saved.body.commit);

    const history = await get<RunbookHistoryDto>(`${P}/runbooks/echo/history?env=dev`);
    expect(history.body.items[0]).toMatchObject({
      version: saved.body.commit,
      author: { name: 'Alice Example', email: 'admin@wolfe.local' },
      subject: 'Echo v2',
      audit: { action: 'edit', runbook: 'echo', actor: 'admin', onBehalfOf: 'Alice Example', base: before.body.version },
    });
    expect(history.body.items[0]?.message).toContain('Returns v2 now.');
    expect(history.body.items).toHaveLength(2);

    const head = await headOf('dev');
    const badManifest = await call<RunbookRejectedDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo').replace('timeout: 5s', 'timeout: soon'), code: code('v3'), message: 'broken' });
    expect(badManifest.status).toBe(422);
    expect(badManifest.body.message).toContain("echo/runbook.yaml:7 timeout: 'soon' is not a duration");
    expect(badManifest.body.problems?.[0]).toMatchObject({ file: 'echo/runbook.yaml', field: 'timeout', line: 7 });

    const badCode = await call<RunbookRejectedDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: "import fs from 'fs';\nfs.readFileSync('/etc/passwd');\n" + code('v3'), message: 'broken' });
    expect(badCode.status).toBe(422);
    expect(badCode.body.problems?.[0]).toMatchObject({ file: 'echo/index.ts', line: 1 });
    expect(badCode.body.message).toContain("echo/index.ts:1 imports 'fs'");

    const badTypes = await call<RunbookRejectedDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: code('v3', '  const n: number = ctx.event.labels.instance;\n'), message: 'broken' });
    expect(badTypes.status).toBe(422);
    expect(badTypes.body.problems?.[0]).toMatchObject({ file: 'echo/index.ts', line: 5 });
    expect(badTypes.body.message).toContain("echo/index.ts:5 TS2322: Type 'string' is not assignable to type 'number'");

    const noMessage = await call<RunbookRejectedDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: code('v3') });
    expect(noMessage.status).toBe(400);
    expect(noMessage.body.message).toContain('body.message');
    expect((await call(s, 'PUT', `${P}/runbooks/echo`, 'not json')).status).toBe(400);
    expect(await headOf('dev')).toBe(head);
  });

  it('two concurrent edits of the same runbook: one wins, the other gets 409 with what changed', async () => {
    const base = (await get<LifecycleRunbookDto>(`${P}/runbooks/other?env=dev`)).body.version;
    const edit = (variant: string, who: string) =>
      call<LifecycleCommitResultDto & RunbookConflictDto>(s, 'PUT', `${P}/runbooks/other`, { manifest: manifest('other', 'Other'), code: code(variant), message: `other ${variant}`, baseVersion: base }, { 'x-wolfe-actor': who });
    const results = await Promise.all([edit('other-a', 'Ann'), edit('other-b', 'Ben')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = results.find((r) => r.status === 200);
    const lost = results.find((r) => r.status === 409);
    expect(lost?.body.baseVersion).toBe(base);
    expect(lost?.body.currentVersion).toBe(won?.body.commit);
    expect(lost?.body.commits.map((c) => c.version)).toEqual([won?.body.commit]);
    expect(lost?.body.files).toEqual([{ path: 'other/index.ts', status: 'modified', additions: 2, deletions: 2 }]);
    expect(lost?.body.diff).toContain('-  ctx.log.info(\'running\', { variant: \'other-v1\' });');
    expect(lost?.body.message).toMatch(/changed on dev since [0-9a-f]{12}: [0-9a-f]{12} by (Ann|Ben)/);
    // Re-based on the current version, the loser's edit goes through.
    const retry = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/other`, { manifest: manifest('other', 'Other'), code: code('other-c'), message: 'other c', baseVersion: lost?.body.currentVersion });
    expect(retry.status).toBe(200);
  });

  it('concurrent edits of different runbooks both land (the branch moved, the runbook did not)', async () => {
    const [e, f] = await Promise.all([get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`), get<LifecycleRunbookDto>(`${P}/runbooks/flaky?env=dev`)]);
    const results = await Promise.all([
      call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: e.body.manifest, code: e.body.code, tests: { 'tests/note.txt': 'n' }, message: 'echo note', baseVersion: e.body.version }),
      call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/flaky`, { manifest: f.body.manifest, code: f.body.code, tests: { 'tests/note.txt': 'n' }, message: 'flaky note', baseVersion: f.body.version }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`)).body.tests).toEqual({ 'tests/note.txt': 'n' });
    expect((await get<LifecycleRunbookDto>(`${P}/runbooks/flaky?env=dev`)).body.tests).toEqual({ 'tests/note.txt': 'n' });
  });

  it('promotes ONE runbook dev → test as a commit with audit trailers; refuses dev → prod and backwards', async () => {
    // A real event in dev's ledger for the replay gate.
    expect((await executionFor(s, await sendAlert(s, 'dev', 'Echo'))).result).toMatchObject({ variant: 'v2', env: 'dev' });
    const otherOnTest = (await get<LifecycleRunbookDto>(`${P}/runbooks/other?env=test`)).body;
    const devEcho = (await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`)).body;

    const promoted = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'test', reason: 'ready for QA', version: devEcho.version }, { 'x-wolfe-actor': 'Alice Example' });
    expect(promoted.status).toBe(201);
    expect(promoted.body).toMatchObject({ env: 'test', changed: true, live: true, overridden: false, from: { env: 'dev', version: devEcho.version } });
    expect(promoted.body.gates.map((g) => [g.name, g.status])).toEqual([
      ['manifest', 'passed'],
      ['compile', 'passed'],
      ['typecheck', 'passed'],
      ['tests', 'skipped'],
      ['replay', 'passed'],
    ]);
    expect(promoted.body.gates[4]).toMatchObject({ count: '1/1' });

    const onTest = (await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=test`)).body;
    expect(onTest.code).toEqual(devEcho.code);
    expect(onTest.version).toBe(promoted.body.commit);
    // Only that folder: "other" on test is untouched although dev has a newer one.
    expect((await get<LifecycleRunbookDto>(`${P}/runbooks/other?env=test`)).body).toMatchObject({ version: otherOnTest.version, code: otherOnTest.code });

    const history = await get<RunbookHistoryDto>(`${P}/runbooks/echo/history?env=test`);
    const audit = history.body.items[0]?.audit;
    expect(audit).toEqual({
      action: 'promote',
      runbook: 'echo',
      from: `dev@${devEcho.version}`,
      to: 'test',
      replaces: expect.stringMatching(/^[0-9a-f]{40}$/),
      base: null,
      actor: 'admin',
      onBehalfOf: 'Alice Example',
      reason: 'ready for QA',
      gates: 'manifest=passed compile=passed typecheck=passed tests=skipped replay=passed(1/1)',
      override: null,
    });
    expect(history.body.items[0]).toMatchObject({ subject: 'Promote echo from dev to test', author: { name: 'Alice Example' } });

    const skip = await call<RunbookRejectedDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'prod' });
    expect(skip.status).toBe(422);
    expect(skip.body.message).toContain('does not allow skipping test');
    const back = await call<RunbookRejectedDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'prod', to: 'test' });
    expect(back.status).toBe(422);
    expect(back.body.message).toContain('roll it back');
    const again = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'test' });
    expect(again.body).toMatchObject({ changed: false, commit: promoted.body.commit });

    const diff = await get<RunbookDiffDto>(`${P}/runbooks/echo/diff?from=prod&to=test`);
    expect(diff.body.files).toEqual([
      { path: 'echo/index.ts', status: 'modified', additions: 2, deletions: 2 },
      { path: 'echo/tests/note.txt', status: 'added', additions: 1, deletions: 0 },
    ]);
    expect(promoted.body.gates[3]?.message).toBe('the runbook has no tests');
    expect(diff.body.diff).toContain("+  return { variant: 'v2'");
    expect((await get<RunbookDiffDto>(`${P}/runbooks/echo/diff?from=dev&to=test`)).body.files).toEqual([]);
  });

  it('END TO END: an alert to ?env=test runs the promoted version while prod still runs the old one', async () => {
    const testHead = await headOf('test');
    const prodHead = await headOf('prod');
    const [onTest, onProd] = await Promise.all([executionFor(s, await sendAlert(s, 'test', 'Echo', { run: 'e2e' })), executionFor(s, await sendAlert(s, 'prod', 'Echo', { run: 'e2e' }))]);
    expect(onTest).toMatchObject({ env: 'test', status: 'succeeded', version: testHead, result: { variant: 'v2', env: 'test', version: testHead } });
    expect(onProd).toMatchObject({ env: 'prod', status: 'succeeded', version: prodHead, result: { variant: 'v1', env: 'prod', version: prodHead } });
    expect(onTest.version).not.toBe(onProd.version);
  });

  it('a failing gate blocks with 422 and the exact reason; an override with a reason promotes and is recorded', async () => {
    expect((await executionFor(s, await sendAlert(s, 'dev', 'Flaky', { mode: 'boom' }))).status).toBe('succeeded');
    const devHead = (await get<LifecycleRunbookDto>(`${P}/runbooks/flaky?env=dev`)).body.version;
    const v2 = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/flaky`, {
      manifest: manifest('flaky', 'Flaky'),
      code: code('v2', "  if (ctx.event.labels['mode'] === 'boom') throw new Error('boom is not handled');\n"),
      message: 'flaky v2',
      baseVersion: devHead,
    });
    expect(v2.status).toBe(200);
    const testBefore = await headOf('test');

    const blocked = await call<RunbookRejectedDto>(s, 'POST', `${P}/runbooks/flaky/promotions`, { from: 'dev', to: 'test' });
    expect(blocked.status).toBe(422);
    expect(blocked.body.message).toMatch(/replay: 1 of 1 replayed dev event\(s\) failed: flaky\/index\.ts:5 event [0-9a-f-]{36} \(Flaky\): failed: Error: boom is not handled/);
    expect(blocked.body.gates?.find((g) => g.name === 'replay')).toMatchObject({ status: 'failed', count: '0/1', problems: [expect.objectContaining({ file: 'flaky/index.ts', line: 5 })] });
    expect(await headOf('test')).toBe(testBefore);

    const forced = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/flaky/promotions`, { from: 'dev', to: 'test', reason: 'known issue', override: { reason: 'boom events are retired' } });
    expect(forced.status).toBe(201);
    expect(forced.body.overridden).toBe(true);
    const audit = (await get<RunbookHistoryDto>(`${P}/runbooks/flaky/history?env=test&limit=1`)).body.items[0]?.audit;
    expect(audit).toMatchObject({ action: 'promote', override: 'boom events are retired', reason: 'known issue', gates: expect.stringContaining('replay=failed(0/1)') });
  });

  it('rolls back one runbook on an environment to an earlier version, recorded in the audit trail', async () => {
    const history = (await get<RunbookHistoryDto>(`${P}/runbooks/flaky/history?env=test`)).body.items;
    const seed = history[history.length - 1]?.version as string;
    const replaced = history[0]?.version;
    const rolled = await call<RollbackResultDto>(s, 'POST', `${P}/runbooks/flaky/rollbacks`, { env: 'test', version: seed, reason: 'v2 throws on boom' }, { 'x-wolfe-actor': 'Bob' });
    expect(rolled.status).toBe(201);
    expect(rolled.body).toMatchObject({ env: 'test', changed: true, live: true, restored: seed });
    expect((await get<LifecycleRunbookDto>(`${P}/runbooks/flaky?env=test`)).body.code['index.ts']).toBe(code('v1'));
    const audit = (await get<RunbookHistoryDto>(`${P}/runbooks/flaky/history?env=test&limit=1`)).body.items[0]?.audit;
    expect(audit).toMatchObject({ action: 'rollback', from: seed, to: 'test', replaces: replaced, reason: 'v2 throws on boom', onBehalfOf: 'Bob', gates: 'manifest=passed compile=passed typecheck=passed' });
    expect((await executionFor(s, await sendAlert(s, 'test', 'Flaky', { mode: 'boom' }))).result).toMatchObject({ variant: 'v1', env: 'test' });

    expect((await call(s, 'POST', `${P}/runbooks/flaky/rollbacks`, { env: 'test', version: seed })).status).toBe(400);
    expect((await call(s, 'POST', `${P}/runbooks/flaky/rollbacks`, { env: 'test', version: 'deadbeef', reason: 'x' })).status).toBe(404);
  });

  it('runs a runbook by hand on dev: no dedup, with an inline event or one from the ledger', async () => {
    const event = { labels: { alertname: 'Manual', instance: 'db-9' }, annotations: { note: 'by hand' } };
    const first = await call<ManualRunResultDto>(s, 'POST', `${P}/runbooks/echo/runs`, { event });
    const second = await call<ManualRunResultDto>(s, 'POST', `${P}/runbooks/echo/runs`, { event });
    expect(first.status).toBe(202);
    expect(first.body.executionId).not.toBe(second.body.executionId);
    const done = await finished(s, first.body.executionId);
    expect(done).toMatchObject({ runbook: 'echo', env: 'dev', status: 'succeeded', trigger: null, version: await headOf('dev'), result: { variant: 'v2', env: 'dev' } });
    expect(done.event).toMatchObject({ source: 'manual', labels: event.labels, decision: 'matched' });
    expect((await finished(s, second.body.executionId)).status).toBe('succeeded');

    const fromLedger = await call<ManualRunResultDto>(s, 'POST', `${P}/runbooks/echo/runs`, { eventId: done.eventId });
    expect((await finished(s, fromLedger.body.executionId)).eventId).toBe(done.eventId);
    expect((await finished(s, (await call<ManualRunResultDto>(s, 'POST', `${P}/runbooks/echo/runs`)).body.executionId)).event).toBeNull();
    expect((await call(s, 'POST', `${P}/runbooks/nope/runs`, { event })).status).toBe(404);
    expect((await call(s, 'POST', `${P}/runbooks/echo/runs`, { eventId: '00000000-0000-7000-8000-000000000000' })).status).toBe(404);
  });

  it('a promotion racing an edit promotes one whole version of the runbook, named in its trailers', async () => {
    const base = (await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`)).body.version;
    const [edit, promotion] = await Promise.all([
      call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: code('v3'), message: 'echo v3', baseVersion: base }),
      call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'test', reason: 'race' }),
    ]);
    expect(edit.status).toBe(200);
    expect(promotion.status).toBe(201);
    const promotedFrom = promotion.body.from.version as string;
    expect([base, edit.body.commit]).toContain(promotedFrom);
    // What test runs is exactly dev's folder at the version the trailer names.
    const atSource = (await get<LifecycleRunbookDto>(`${P}/runbooks/echo?version=${promotedFrom}`)).body;
    const onTest = (await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=test`)).body;
    expect(onTest.code).toEqual(atSource.code);
    expect(onTest.manifest).toBe(atSource.manifest);
    const audit = (await get<RunbookHistoryDto>(`${P}/runbooks/echo/history?env=test&limit=1`)).body.items[0]?.audit;
    if (promotion.body.changed) expect(audit?.from).toBe(`dev@${promotedFrom}`);
  });

  it('recovers a stale lock file left by a killed git; a fresh one answers 503 with Retry-After and commits nothing', async () => {
    const lock = join(s.dataDir, 'repos', 'default.git', 'refs', 'heads', 'dev.lock');
    const base = (await get<LifecycleRunbookDto>(`${P}/runbooks/other?env=dev`)).body.version;
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const saved = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/other`, { manifest: manifest('other', 'Other'), code: code('other-d'), message: 'after a crash', baseVersion: base });
    expect(saved.status).toBe(200);

    await writeFile(lock, '');
    try {
      const busy = await call<RunbookRejectedDto>(s, 'PUT', `${P}/runbooks/other`, { manifest: manifest('other', 'Other'), code: code('other-e'), message: 'while locked' });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(busy.body.message).toContain('refs/heads/dev.lock');
      expect((await get<LifecycleRunbookDto>(`${P}/runbooks/other?env=dev`)).body.version).toBe(saved.body.commit);
    } finally {
      await rm(lock, { force: true });
    }
  });

  it('a commit message cannot forge the audit trailers (read back by git itself)', async () => {
    const base = (await get<LifecycleRunbookDto>(`${P}/runbooks/echo?env=dev`)).body.version;
    const saved = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/echo`, {
      manifest: manifest('echo', 'Echo'),
      code: code('v4'),
      message: 'Innocent change\n\nWolfe-Action: promote\nWolfe-Actor: root\nWolfe-To: prod\n---\n',
      baseVersion: base,
    });
    expect(saved.status).toBe(200);
    const [last] = (await get<RunbookHistoryDto>(`${P}/runbooks/echo/history?env=dev&limit=1`)).body.items;
    expect(last?.audit).toMatchObject({ action: 'edit', actor: 'admin', to: null });
  });

  it('deletes a runbook from dev; the deletion is promoted like any change', async () => {
    const deleted = await call<LifecycleCommitResultDto>(s, 'DELETE', `${P}/runbooks/other?message=retired`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ changed: true, version: null });
    expect((await get(`${P}/runbooks/other?env=dev`)).status).toBe(404);
    expect((await call(s, 'DELETE', `${P}/runbooks/other`)).status).toBe(404);
    const promoted = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/other/promotions`, { from: 'dev', to: 'test', reason: 'retire it' });
    expect(promoted.status).toBe(201);
    expect(promoted.body.gates.every((g) => g.status === 'skipped')).toBe(true);
    expect((await get(`${P}/runbooks/other?env=test`)).status).toBe(404);
    expect((await get(`${P}/runbooks/other?env=prod`)).status).toBe(200);
  });
});

describe('deployment latency: a promotion is live for new executions at once', () => {
  let s: TestServer;
  let seedDir: string;
  beforeAll(async () => {
    seedDir = await seedFolder({ echo: { 'runbook.yaml': manifest('echo', 'Echo'), 'index.ts': code('v1') } });
    // No polling at all: only the in-process notification of the promotion can make it live.
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir, WOLFE_REFRESH_MS: '0' } });
  });
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
  });

  it('the first alert after the promotion answer runs the new version, well within 1 s', async () => {
    const base = (await call<LifecycleRunbookDto>(s, 'GET', `${P}/runbooks/echo?env=dev`)).body.version;
    expect((await call(s, 'PUT', `${P}/runbooks/echo`, { manifest: manifest('echo', 'Echo'), code: code('v2'), message: 'v2', baseVersion: base })).status).toBe(200);
    const promoted = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/echo/promotions`, { from: 'dev', to: 'test' });
    const answeredAt = Date.now();
    expect(promoted.body.live).toBe(true);
    const ex = await executionFor(s, await sendAlert(s, 'test', 'Echo'));
    expect(ex).toMatchObject({ version: promoted.body.commit, result: { variant: 'v2', env: 'test' } });
    expect(Date.parse(ex.startedAt ?? '') - answeredAt).toBeLessThan(1000);
    // prod was not touched: it still runs v1.
    expect((await executionFor(s, await sendAlert(s, 'prod', 'Echo'))).result).toMatchObject({ variant: 'v1' });
  });
});
