import type { EventRecord } from '../ports/records';
import type { RunbookSandbox, SandboxOutcome } from '../ports/sandbox';
import type { Store } from '../ports/store';
import { type GateDeps, runGates } from './gates';
import { DEFAULT_LIFECYCLE_SETTINGS, type RunbookTestRunner } from './ports';

const MANIFEST = `name: echo\ndescription: echo\nowner: team\ntriggers:\n  - match: 'alertname="Echo"'\n`;

const event = (id: string): EventRecord =>
  ({ id, source: 'alertmanager', env: 'dev', fingerprint: id, labels: { alertname: 'Echo' }, annotations: {}, status: 'firing', startsAt: null, endsAt: null, receivedAt: '2026-11-21T00:00:00.000Z' }) as unknown as EventRecord;

function deps(outcomes: SandboxOutcome[], tests: RunbookTestRunner | null = null): GateDeps {
  const events = outcomes.map((_, i) => event(`e${i}`));
  let next = 0;
  const sandbox = { run: async () => outcomes[next++]! } as unknown as RunbookSandbox;
  const store = { events: { list: async () => ({ items: events, next: null }) } } as unknown as Store;
  return {
    compile: async () => ({ ok: true, compiled: { code: '', sourceMap: '', filename: 'echo/index.js' } }),
    typeCheck: async () => [],
    tests,
    store,
    sandbox,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as GateDeps['logger'],
    now: () => 0,
  };
}

const input = (files: Record<string, string> = {}) => ({
  name: 'echo',
  files: new Map(Object.entries({ 'runbook.yaml': MANIFEST, 'index.ts': 'export default 1;', ...files })),
  version: 'abc',
  sourceEnv: 'dev' as const,
  targetEnv: 'test' as const,
  settings: DEFAULT_LIFECYCLE_SETTINGS,
});

const error = (name: string, message: string) => ({ name, message, stack: null, location: null, limit: null });

describe('runGates', () => {
  it('counts a replay stopped at its first capability call as not failed, and says so', async () => {
    const gates = await runGates(
      input(),
      deps([{ status: 'succeeded', result: 1 }, { status: 'failed', error: error('CapabilityUnavailableError', 'ctx.http is not available in this run') }, { status: 'succeeded', result: 2 }]),
    );
    expect(gates.find((g) => g.name === 'replay')).toMatchObject({
      status: 'passed',
      count: '3/3',
      message: '3 recent dev event(s) replayed (dry run): 2 without error, 1 stopped at its first capability call (not available in a dry run)',
    });
  });

  it('still fails on any other error', async () => {
    const gates = await runGates(input(), deps([{ status: 'failed', error: error('CapabilityUnavailableError', 'x') }, { status: 'failed', error: error('Error', 'boom') }]));
    const replay = gates.find((g) => g.name === 'replay');
    expect(replay).toMatchObject({ status: 'failed', count: '1/2' });
    expect(replay?.message).toContain('1 of 2 replayed dev event(s) failed (0 without error, 1 stopped at its first capability call');
  });

  it('fails the tests gate naming the failing test, its file and line; passes it with the count', async () => {
    const runner = (passed: boolean): RunbookTestRunner => ({
      run: async (i) => {
        expect(i.version).toBe('abc');
        return { files: 1, cases: [{ name: 'a critical disk', file: 'tests/critical.yaml', line: 7, passed, message: passed ? null : 'tests/critical.yaml:7: expected status succeeded, got failed' }] };
      },
    });
    const failed = (await runGates(input(), deps([], runner(false)))).find((g) => g.name === 'tests');
    expect(failed).toMatchObject({ status: 'failed', count: '0/1', problems: [{ file: 'echo/tests/critical.yaml', line: 7, message: 'a critical disk: tests/critical.yaml:7: expected status succeeded, got failed' }] });
    expect(failed?.message).toContain('a critical disk');
    expect((await runGates(input(), deps([], runner(true)))).find((g) => g.name === 'tests')).toMatchObject({ status: 'passed', count: '1/1' });
  });
});
