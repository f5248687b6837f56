import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { type RunningServer, startServer, type StartServerOptions } from '../server';

export interface TestServer extends RunningServer {
  readonly dataDir: string;
}

/**
 * Starts the real Wolfe server (sqlite file, git repository, isolated-vm) on a random
 * loopback port with a temporary data dir seeded from `runbooks/` (or WOLFE_SEED_DIR).
 * With `dataDir` (a restart), that folder is used and kept on close.
 */
export async function startTestServer(options: { env?: Record<string, string>; dataDir?: string; server?: StartServerOptions } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wolfe-test-')));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    WOLFE_DATA_DIR: dataDir,
    WOLFE_SEED_DIR: resolve(__dirname, '../../../../runbooks'),
    LOG_LEVEL: process.env['WOLFE_TEST_LOG_LEVEL'] ?? 'warn',
    ...options.env,
  });
  const server = await startServer(config, createLogger(config.logLevel), options.server);
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch against a test server with the admin token. */
export function api(server: { url: string; token: string }, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${server.token}`, ...(init.headers as Record<string, string> | undefined) },
  });
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, { timeoutMs = 10_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
