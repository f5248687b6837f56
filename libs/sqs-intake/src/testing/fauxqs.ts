import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface FauxqsProcess {
  /** e.g. http://127.0.0.1:45123 — the SQS endpoint to give the SDK. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts the fauxqs emulator (SQS JSON protocol, RedrivePolicy/DLQ, long polling) in a child
 * process on a random loopback port. For tests: the real @aws-sdk/client-sqs talks to it.
 */
export async function startFauxqsProcess(options: { region?: string; timeoutMs?: number } = {}): Promise<FauxqsProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'fauxqs-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, FAUXQS_REGION: options.region ?? 'eu-west-1', NODE_OPTIONS: '' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fauxqs did not start within the timeout')), options.timeoutMs ?? 20_000);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { endpoint: string }).endpoint);
      } catch {
        reject(new Error(`fauxqs printed ${JSON.stringify(line)} instead of its endpoint`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fauxqs exited with code ${String(code)} before it was ready`));
    });
  });
  return {
    endpoint,
    stop: async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
