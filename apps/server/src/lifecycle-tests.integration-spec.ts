import { rm } from 'node:fs/promises';
import type { LifecycleCommitResultDto, LifecycleRunbookDto, PromotionResultDto, RunbookRejectedDto } from '@wolfe/api-types';
import { call, code, executionFor, manifest, seedFolder, sendAlert } from './lifecycle/testing';
import { startTestServer, type TestServer } from './testing/test-server';

const P = '/api/v1/projects/default';

/** A test of the `tested` runbook expecting `variant` (line 6: `resultIncludes`). */
const testFile = (variant: string): string =>
  `name: answers with its variant\nevent:\n  labels: { alertname: Tested }\nstate: { seen: 1 }\nexpect:\n  resultIncludes: { variant: ${variant}, seen: 1 }\n`;

/** index.ts reading ctx.state first (a capability: a replay dry run stops there). */
const stateful = (variant: string): string => code(variant, "  const seen = await ctx.state.get('seen');\n").replace(`version: ctx.runbook.version }`, `version: ctx.runbook.version, seen }`);

describe('promotion tests gate: the runbook’s own tests run at the promoted version (real git, sqlite, isolated-vm)', () => {
  let s: TestServer;
  let seedDir: string;

  beforeAll(async () => {
    seedDir = await seedFolder({
      tested: { 'runbook.yaml': manifest('tested', 'Tested'), 'index.ts': stateful('v1'), 'tests/variant.yaml': testFile('v1') },
      untested: { 'runbook.yaml': manifest('untested', 'Untested'), 'index.ts': code('v1') },
    });
    s = await startTestServer({ env: { WOLFE_SEED_DIR: seedDir } });
  });
  afterAll(async () => {
    await s?.close();
    await rm(seedDir, { recursive: true, force: true });
  });

  const get = <T>(path: string) => call<T>(s, 'GET', path);

  it('a failing test blocks the promotion (422, its name and line); fixed, the promotion passes with the count', async () => {
    // A real dev event: its replay reaches ctx.state, which a dry run does not have.
    expect((await executionFor(s, await sendAlert(s, 'dev', 'Tested'))).status).toBe('succeeded');
    const dev = (await get<LifecycleRunbookDto>(`${P}/runbooks/tested?env=dev`)).body;
    const v2 = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/tested`, { manifest: dev.manifest, code: { 'index.ts': stateful('v2') }, message: 'tested v2', baseVersion: dev.version });
    expect(v2.status).toBe(200);

    const blocked = await call<RunbookRejectedDto>(s, 'POST', `${P}/runbooks/tested/promotions`, { from: 'dev', to: 'test' });
    expect(blocked.status).toBe(422);
    expect(blocked.body.message).toContain('tests: 1 of 1 test case(s) failed: answers with its variant: tests/variant.yaml:6: result.variant: expected "v1", got "v2"');
    expect(blocked.body.gates?.find((g) => g.name === 'tests')).toMatchObject({
      status: 'failed',
      count: '0/1',
      problems: [expect.objectContaining({ file: 'tested/tests/variant.yaml', line: 6 })],
    });

    const head = (await get<LifecycleRunbookDto>(`${P}/runbooks/tested?env=dev`)).body;
    const fixed = await call<LifecycleCommitResultDto>(s, 'PUT', `${P}/runbooks/tested`, {
      manifest: head.manifest,
      code: head.code,
      tests: { 'tests/variant.yaml': testFile('v2') },
      message: 'tested: test v2',
      baseVersion: head.version,
    });
    expect(fixed.status).toBe(200);
    const promoted = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/tested/promotions`, { from: 'dev', to: 'test' });
    expect(promoted.status).toBe(201);
    expect(promoted.body.gates.find((g) => g.name === 'tests')).toMatchObject({ status: 'passed', count: '1/1', message: '1 test case(s) passed' });
    expect(promoted.body.gates.find((g) => g.name === 'replay')).toMatchObject({
      status: 'passed',
      count: '1/1',
      message: '1 recent dev event(s) replayed (dry run): 0 without error, 1 stopped at its first capability call (not available in a dry run)',
    });
  });

  it('skips the gate only when the runbook has no tests', async () => {
    const promoted = await call<PromotionResultDto>(s, 'POST', `${P}/runbooks/untested/promotions`, { from: 'dev', to: 'test' });
    expect(promoted.status).toBe(201);
    expect(promoted.body.gates.find((g) => g.name === 'tests')).toMatchObject({ status: 'skipped', message: 'the runbook has no tests' });
  });
});
