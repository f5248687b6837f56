/**
 * Child process for the crash-durability test (bundled with esbuild by the spec, run with
 * node, killed with SIGKILL). It records deliveries through the real adapter with many
 * writes in flight and prints `ok <deliveryId> <eventId>,…` only after record() resolved.
 * Everything it printed must be in the file after the kill.
 */
import { makeDelivery } from '@wolfe/store-contract';
import { openSqliteStore } from '../sqlite-store';

async function main(): Promise<void> {
  const [path, workersArg] = process.argv.slice(2);
  if (!path) throw new Error('usage: crash-child <db path> [workers]');
  const store = await openSqliteStore({ path });
  const workers = Number(workersArg ?? 32);
  process.stdout.write('ready\n');
  const worker = async (): Promise<void> => {
    for (;;) {
      const { delivery, events } = makeDelivery(2);
      await store.deliveries.record(delivery, events);
      // A line still buffered in this process when it is killed is simply never reported;
      // only lines the parent received are checked, so the test stays sound either way.
      process.stdout.write(`ok ${delivery.id} ${events.map((e) => e.id).join(',')}\n`);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
