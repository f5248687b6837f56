import type { StatePutResult, StateRecord, StateRepository, StateScope } from '../ports/capability-store';

/**
 * `StateRepository` in memory: `wolfe test` (a test file's `state:` is the initial content, the
 * final content is compared with `expect.state`) and tests. Values are copied in and out.
 */
export class MemoryStateRepository implements StateRepository {
  private readonly records = new Map<string, StateRecord>();

  async get(scope: StateScope, key: string): Promise<StateRecord | null> {
    const r = this.records.get(id(scope, key));
    return r === undefined ? null : copy(r);
  }

  async put(record: StateRecord, maxKeys: number): Promise<StatePutResult> {
    const k = id(record, record.key);
    if (!this.records.has(k) && this.scopeKeys(record).length >= maxKeys) return { ok: false, reason: 'too_many_keys' };
    this.records.set(k, copy(record));
    return { ok: true };
  }

  async delete(scope: StateScope, key: string): Promise<boolean> {
    return this.records.delete(id(scope, key));
  }

  async list(scope: StateScope): Promise<readonly StateRecord[]> {
    return this.scopeKeys(scope)
      .sort()
      .map((key) => copy(this.records.get(id(scope, key)) as StateRecord));
  }

  private scopeKeys(scope: StateScope): string[] {
    const out: string[] = [];
    for (const r of this.records.values()) if (r.project === scope.project && r.runbook === scope.runbook && r.env === scope.env) out.push(r.key);
    return out;
  }
}

function id(scope: StateScope, key: string): string {
  return JSON.stringify([scope.project, scope.runbook, scope.env, key]);
}

function copy(r: StateRecord): StateRecord {
  return { ...r, value: JSON.parse(JSON.stringify(r.value ?? null)) as unknown };
}
