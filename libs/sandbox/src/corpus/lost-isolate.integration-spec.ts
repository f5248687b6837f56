// Security corpus, part 4: memory exhaustion that V8 itself cannot recover from (a Map or Set
// outgrowing the heap). Found by this corpus: it aborted the whole process (and with the
// server's onCatastrophicError → process.exit it hung forever). Now the sandbox contains it:
// the execution fails with MemoryLimitError, the sandbox keeps serving, the embedder hears
// about it only past `maxLostIsolates`, and the process can still end (SIGKILL on exit).
//
// These cases run in a child process: an abandoned isolate cannot be reclaimed, and a process
// holding one cannot exit normally, so they must not run inside the test runner.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxLogEntry, SandboxOutcome } from '@wolfe/application';
import { CANARY_ENV, expectNoHostLeak } from './harness';

jest.setTimeout(60_000);

interface Result {
  outcome: SandboxOutcome;
  logs: SandboxLogEntry[];
  ms: number;
}
interface Scenario {
  attack: Result;
  probes: Result[];
  lost: number;
  catastrophes: string[];
}

const NODE = process.execPath;
let dir = '';
let child: ReturnType<typeof spawnSync> | null = null;
let report: { map: Scenario; set: Scenario; after: Result } | null = null;

beforeAll(() => {
  // Inside the repository, so the bundle's external packages resolve from its node_modules.
  mkdirSync(join(process.cwd(), 'tmp'), { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'tmp', 'lost-isolate-'));
  const bundle = join(dir, 'child.js');
  // Bundle the child (TypeScript, tsconfig paths) with esbuild, in a separate process.
  const build = spawnSync(
    NODE,
    [
      '-e',
      `require('esbuild').buildSync({ entryPoints: [${JSON.stringify(join(__dirname, 'lost-isolate.child.ts'))}], outfile: ${JSON.stringify(bundle)}, bundle: true, platform: 'node', format: 'cjs', packages: 'external', tsconfig: 'tsconfig.base.json', logLevel: 'error' })`,
    ],
    { cwd: process.cwd(), encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`bundling the child failed: ${build.stderr}`);
  child = spawnSync(NODE, ['--no-node-snapshot', bundle], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 45_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const line = String(child.stdout).trim().split('\n').at(-1) ?? '';
  report = line.startsWith('{') ? (JSON.parse(line) as typeof report) : null;
  if (report === null) throw new Error(`the child did not report: status ${child.status} signal ${child.signal} ${String(child.error ?? '')}\n${String(child.stdout).slice(0, 1_000)}\n${String(child.stderr).slice(-2_000)}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const memoryLimit = { status: 'failed', error: { name: 'MemoryLimitError', message: 'the runbook exceeded the 16 MiB memory limit set in runbook.yaml', stack: null, location: null, limit: 'memory' } };

describe('corpus: memory exhaustion V8 cannot recover from (child process)', () => {
  it('the child reported, and ended by SIGKILL instead of hanging at exit', () => {
    expect(report).not.toBeNull();
    expect(child?.error).toBeUndefined(); // not killed by the spawn timeout
    expect(child?.signal).toBe('SIGKILL');
  });

  it.each(['map', 'set'] as const)('a %s outgrowing the heap fails with MemoryLimitError, and the sandbox keeps serving meanwhile', (name) => {
    const scenario = report![name];
    expect(scenario.attack.outcome).toEqual(memoryLimit);
    expect(scenario.attack.ms).toBeLessThan(5_000);
    expect(scenario.probes.length).toBeGreaterThan(0);
    for (const probe of scenario.probes) {
      expect(probe.outcome).toEqual({ status: 'succeeded', result: 'probe-ok' });
      expect(probe.ms).toBeLessThan(1_500);
    }
    for (const r of [scenario.attack, ...scenario.probes]) expectNoHostLeak({ ...r, steps: [], attachments: [], late: 0 });
    expect(String(child?.stdout)).not.toContain(String(process.env[CANARY_ENV]));
  });

  it('tolerates maxLostIsolates lost isolates, then tells the embedder (onCatastrophicError)', () => {
    expect(report!.map).toMatchObject({ lost: 1, catastrophes: [] });
    expect(report!.set).toMatchObject({
      lost: 2,
      catastrophes: [expect.stringMatching(/^2 isolates were lost to out-of-memory errors V8 could not recover from \(over the 1 tolerated\)/)],
    });
    expect(report!.after.outcome).toEqual({ status: 'succeeded', result: 'still serving' });
  });
});
