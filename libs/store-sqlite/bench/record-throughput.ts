/**
 * record() throughput on a real file (group commit + synchronous=FULL):
 *
 *   npx esbuild libs/store-sqlite/bench/record-throughput.ts --bundle --platform=node \
 *     --outfile=tmp/record-throughput.cjs && node_modules/.bin/node tmp/record-throughput.cjs [N] [concurrency…]
 *
 * N single-event deliveries (≈1 KB Alertmanager-like body each) are recorded in
 * Promise.all waves of `concurrency`; ids and payloads are built before the clock starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDelivery } from '@wolfe/store-contract';
import { openSqliteStore } from '../src/sqlite-store';

async function run(n: number, concurrency: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wolfe-bench-'));
  try {
    const store = await openSqliteStore({ path: join(dir, 'bench.db') });
    const work = Array.from({ length: n }, (_, i) => {
      const { delivery, events } = makeDelivery(1, {}, { labels: { alertname: 'HighLatency', severity: 'critical', pod: `checkout-${i}` } });
      return { delivery: { ...delivery, body: delivery.body.padEnd(1024, ' ') }, events };
    });
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i += concurrency) {
      await Promise.all(work.slice(i, i + concurrency).map((w) => store.deliveries.record(w.delivery, w.events)));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { commits, writes } = store.stats();
    await store.close();
    console.log(
      `N=${n} concurrency=${concurrency}: ${Math.round(n / seconds)} records/s ` +
        `(${seconds.toFixed(2)} s, ${commits} commits, ${(writes / commits).toFixed(1)} writes/commit)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [nArg, ...concurrencies] = process.argv.slice(2);
  const n = Number(nArg ?? 20_000);
  for (const c of concurrencies.length > 0 ? concurrencies.map(Number) : [1000, 200, 50, 10, 1]) await run(n, c);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
