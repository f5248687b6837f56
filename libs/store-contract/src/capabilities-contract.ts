import type { SecretRecord, StateRecord, StateScope, Store } from '@wolfe/application';
import type { StoreUnderTest } from './store-contract';

/** Per-test timeout (a networked adapter runs the same suite). */
const T = 30_000;

const secret = (over: Partial<SecretRecord> = {}): SecretRecord => ({
  project: 'payments',
  env: 'prod',
  name: 'SLACK_TOKEN',
  ciphertext: 'v1.opaque-ciphertext',
  updatedAt: '2026-11-21T14:00:00.000Z',
  updatedBy: 'admin',
  ...over,
});

const scope: StateScope = { project: 'payments', runbook: 'disk-cleanup', env: 'prod' };
const state = (key: string, value: unknown, over: Partial<StateRecord> = {}): StateRecord => ({ ...scope, key, value, updatedAt: '2026-11-21T14:00:00.000Z', ...over });

/**
 * The contract of `Store.secrets` and `Store.state` (ctx.secrets, ctx.state); run inside
 * `describeStoreContract`, so every adapter passes it. `current` gives the test's store.
 */
export function describeCapabilityStoreContract(current: () => { readonly store: Store; readonly subject: StoreUnderTest }): void {
  describe('secrets', () => {
    it(
      'puts, replaces, gets, lists without values and deletes, scoped by project and environment',
      async () => {
        const { store } = current();
        await store.secrets.put(secret());
        await store.secrets.put(secret({ name: 'API_KEY', ciphertext: 'v1.other' }));
        await store.secrets.put(secret({ env: 'dev', ciphertext: 'v1.dev' }));
        await store.secrets.put(secret({ project: 'search', ciphertext: 'v1.search' }));
        expect(await store.secrets.get('payments', 'prod', 'SLACK_TOKEN')).toStrictEqual(secret());
        expect(await store.secrets.get('payments', 'dev', 'SLACK_TOKEN')).toStrictEqual(secret({ env: 'dev', ciphertext: 'v1.dev' }));
        expect(await store.secrets.get('payments', 'test', 'SLACK_TOKEN')).toBeNull();
        expect(await store.secrets.get('payments', 'prod', 'slack_token')).toBeNull();

        await store.secrets.put(secret({ ciphertext: 'v1.rotated', updatedAt: '2026-11-22T09:00:00.000Z', updatedBy: 'ops' }));
        expect(await store.secrets.get('payments', 'prod', 'SLACK_TOKEN')).toStrictEqual(secret({ ciphertext: 'v1.rotated', updatedAt: '2026-11-22T09:00:00.000Z', updatedBy: 'ops' }));

        const listed = await store.secrets.list('payments', 'prod');
        expect(listed).toStrictEqual([
          { project: 'payments', env: 'prod', name: 'API_KEY', updatedAt: '2026-11-21T14:00:00.000Z', updatedBy: 'admin' },
          { project: 'payments', env: 'prod', name: 'SLACK_TOKEN', updatedAt: '2026-11-22T09:00:00.000Z', updatedBy: 'ops' },
        ]);
        expect(JSON.stringify(listed)).not.toContain('v1.');

        expect(await store.secrets.delete('payments', 'prod', 'SLACK_TOKEN')).toBe(true);
        expect(await store.secrets.delete('payments', 'prod', 'SLACK_TOKEN')).toBe(false);
        expect(await store.secrets.get('payments', 'prod', 'SLACK_TOKEN')).toBeNull();
        expect(await store.secrets.get('payments', 'dev', 'SLACK_TOKEN')).not.toBeNull();
        expect((await store.secrets.list('search', 'prod')).map((s) => s.name)).toEqual(['SLACK_TOKEN']);
      },
      T,
    );
  });

  describe('state', () => {
    it(
      'keeps JSON values per (project, runbook, env) and key, replaces them and deletes them',
      async () => {
        const { store } = current();
        const value = { count: 3, tags: ['a', 'ü', '🚨'], nested: { ok: true, none: null }, text: 'say "hi" \\ $set' };
        expect((await store.state.put(state('last-run', value), 10)).ok).toBe(true);
        expect((await store.state.put(state('last-run', 'other runbook', { runbook: 'other' }), 10)).ok).toBe(true);
        expect((await store.state.put(state('last-run', 'dev', { env: 'dev' }), 10)).ok).toBe(true);
        expect(await store.state.get(scope, 'last-run')).toStrictEqual(state('last-run', value));
        expect(await store.state.get({ ...scope, runbook: 'other' }, 'last-run')).toStrictEqual(state('last-run', 'other runbook', { runbook: 'other' }));
        expect(await store.state.get(scope, 'missing')).toBeNull();

        await store.state.put(state('last-run', 42, { updatedAt: '2026-11-22T00:00:00.000Z' }), 10);
        expect(await store.state.get(scope, 'last-run')).toStrictEqual(state('last-run', 42, { updatedAt: '2026-11-22T00:00:00.000Z' }));
        await store.state.put(state('a.b$c', [1, 2]), 10);
        expect((await store.state.list(scope)).map((r) => [r.key, r.value])).toEqual([
          ['a.b$c', [1, 2]],
          ['last-run', 42],
        ]);
        expect(await store.state.delete(scope, 'last-run')).toBe(true);
        expect(await store.state.delete(scope, 'last-run')).toBe(false);
        expect(await store.state.get(scope, 'last-run')).toBeNull();
        expect(await store.state.get({ ...scope, env: 'dev' }, 'last-run')).not.toBeNull();
      },
      T,
    );

    it(
      'refuses a new key past maxKeys, but still replaces existing keys',
      async () => {
        const { store } = current();
        for (const k of ['k1', 'k2', 'k3']) expect(await store.state.put(state(k, k), 3)).toStrictEqual({ ok: true });
        expect(await store.state.put(state('k4', 'k4'), 3)).toStrictEqual({ ok: false, reason: 'too_many_keys' });
        expect(await store.state.get(scope, 'k4')).toBeNull();
        expect(await store.state.put(state('k2', 'new'), 3)).toStrictEqual({ ok: true });
        expect((await store.state.get(scope, 'k2'))?.value).toBe('new');
        // Another scope has its own bound.
        expect(await store.state.put(state('k4', 'k4', { runbook: 'other' }), 3)).toStrictEqual({ ok: true });
        await store.state.delete(scope, 'k1');
        expect(await store.state.put(state('k4', 'k4'), 3)).toStrictEqual({ ok: true });
      },
      T,
    );

    it(
      'keeps secrets and state across close and reopen',
      async () => {
        const { store, subject } = current();
        await store.secrets.put(secret());
        await store.state.put(state('kept', { v: 1 }), 10);
        await store.close();
        const reopened = await subject.reopen();
        expect(await reopened.secrets.get('payments', 'prod', 'SLACK_TOKEN')).toStrictEqual(secret());
        expect(await reopened.state.get(scope, 'kept')).toStrictEqual(state('kept', { v: 1 }));
      },
      T,
    );
  });
}
