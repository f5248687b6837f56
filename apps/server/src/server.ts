import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { type CompileRunbook, instanceId, type RunbookSource, systemClock, Wolfe } from '@wolfe/application';
import { compileRunbook } from '@wolfe/compiler';
import { RunbookRepository } from '@wolfe/git';
import { IsolateSandbox } from '@wolfe/sandbox';
import { getSource } from '@wolfe/sources';
import { SqsIntake } from '@wolfe/sqs-intake';
import { openSqliteStore } from '@wolfe/store-sqlite';
import { ensureAdminToken, ensureIntakeToken } from './admin-token';
import { AppModule } from './app.module';
import { startCapabilities } from './capabilities/wiring';
import type { WolfeConfig } from './config';
import { type SqsIntakeHandle, SqsRecorder } from './intake/sqs';
import { ProjectHub } from './lifecycle/projects';
import { startLifecycle, typeCheckedCompile } from './lifecycle/wiring';
import { appLogger, createLogger, NestPinoLogger, type PinoLogger } from './logging';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly tokenPath: string;
  /** Sends events only: for Alertmanager, Grafana, SNS … configurations. */
  readonly intakeToken: string;
  readonly intakeTokenPath: string;
  readonly studioDir: string | null;
  readonly wolfe: Wolfe;
  /** The projects served (default, WOLFE_CONFIG's, the API's). */
  readonly projects: ProjectHub;
  /** The SQS intake, when WOLFE_CONFIG lists queues. */
  readonly sqs: SqsIntakeHandle | null;
  close(): Promise<void>;
}

function findStudio(config: WolfeConfig): string | null {
  const candidates = config.studioDir ? [config.studioDir] : [resolve(__dirname, '../studio'), resolve('dist/apps/studio')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

export interface StartServerOptions {
  /** Where `tokenEnv` / `webhookSecretEnv` of API-created projects are read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How often the store is read for projects created by other processes (ms); default 5000, 0 = never. */
  readonly projectsReconcileMs?: number;
  /** The sqlite file (default `<data dir>/wolfe.db`): tests of several processes sharing one store. */
  readonly storePath?: string;
  /** This instance's id, the owner of the executions it claims (default `hostname:pid:random`). */
  readonly instanceId?: string;
}

/**
 * The composition root: picks the adapters (embedded defaults: sqlite store, git
 * repositories under the data dir, isolated-vm sandbox), wires the application and puts
 * the HTTP edge in front of it.
 */
export async function startServer(config: WolfeConfig, log: PinoLogger = createLogger(config.logLevel), options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = appLogger(log);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const { token, path: tokenPath } = await ensureAdminToken(config.dataDir);
  const { token: intakeToken, path: intakeTokenPath } = await ensureIntakeToken(config.dataDir);

  const repo = await RunbookRepository.open({
    path: join(config.dataDir, 'repos', 'default.git'),
    seedFrom: existsSync(config.seedDir) ? config.seedDir : undefined,
    branches: ['dev', 'test', 'prod'],
  });
  const runbookSource: RunbookSource = { head: (env) => repo.head(env), readTree: (v) => repo.readTree(v) };
  const compile: CompileRunbook = (name, files) => compileRunbook({ name, files });
  const store = await openSqliteStore({ path: options.storePath ?? join(config.dataDir, 'wolfe.db') });
  const sandbox = new IsolateSandbox({
    // V8 lost control of an isolate: this process can no longer guarantee isolation.
    // Stop at once; accepted events and queued executions are in the store for the restart.
    onCatastrophicError: (message) => {
      log.fatal({ message }, 'isolated-vm reported a catastrophic error; exiting');
      process.exit(70);
    },
  });

  const wolfe = new Wolfe({
    store,
    sandbox,
    runbookSource,
    compile: typeCheckedCompile(compile),
    sources: getSource,
    envs: config.envs,
    clock: systemClock,
    logger,
    concurrency: config.concurrency,
    refreshMs: config.refreshMs,
    sweepMs: 5000,
    leaseMs: config.leaseMs,
    instanceId: options.instanceId ?? instanceId(hostname()),
    heartbeats: config.heartbeats,
    flapping: config.flapping,
  });
  // Every project's catalog is loaded before start: events accepted before a stop are routed
  // with all of them.
  const projects = new ProjectHub({
    dataDir: config.dataDir,
    defaultRepo: repo,
    wolfe,
    store,
    logger,
    config: config.projects,
    env: options.env ?? process.env,
    reconcileMs: options.projectsReconcileMs ?? (config.refreshMs > 0 ? 5000 : 0),
  });
  await projects.open();
  const capabilities = await startCapabilities({ config, store, wolfe, logger, env: options.env ?? process.env });
  await wolfe.start();
  const lifecycle = startLifecycle({ projects, store, sandbox, compile, logger, refreshMs: config.refreshMs });
  projects.start();

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ wolfe, config, adminToken: token, intakeToken, logger, lifecycle: lifecycle.service, projects, secrets: capabilities.secrets }), {
    bodyParser: false,
    logger: new NestPinoLogger(log),
  });
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const studioDir = findStudio(config);
  if (studioDir) {
    app.useStaticAssets(studioDir, { index: 'index.html', redirect: true, fallthrough: true });
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path.startsWith('/api/') || req.path === '/healthz') return next();
      res.status(404).sendFile(join(studioDir, '404.html'), (err) => err && next());
    });
  } else {
    logger.warn({}, 'the Studio is not built (dist/apps/studio is missing): run `npm run build`; the API works without it');
  }
  await app.listen(config.port, config.host);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  // SQS after the application runs; it stops before the application does (see close).
  const sqsRecorder = config.sqs ? new SqsRecorder(wolfe, logger) : null;
  const sqs = config.sqs && sqsRecorder ? new SqsIntake({ region: config.sqs.region, endpoint: config.sqs.endpoint, queues: config.sqs.queues, handle: sqsRecorder.handle, logger }) : null;
  await sqs?.start();
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, dataDir: config.dataDir, envs: config.envs, defaultEnv: config.defaultEnv, tokenPath, intakeTokenPath }, 'wolfe is ready');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    token,
    tokenPath,
    intakeToken,
    intakeTokenPath,
    studioDir,
    wolfe,
    projects,
    sqs: sqs && sqsRecorder ? { status: () => sqs.status(), recent: () => sqsRecorder.recent() } : null,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await sqs?.stop();
        await lifecycle.stop();
        await projects.stop();
        await wolfe.stop();
        await store.close();
      })()),
  };
}
