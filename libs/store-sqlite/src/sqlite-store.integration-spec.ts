import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Store } from '@wolfe/application';
import { describeStoreContract, makeAttachment, makeDelivery, makeExecution, makeLog, makeStep, testId, testIdAt, ts } from '@wolfe/store-contract';
import { deliveryListQuery, eventListQuery, executionListQuery, idLowerBound, SQL } from './queries';
import { migrate, MIGRATIONS } from './schema';
import { openSqliteStore, type SqliteStore } from './sqlite-store';

const repoRoot = resolve(__dirname, '../../..');

function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `wolfe-sqlite-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describeStoreContract('sqlite (file)', async () => {
  const { dir, remove } = tempDir('contract');
  const path = join(dir, 'wolfe.db');
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openSqliteStore({ path });
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      for (const s of opened) await s.close();
      remove();
    },
  };
});

describe('sqlite store specifics', () => {
  let dir: string;
  let remove: () => void;
  let path: string;
  const stores: SqliteStore[] = [];
  const open = async (): Promise<SqliteStore> => {
    const s = await openSqliteStore({ path });
    stores.push(s);
    return s;
  };

  beforeEach(() => {
    ({ dir, remove } = tempDir('specifics'));
    path = join(dir, 'wolfe.db');
  });

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    remove();
  });

  it('opens in WAL mode with synchronous=FULL, foreign keys, a busy timeout and the latest schema', async () => {
    const store = await open();
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: 5000,
      schemaVersion: MIGRATIONS.length,
    });
    // Foreign keys are enforced: a log line, a step and an attachment need their execution.
    await expect(store.logs.append([makeLog(testId(), 0)])).rejects.toThrow(/FOREIGN KEY/);
    await expect(store.steps.upsert([makeStep(testId(), 0)])).rejects.toThrow(/FOREIGN KEY/);
    await expect(store.attachments.append([makeAttachment(testId(), 0)])).rejects.toThrow(/FOREIGN KEY/);
  });

  it('migrates a version-2 file to the latest keeping its rows, and cascades steps and attachments with their execution', async () => {
    const db = new DatabaseSync(path);
    migrate(db, MIGRATIONS.slice(0, 2));
    db.exec(`INSERT INTO executions (id, runbook, env, version, status, created_at) VALUES ('x1', 'r', 'prod', 'v', 'succeeded', '${ts()}')`);
    db.exec(
      `INSERT INTO pending (id, env, runbook, version, trigger_index, event_id, fingerprint, episode, dedup_key, for_ms, created_at, due_at)
       VALUES ('p1', 'prod', 'r', 'v', 0, 'e1', 'fp', 'ep', 'prod|r|fp|firing|ep', 60000, '${ts()}', '${ts(60_000)}')`,
    );
    db.close();
    const store = await open();
    expect(store.settings().schemaVersion).toBe(MIGRATIONS.length);
    // Rows from before projects belong to the embedded project.
    expect(await store.executions.get('x1')).toMatchObject({ runbook: 'r', project: 'default' });
    expect(await store.pending.get('p1')).toMatchObject({ runbook: 'r', project: 'default' });
    expect((await store.executions.list({ project: 'default', limit: 5 })).items.map((e) => e.id)).toEqual(['x1']);
    const e = makeExecution();
    await store.executions.createIfAbsent(e);
    await store.steps.upsert([makeStep(e.id, 0), makeStep('x1', 0)]);
    await store.attachments.append([makeAttachment(e.id, 0), makeAttachment('x1', 0)]);
    await store.close();

    const raw = new DatabaseSync(path);
    raw.exec('PRAGMA foreign_keys = ON');
    raw.prepare('DELETE FROM executions WHERE id = ?').run(e.id);
    const count = (table: string): unknown => raw.prepare(`SELECT count(*) AS n FROM ${table} WHERE execution_id = ?`).get(e.id)?.['n'];
    expect([count('steps'), count('attachments')]).toEqual([0, 0]);
    expect(raw.prepare("SELECT count(*) AS n FROM steps WHERE execution_id = 'x1'").get()).toEqual({ n: 1 });
    raw.close();
  });

  it('writes the start and the end of steps through group commit: one transaction per flush, not per step', async () => {
    const store = await open();
    const e = makeExecution();
    await store.executions.createIfAbsent(e);
    const before = store.stats().commits;
    await Promise.all([
      store.steps.upsert(Array.from({ length: 50 }, (_, seq) => makeStep(e.id, seq))),
      store.attachments.append([makeAttachment(e.id, 0)]),
      store.logs.append([makeLog(e.id, 0)]),
    ]);
    expect(store.stats().commits - before).toBe(1);
  });

  it('refuses a database written by a newer schema, and leaves it untouched', async () => {
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    await expect(openSqliteStore({ path })).rejects.toThrow(/newer than this build understands/);
    const check = new DatabaseSync(path);
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: MIGRATIONS.length + 1 });
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    check.close();
  });

  it('applies migrations in one transaction: a failing migration leaves the previous version', () => {
    const db = new DatabaseSync(':memory:');
    expect(migrate(db, ['CREATE TABLE a (x)'])).toBe(1);
    expect(() => migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'THIS IS NOT SQL'])).toThrow();
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 1 });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    expect(migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'])).toBe(2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toEqual({ name: 'b' });
    db.close();
  });

  it('works on :memory:', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    stores.push(store);
    const { delivery, events } = makeDelivery(1);
    await store.deliveries.record(delivery, events);
    expect(await store.deliveries.get(delivery.id)).toStrictEqual(delivery);
  });

  it('group-commits concurrent records, and resolves each only once it is visible to another connection', async () => {
    const store = await open();
    const observer = new DatabaseSync(path, { readOnly: true });
    const seen = observer.prepare('SELECT count(*) AS n FROM events WHERE delivery_id = ?');
    const before = store.stats().commits;
    const batch = Array.from({ length: 500 }, () => makeDelivery(2));
    const visibleAtResolve = await Promise.all(
      batch.map(async ({ delivery, events }) => {
        await store.deliveries.record(delivery, events);
        return seen.get(delivery.id)?.['n'];
      }),
    );
    observer.close();
    expect(visibleAtResolve).toEqual(batch.map(() => 2));
    // 500 writes, at most 200 per transaction: 3 commits, not 500 fsyncs.
    expect(store.stats().commits - before).toBeLessThanOrEqual(3);
  });

  it('replays a batch with a failing write one savepoint per write', async () => {
    const store = await open();
    const first = makeDelivery(1);
    await store.deliveries.record(first.delivery, first.events);
    const again = makeDelivery(1, { id: first.delivery.id });
    const others = Array.from({ length: 5 }, () => makeDelivery(1));
    const outcomes = await Promise.allSettled([
      ...others.slice(0, 2).map((d) => store.deliveries.record(d.delivery, d.events)),
      store.deliveries.record(again.delivery, again.events),
      ...others.slice(2).map((d) => store.deliveries.record(d.delivery, d.events)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(store.stats().replays).toBe(1);
    for (const d of others) expect(await store.deliveries.get(d.delivery.id)).toStrictEqual(d.delivery);
  });

  it('commits queued writes on close before closing, then refuses reads and writes', async () => {
    const store = await open();
    const { delivery, events } = makeDelivery(1);
    const pending = store.deliveries.record(delivery, events); // not awaited before close
    await store.close();
    await expect(pending).resolves.toBeUndefined();
    await expect(store.deliveries.get(delivery.id)).rejects.toThrow(/closed/);
    await expect(store.deliveries.record(makeDelivery(1).delivery, [])).rejects.toThrow();
    await expect(store.logs.append([])).rejects.toThrow(/closed/);
    const reopened = await open();
    expect(await reopened.deliveries.get(delivery.id)).toStrictEqual(delivery);
  });

  it('keeps dedup and claims atomic across two connections on one file (two processes)', async () => {
    const [a, b] = [await open(), await open()];
    const candidates = Array.from({ length: 20 }, () => makeExecution({ dedupKey: 'two-writers' }));
    const results = await Promise.all(candidates.map((c, i) => (i % 2 ? a : b).executions.createIfAbsent(c)));
    expect(results.filter((r) => r.created)).toHaveLength(1);

    for (let i = 0; i < 10; i++) await a.executions.createIfAbsent(makeExecution());
    const claims = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).executions.claimNext(ts(i), i % 2 ? 'a' : 'b', ts(i + 30_000))));
    const claimed = claims.filter((c) => c !== null).map((c) => c.id);
    expect(claimed).toHaveLength(11);
    expect(new Set(claimed).size).toBe(11);
  });

  it('answers every list query shape from an index, without a sort step', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db);
    const plan = (sql: string): string[] =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((r) => String(r['detail']));
    const shapes: string[] = [];
    for (const env of [undefined, 'prod'] as const)
      for (const source of [undefined, 'grafana'])
        for (const decision of [undefined, 'matched', 'none'] as const)
          for (const cursor of [undefined, testId()])
            for (const since of [undefined, ts()]) shapes.push(eventListQuery({ env, source, decision, cursor, since, limit: 50 }).sql);
    for (const outcome of [undefined, 'rejected'] as const)
      for (const source of [undefined, 'grafana'])
        for (const cursor of [undefined, testId()]) shapes.push(deliveryListQuery({ outcome, source, cursor, limit: 50 }).sql);
    for (const project of [undefined, 'payments'])
      for (const runbook of [undefined, 'restart-pod'])
        for (const status of [undefined, 'failed'] as const)
          for (const env of [undefined, 'dev'] as const)
            for (const cursor of [undefined, testId()]) shapes.push(executionListQuery({ project, runbook, status, env, cursor, limit: 50 }).sql);
    shapes.push(SQL.listUndecided, SQL.listByStatus, SQL.listLogs, SQL.claimNext, SQL.getExecutionByDedupKey, SQL.getEvent);
    shapes.push(SQL.listSteps, SQL.listAttachments, SQL.getAttachment);
    shapes.push(SQL.listExpired);
    shapes.push(SQL.getSeries, SQL.listFlapping, SQL.listDuePending, SQL.listPendingBySeries, SQL.getPendingByDedupKey);
    // (listProjects walks the projects table in its primary-key order: a handful of rows.)
    shapes.push(SQL.getProject);
    for (const sql of shapes) {
      const steps = plan(sql);
      expect({ sql, steps }).toEqual({ sql, steps: expect.not.arrayContaining([expect.stringMatching(/TEMP B-TREE/)]) });
      for (const step of steps.filter((s) => /^SCAN /.test(s))) {
        // A SCAN is only acceptable when it walks an index in order (it stops at LIMIT).
        expect({ sql, step }).toEqual({ sql, step: expect.stringMatching(/USING (COVERING )?INDEX/) });
      }
    }
    expect(plan(SQL.listUndecided).join('\n')).toMatch(/events_by_decision \(decision=\?\)/);
    expect(plan(SQL.claimNext).join('\n')).toMatch(/executions_by_status \(status=\?\)/);
    expect(plan(SQL.listExpired).join('\n')).toMatch(/executions_by_status_lease \(status=\?\)/);
    // The renewal walks its (few) ids and looks each up: never the table.
    expect(plan(SQL.renewLeases).filter((s) => /executions/.test(s))).toEqual([expect.stringMatching(/^SEARCH executions USING INDEX .*id=\?/)]);
    expect(plan(SQL.getExecutionByDedupKey).join('\n')).toMatch(/executions_dedup_key/);
    expect(plan(SQL.listFlapping).join('\n')).toMatch(/series_flapping/);
    for (const sql of [SQL.listSteps, SQL.listAttachments, SQL.getAttachment]) {
      expect(plan(sql).join('\n')).toMatch(/sqlite_autoindex_(steps|attachments)_1 \(execution_id=\?/);
    }
    expect(plan(SQL.listDuePending).join('\n')).toMatch(/pending_by_due/);
    expect(plan(SQL.listPendingBySeries).join('\n')).toMatch(/pending_by_series/);
    expect(plan(deliveryListQuery({ outcome: 'rejected', limit: 5 }).sql).join('\n')).toMatch(/deliveries_by_outcome \(outcome=\?\)/);
    // since is a range on the id (UUIDv7 = time-ordered), combined with the filter index.
    expect(plan(eventListQuery({ decision: 'matched', since: ts(), limit: 5 }).sql).join('\n')).toMatch(/events_by_decision \(decision=\? AND id>\?\)/);
    db.close();
  });

  it('turns a since time into the smallest id made at or after it', () => {
    const at = Date.parse(ts());
    const bound = idLowerBound(ts());
    expect(bound).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-0000-0000-000000000000$/);
    expect(parseInt(bound.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    expect(testIdAt(at) >= bound).toBe(true);
    expect(testIdAt(at - 1) < bound).toBe(true);
    expect(() => idLowerBound('not a time')).toThrow(RangeError);
  });

  it(
    'loses no acknowledged delivery when the process is killed with SIGKILL mid-write',
    async () => {
      const bundle = join(dir, 'crash-child.cjs');
      execFileSync(
        join(repoRoot, 'node_modules/.bin/esbuild'),
        [join(repoRoot, 'libs/store-sqlite/src/testing/crash-child.ts'), '--bundle', '--platform=node', '--format=cjs', '--log-level=warning', `--outfile=${bundle}`],
        { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      const child = spawn(process.execPath, ['--no-node-snapshot', bundle, path, '64'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const acknowledged: { delivery: string; events: string[] }[] = [];
      let buffered = '';
      const exited = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, signal) => done(signal)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? ''; // an unterminated last line was not fully reported
        for (const line of lines) {
          const [word, delivery, events] = line.split(' ');
          if (word !== 'ok' || !delivery || !events) continue;
          acknowledged.push({ delivery, events: events.split(',') });
          if (acknowledged.length === 3000) child.kill('SIGKILL');
        }
      });
      // Watchdog: a child that stops reporting must not hang the run (the assertions below
      // then fail on the count).
      const watchdog = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const signal = await exited.finally(() => clearTimeout(watchdog));
      expect({ signal, stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
      expect(acknowledged.length).toBeGreaterThanOrEqual(3000);

      const db = new DatabaseSync(path);
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      const delivery = db.prepare('SELECT event_ids FROM deliveries WHERE id = ?');
      const event = db.prepare('SELECT delivery_id FROM events WHERE id = ?');
      const missing: string[] = [];
      for (const ack of acknowledged) {
        const row = delivery.get(ack.delivery);
        if (!row || row['event_ids'] !== JSON.stringify(ack.events)) missing.push(ack.delivery);
        for (const e of ack.events) if (event.get(e)?.['delivery_id'] !== ack.delivery) missing.push(e);
      }
      // Every event in the file belongs to a delivery (atomicity survived the kill too).
      const orphans = db.prepare('SELECT count(*) AS n FROM events WHERE delivery_id NOT IN (SELECT id FROM deliveries)').get();
      db.close();
      expect(missing).toEqual([]);
      expect(orphans).toEqual({ n: 0 });

      // And the adapter itself reopens the crashed file normally.
      const store = await open();
      const first = acknowledged[0];
      expect((await store.deliveries.get(first?.delivery ?? ''))?.eventIds).toEqual(first?.events);
    },
    60_000,
  );
});
