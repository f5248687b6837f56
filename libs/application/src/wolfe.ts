import { DEFAULT_FLAPPING, type FlappingConfig } from '@wolfe/series';
import type { SourceNormalizer } from '@wolfe/sources';
import { DEFAULT_PROJECT } from '@wolfe/router';
import { RunbookCatalog, RunbookCatalogs } from './catalog';
import { ExecutionDispatcher } from './dispatcher';
import { HeartbeatMonitor, type HeartbeatSpec } from './heartbeats';
import { IntakeService } from './intake';
import { InternalEvents } from './internal-events';
import { PendingRuns } from './pending';
import type { Environment, EventRecord } from './ports/records';
import type { Clock, CompileRunbook, Logger, RunbookSource } from './ports/runtime';
import type { RunbookSandbox } from './ports/sandbox';
import type { Store } from './ports/store';
import { RoutingService } from './routing';
import { SeriesTracker } from './series-tracker';

export interface WolfeDeps {
  readonly store: Store;
  readonly sandbox: RunbookSandbox;
  /** The repository of the `default` project (more projects: `addProject`). */
  readonly runbookSource: RunbookSource;
  readonly compile: CompileRunbook;
  readonly sources: (name: string) => SourceNormalizer | undefined;
  readonly envs: readonly Environment[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly concurrency: number;
  /** How often to look for new commits on the environment branches (ms); 0 = never. */
  readonly refreshMs: number;
  /** How often to re-route accepted events that have no decision yet (ms). */
  readonly sweepMs: number;
  /** Alerts that must keep arriving (WolfeConfig.heartbeats); none by default. */
  readonly heartbeats?: readonly HeartbeatSpec[];
  /** When a series counts as flapping (WolfeConfig.flapping); default 6 transitions within 10m. */
  readonly flapping?: FlappingConfig;
  /** How often due pending runs (trigger `for:`) and quiet flapping series are re-checked (ms); default 500. */
  readonly tickMs?: number;
  /** How long a claimed execution's lease lasts without renewal (ms); default 30 s (DispatcherOptions.leaseMs). */
  readonly leaseMs?: number;
  /** This instance's id, the owner of the executions it claims; default `instanceId()`. */
  readonly instanceId?: string;
}

/**
 * The application, wired from its ports: the same object serves the HTTP API, the CLI
 * and the benchmarks. Start-up order matters: load runbooks, fail interrupted
 * executions, route what was accepted but not decided, then take new work.
 */
export class Wolfe {
  /** The `default` project's catalog. */
  readonly catalog: RunbookCatalog;
  /** Every project's catalog: routing considers them all, executions run their own project's. */
  readonly catalogs: RunbookCatalogs;
  readonly dispatcher: ExecutionDispatcher;
  readonly routing: RoutingService;
  readonly intake: IntakeService;
  readonly series: SeriesTracker;
  readonly pending: PendingRuns;
  readonly internal: InternalEvents;
  readonly heartbeats: HeartbeatMonitor;
  private timers: NodeJS.Timeout[] = [];
  /** Per-series routing lanes: events of one series are routed in arrival order. */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<void>>();
  private routingActive = 0;
  private readonly routingWaiters: (() => void)[] = [];
  /**
   * Events of different series are routed concurrently, so their store writes share group
   * commits (one fsync for many events) instead of paying one each in turn.
   */
  private static readonly ROUTING_CONCURRENCY = 64;

  constructor(private readonly deps: WolfeDeps) {
    this.catalog = new RunbookCatalog(deps.runbookSource, deps.compile, deps.envs, deps.logger, DEFAULT_PROJECT);
    this.catalogs = new RunbookCatalogs(deps.envs, [this.catalog]);
    this.dispatcher = new ExecutionDispatcher(deps.store, this.catalogs, deps.sandbox, deps.clock, deps.logger, {
      concurrency: deps.concurrency,
      logFlushMs: 250,
      ...(deps.leaseMs === undefined ? {} : { leaseMs: deps.leaseMs }),
      ...(deps.instanceId === undefined ? {} : { owner: deps.instanceId }),
    });
    const kick = () => this.dispatcher.kick();
    this.internal = new InternalEvents(deps.store, deps.clock, deps.logger, (events) => this.enqueueRouting(events));
    this.series = new SeriesTracker(deps.store, this.internal, deps.clock, deps.logger, deps.flapping ?? DEFAULT_FLAPPING);
    this.pending = new PendingRuns(deps.store, deps.clock, deps.logger, kick);
    this.routing = new RoutingService(deps.store, this.catalogs, deps.clock, deps.logger, kick, this.series, this.pending);
    this.heartbeats = new HeartbeatMonitor(deps.heartbeats ?? [], deps.envs, deps.store, this.internal, deps.clock, deps.logger);
    this.routing.onRouted((event) => this.heartbeats.seen(event));
    this.intake = new IntakeService(deps.store, deps.sources, deps.clock, deps.logger, (events) => this.enqueueRouting(events));
  }

  get store(): Store {
    return this.deps.store;
  }

  /**
   * Serves another project's runbooks (its own repository): its catalog is loaded first (this
   * throws if it cannot be), then routing considers it. Add the projects known at start-up
   * before `start()`, so events accepted before a stop are routed with every project.
   */
  async addProject(name: string, source: RunbookSource): Promise<RunbookCatalog> {
    if (this.catalogs.get(name) !== null) throw new Error(`project ${name} is already served`);
    const catalog = new RunbookCatalog(source, this.deps.compile, this.deps.envs, this.deps.logger, name);
    await catalog.refresh();
    this.catalogs.add(catalog);
    return catalog;
  }

  /** Stops serving a project (its queued executions then fail as unavailable). */
  removeProject(name: string): boolean {
    if (name === DEFAULT_PROJECT) throw new Error('the default project cannot be removed');
    return this.catalogs.remove(name);
  }

  async start(): Promise<void> {
    await this.catalog.refresh();
    await this.dispatcher.recoverInterrupted();
    await this.heartbeats.start();
    const resumed = await this.routing.resume();
    if (resumed) this.deps.logger.info({ count: resumed }, `routed ${resumed} event(s) accepted before the last stop`);
    this.dispatcher.kick();
    if (this.deps.refreshMs > 0) {
      this.every(this.deps.refreshMs, () =>
        this.catalogs.refresh((project, err) => this.deps.logger.error({ project, err: String(err) }, `could not refresh the runbooks of project ${project}; will retry`)),
      );
    }
    this.every(this.deps.sweepMs, async () => {
      await this.settled();
      await this.routing.resume();
      this.dispatcher.kick();
    });
    // Pending runs whose for: elapsed (also those that waited through a restart), and
    // flapping series that went quiet.
    const tickMs = this.deps.tickMs ?? 500;
    this.every(tickMs, async () => {
      await this.pending.runDue();
      await this.series.recheckFlapping();
    });
    const shortest = this.heartbeats.shortestIntervalMs;
    if (shortest !== null) this.every(Math.max(100, Math.min(5000, Math.floor(shortest / 4))), () => this.heartbeats.check());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.settled();
    await this.dispatcher.stop();
    await this.deps.sandbox.dispose();
  }

  /** Resolves once every event handed to routing so far (and every internal event it raised) is routed. */
  async settled(): Promise<void> {
    for (;;) {
      while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      await this.heartbeats.idle();
      if (this.inflight.size === 0) return;
    }
  }

  /** Routes after the intake has answered; a failure leaves the event undecided for the sweep. */
  private enqueueRouting(events: readonly EventRecord[]): void {
    for (const e of events) {
      const key = `${e.env}|${e.fingerprint}`;
      let release: () => void = () => undefined;
      // The lane is held until the event's series observation is saved, not until it is
      // fully routed: a burst of one series is observed in order and finished in parallel.
      const observed = new Promise<void>((r) => (release = r));
      const previous = this.lanes.get(key) ?? Promise.resolve();
      this.lanes.set(key, observed);
      const work = previous.then(() => this.routeOne(e, release)).finally(release);
      this.inflight.add(work);
      void work.finally(() => {
        this.inflight.delete(work);
        if (this.lanes.get(key) === observed) this.lanes.delete(key);
      });
    }
  }

  private async routeOne(e: EventRecord, onObserved: () => void): Promise<void> {
    if (this.routingActive >= Wolfe.ROUTING_CONCURRENCY) await new Promise<void>((r) => this.routingWaiters.push(r));
    this.routingActive += 1;
    try {
      await this.routing.route(e, onObserved);
    } catch (err) {
      this.deps.logger.error({ eventId: e.id, err: String(err) }, 'routing failed; the event stays undecided and will be retried');
    } finally {
      this.routingActive -= 1;
      this.routingWaiters.shift()?.();
    }
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      fn()
        .catch((err: unknown) => this.deps.logger.error({ err: String(err) }, 'background task failed'))
        .finally(() => (busy = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}
