import { STATUS_CODES } from 'node:http';
import {
  CapabilityError,
  ChainedEmitter,
  DeclaredSecrets,
  MemoryStateRepository,
  ScopedState,
  STATE_MAX_KEYS,
  systemClock,
  type EmitSpec,
  type Environment,
  type EventRecord,
  type HttpCapability,
  type HttpRequestSpec,
  type HttpResponseSpec,
  type RunbookCapabilities,
  type StateScope,
} from '@wolfe/application';
import type { EgressRule, Manifest } from '@wolfe/runbooks';
import type { RecordedResponse, RunbookTest } from './testfile';

/**
 * The egress allowlist check of ctx.http (`matchTarget` of @wolfe/egress), injected: the same
 * rules as the server's, checked before any (here: recorded) request.
 */
export type MatchEgressTarget = (url: string, rules: readonly EgressRule[]) => { readonly ok: true; readonly target: { readonly url: URL } } | { readonly ok: false; readonly reason: string };

/**
 * The capabilities of a `wolfe test` run: the same interfaces (and, for secrets, state and emit,
 * the same classes) as the server's, over a test file's fakes — so tests run offline and still
 * catch an undeclared secret, a URL outside `egress:` or a state value over its bound.
 */
export interface TestRun {
  readonly capabilities: RunbookCapabilities;
  /** The runbook's state after the run, key → value. */
  finalState(): Promise<Record<string, unknown>>;
  /** What ctx.emit raised, in order. */
  readonly emitted: EmitSpec[];
  /** `METHOD URL` of every ctx.http request, in order. */
  readonly requests: string[];
}

export async function testRun(
  runbook: { readonly name: string; readonly manifest: Manifest },
  test: Pick<RunbookTest, 'file' | 'secrets' | 'state' | 'http'>,
  env: Environment,
  matchTarget: MatchEgressTarget,
): Promise<TestRun> {
  const { secrets, egress } = runbook.manifest;
  const scope: StateScope = { project: 'local', runbook: runbook.name, env };
  const repo = new MemoryStateRepository();
  const at = new Date().toISOString();
  for (const [key, value] of Object.entries(test.state)) await repo.put({ ...scope, key, value, updatedAt: at }, STATE_MAX_KEYS);
  const emitted: EmitSpec[] = [];
  const requests: string[] = [];
  let ids = 0;
  const raise = async (e: EmitSpec): Promise<EventRecord> => {
    emitted.push({ labels: e.labels, annotations: e.annotations, status: e.status });
    ids += 1;
    return { id: `emitted-${ids}` } as EventRecord;
  };
  return {
    capabilities: {
      secrets: new DeclaredSecrets(secrets, async (name) => test.secrets[name] ?? null, test.file, (name) => `add it under secrets: in ${test.file}, e.g. ${name}: test-value`),
      state: new ScopedState(repo, scope, systemClock),
      http: new RecordedHttp(egress, test.http, test.file, requests, matchTarget),
      emit: new ChainedEmitter(raise, scope, null, systemClock),
    },
    finalState: async () => Object.fromEntries((await repo.list(scope)).map((r) => [r.key, r.value])),
    emitted,
    requests,
  };
}

/** ctx.http answered from recorded responses; the egress allowlist is checked like on the server (before DNS). */
class RecordedHttp implements HttpCapability {
  constructor(
    private readonly rules: readonly EgressRule[],
    private readonly recorded: ReadonlyMap<string, RecordedResponse>,
    private readonly file: string,
    private readonly requests: string[],
    private readonly matchTarget: MatchEgressTarget,
  ) {}

  async fetch(request: HttpRequestSpec): Promise<HttpResponseSpec> {
    const m = this.matchTarget(request.url, this.rules);
    if (!m.ok) throw new CapabilityError('EgressDeniedError', `ctx.http: ${request.url.split('?')[0] ?? ''} ${m.reason}`);
    const key = `${request.method} ${m.target.url.toString()}`;
    this.requests.push(key);
    const r = this.recorded.get(key);
    if (r === undefined) {
      const known = [...this.recorded.keys()];
      throw new CapabilityError(
        'HttpNotRecordedError',
        `ctx.http: no recorded response for ${key} in ${this.file}; add it under http: (recorded: ${known.length === 0 ? 'none' : known.join(', ')})`,
      );
    }
    return { status: r.status, statusText: STATUS_CODES[r.status] ?? '', url: m.target.url.toString(), headers: r.headers, body: r.body };
  }
}
