import type { SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { Environment, SecretInfo, SecretRecord, SecretRepository, StatePutResult, StateRecord, StateRepository, StateScope } from '@wolfe/application';

/**
 * `ctx.secrets` and `ctx.state` on sqlite (tables `secrets` and `runbook_state`, see the
 * migration in schema.ts). The secrets table only ever holds ciphertext.
 */
type Row = Record<string, SQLOutputValue>;

export interface SqliteAccess {
  /** A cached prepared statement (reads run at once). */
  statement(sql: string): StatementSync;
  /** Runs `fn` inside the group-commit queue; resolves after its COMMIT. */
  write<T>(fn: () => T): Promise<T>;
}

const ENVIRONMENTS: readonly Environment[] = ['dev', 'test', 'prod'];

const SQL = {
  putSecret: `INSERT INTO secrets (project, env, name, ciphertext, updated_at, updated_by) VALUES (:project, :env, :name, :ciphertext, :updated_at, :updated_by)
    ON CONFLICT (project, env, name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  getSecret: 'SELECT * FROM secrets WHERE project = ? AND env = ? AND name = ?',
  listSecrets: 'SELECT project, env, name, updated_at, updated_by FROM secrets WHERE project = ? AND env = ? ORDER BY name',
  deleteSecret: 'DELETE FROM secrets WHERE project = ? AND env = ? AND name = ?',
  getState: 'SELECT * FROM runbook_state WHERE project = ? AND runbook = ? AND env = ? AND state_key = ?',
  countState: 'SELECT COUNT(*) AS n FROM runbook_state WHERE project = ? AND runbook = ? AND env = ?',
  putState: `INSERT INTO runbook_state (project, runbook, env, state_key, value, updated_at) VALUES (:project, :runbook, :env, :state_key, :value, :updated_at)
    ON CONFLICT (project, runbook, env, state_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  deleteState: 'DELETE FROM runbook_state WHERE project = ? AND runbook = ? AND env = ? AND state_key = ?',
  listState: 'SELECT * FROM runbook_state WHERE project = ? AND runbook = ? AND env = ? ORDER BY state_key',
} as const;

function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new TypeError(`sqlite column ${column}: expected text, got ${v === null ? 'NULL' : typeof v}`);
  return v;
}

function env(row: Row): Environment {
  const v = text(row, 'env');
  const found = ENVIRONMENTS.find((e) => e === v);
  if (found === undefined) throw new TypeError(`sqlite column env: unexpected value ${JSON.stringify(v)}`);
  return found;
}

function toSecretInfo(row: Row): SecretInfo {
  return { project: text(row, 'project'), env: env(row), name: text(row, 'name'), updatedAt: text(row, 'updated_at'), updatedBy: text(row, 'updated_by') };
}

function toState(row: Row): StateRecord {
  return {
    project: text(row, 'project'),
    runbook: text(row, 'runbook'),
    env: env(row),
    key: text(row, 'state_key'),
    value: JSON.parse(text(row, 'value')) as unknown,
    updatedAt: text(row, 'updated_at'),
  };
}

const scopeArgs = (s: StateScope): SQLInputValue[] => [s.project, s.runbook, s.env];

export function sqliteSecrets(db: SqliteAccess): SecretRepository {
  return {
    put: (s: SecretRecord) => {
      const params = { project: s.project, env: s.env, name: s.name, ciphertext: s.ciphertext, updated_at: s.updatedAt, updated_by: s.updatedBy };
      return db.write(() => {
        db.statement(SQL.putSecret).run(params);
      });
    },
    get: async (project, e, name) => {
      const row = db.statement(SQL.getSecret).get(project, e, name);
      return row ? { ...toSecretInfo(row), ciphertext: text(row, 'ciphertext') } : null;
    },
    list: async (project, e) => db.statement(SQL.listSecrets).all(project, e).map(toSecretInfo),
    delete: (project, e, name) => db.write(() => Number(db.statement(SQL.deleteSecret).run(project, e, name).changes) === 1),
  };
}

export function sqliteState(db: SqliteAccess): StateRepository {
  return {
    get: async (scope, key) => {
      const row = db.statement(SQL.getState).get(...scopeArgs(scope), key);
      return row ? toState(row) : null;
    },
    put: (r: StateRecord, maxKeys: number) => {
      const value = JSON.stringify(r.value ?? null);
      return db.write((): StatePutResult => {
        // The check and the insert share the transaction, under the write lock: the bound holds.
        if (!db.statement(SQL.getState).get(...scopeArgs(r), r.key)) {
          const n = Number(db.statement(SQL.countState).get(...scopeArgs(r))?.['n'] ?? 0);
          if (n >= maxKeys) return { ok: false, reason: 'too_many_keys' };
        }
        db.statement(SQL.putState).run({ project: r.project, runbook: r.runbook, env: r.env, state_key: r.key, value, updated_at: r.updatedAt });
        return { ok: true };
      });
    },
    delete: (scope, key) => db.write(() => Number(db.statement(SQL.deleteState).run(...scopeArgs(scope), key).changes) === 1),
    list: async (scope) => db.statement(SQL.listState).all(...scopeArgs(scope)).map(toState),
  };
}
