import { ConfigError, loadConfig } from './config';
import { startServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`wolfe: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer(config);
  process.stderr.write(
    [
      '',
      `  Wolfe is running: ${server.url}`,
      `  Studio:           ${server.url}/${server.studioDir ? '' : '  (not built: run npm run build)'}`,
      `  API:              ${server.url}/api/v1`,
      `  Admin token:      ${server.tokenPath}`,
      `  Intake token:     ${server.intakeTokenPath}  (sends events only: use it in alert senders)`,
      `  Environments:     ${config.envs.join(', ')} (intake default: ${config.defaultEnv})`,
      '',
    ].join('\n') + '\n',
  );
  const stop = (signal: string) => {
    process.stderr.write(`wolfe: ${signal}, stopping (running executions finish first)\n`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`wolfe: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`wolfe: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
