import type { Collection, Db } from 'mongodb';
import type { Environment, SecretInfo, SecretRepository, StateRecord, StateRepository, StateScope } from '@wolfe/application';

/**
 * `ctx.secrets` and `ctx.state` on MongoDB. `_id` is the JSON array of the record's key, so a
 * key is unique by construction; values are kept as JSON text (no `$` or `.` key can turn into
 * an operator or a path). The secrets collection only ever holds ciphertext.
 */
interface SecretDoc {
  _id: string;
  project: string;
  env: Environment;
  name: string;
  ciphertext: string;
  updatedAt: Date;
  updatedBy: string;
}

interface StateDoc {
  _id: string;
  project: string;
  runbook: string;
  env: Environment;
  key: string;
  value: string;
  updatedAt: Date;
}

type Guard = <T>(op: () => Promise<T>) => Promise<T>;

const secretId = (project: string, env: Environment, name: string): string => JSON.stringify([project, env, name]);
const stateId = (s: StateScope, key: string): string => JSON.stringify([s.project, s.runbook, s.env, key]);
const scopeFilter = (s: StateScope) => ({ project: s.project, runbook: s.runbook, env: s.env });

/** Creates the collections' indexes (idempotent). */
export async function prepareCapabilityCollections(db: Db): Promise<void> {
  await db.collection<SecretDoc>('secrets').createIndexes([{ key: { project: 1, env: 1, name: 1 }, name: 'project_env_name' }]);
  await db.collection<StateDoc>('runbook_state').createIndexes([{ key: { project: 1, runbook: 1, env: 1, key: 1 }, name: 'scope_key' }]);
}

function secretInfo(d: SecretDoc): SecretInfo {
  return { project: d.project, env: d.env, name: d.name, updatedAt: d.updatedAt.toISOString(), updatedBy: d.updatedBy };
}

function stateRecord(d: StateDoc): StateRecord {
  return { project: d.project, runbook: d.runbook, env: d.env, key: d.key, value: JSON.parse(d.value) as unknown, updatedAt: d.updatedAt.toISOString() };
}

export function mongoSecrets(db: Db, guard: Guard): SecretRepository {
  const c: Collection<SecretDoc> = db.collection<SecretDoc>('secrets');
  return {
    put: (s) =>
      guard(async () => {
        const doc: SecretDoc = { _id: secretId(s.project, s.env, s.name), project: s.project, env: s.env, name: s.name, ciphertext: s.ciphertext, updatedAt: new Date(s.updatedAt), updatedBy: s.updatedBy };
        await c.replaceOne({ _id: doc._id }, doc, { upsert: true });
      }),
    get: (project, env, name) =>
      guard(async () => {
        const d = await c.findOne({ _id: secretId(project, env, name) });
        return d ? { ...secretInfo(d), ciphertext: d.ciphertext } : null;
      }),
    list: (project, env) => guard(async () => (await c.find({ project, env }).project<SecretDoc>({ ciphertext: 0 }).sort({ name: 1 }).toArray()).map(secretInfo)),
    delete: (project, env, name) => guard(async () => (await c.deleteOne({ _id: secretId(project, env, name) })).deletedCount === 1),
  };
}

export function mongoState(db: Db, guard: Guard): StateRepository {
  const c: Collection<StateDoc> = db.collection<StateDoc>('runbook_state');
  return {
    get: (scope, key) =>
      guard(async () => {
        const d = await c.findOne({ _id: stateId(scope, key) });
        return d ? stateRecord(d) : null;
      }),
    put: (r, maxKeys) =>
      guard(async () => {
        const _id = stateId(r, r.key);
        // Not one transaction: two concurrent inserts of new keys may overshoot the bound by a few.
        if ((await c.countDocuments({ _id }, { limit: 1 })) === 0 && (await c.countDocuments(scopeFilter(r), { limit: maxKeys })) >= maxKeys) {
          return { ok: false, reason: 'too_many_keys' } as const;
        }
        const doc: StateDoc = { _id, project: r.project, runbook: r.runbook, env: r.env, key: r.key, value: JSON.stringify(r.value ?? null), updatedAt: new Date(r.updatedAt) };
        await c.replaceOne({ _id }, doc, { upsert: true });
        return { ok: true } as const;
      }),
    delete: (scope, key) => guard(async () => (await c.deleteOne({ _id: stateId(scope, key) })).deletedCount === 1),
    list: (scope) => guard(async () => (await c.find(scopeFilter(scope)).sort({ key: 1 }).toArray()).map(stateRecord)),
  };
}
