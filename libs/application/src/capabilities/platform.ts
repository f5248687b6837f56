import type { EgressRule, Manifest } from '@wolfe/runbooks';
import type { SecretCipher } from '../ports/capability-store';
import type { HttpCapability, PrometheusCapability, RunbookCapabilities } from '../ports/capabilities';
import type { EventRecord, ExecutionRecord } from '../ports/records';
import type { Clock, Logger } from '../ports/runtime';
import type { Store } from '../ports/store';
import { ChainedEmitter, type RaiseEvent } from './emit';
import { DeclaredSecrets, SecretService } from './secrets';
import { ScopedState } from './state';

/** What an execution's capabilities are built from. */
export interface CapabilityContext {
  readonly execution: Pick<ExecutionRecord, 'id' | 'project' | 'runbook' | 'env'>;
  readonly manifest: Pick<Manifest, 'secrets' | 'egress'>;
  /** The event that started it (null for a run by hand). */
  readonly event: EventRecord | null;
}

/** Builds the capabilities of one execution (the dispatcher calls it for every execution it runs). */
export type CapabilityFactory = (context: CapabilityContext) => RunbookCapabilities;

/** `ctx.http` for a runbook's allowlist (an egress adapter, e.g. libs/egress). */
export type HttpCapabilityFactory = (rules: readonly EgressRule[], context: CapabilityContext) => HttpCapability;

export interface PlatformCapabilityDeps {
  readonly store: Store;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `InternalEvents.raise`: emitted events are recorded and routed like internal ones. */
  readonly raise: RaiseEvent;
  /** Absent: `ctx.http` is unavailable. */
  readonly http?: HttpCapabilityFactory;
  /** The platform's Prometheus (WOLFE_CONFIG `prometheus:`); absent: `ctx.prometheus` is unavailable. */
  readonly prometheus?: PrometheusCapability;
}

/**
 * The platform's capabilities: secrets from the encrypted store (only the declared ones),
 * state in the store, http through the egress adapter with the manifest's allowlist, emit into
 * the router (loop-protected), and the configured Prometheus.
 */
export function platformCapabilities(deps: PlatformCapabilityDeps): CapabilityFactory {
  const secretService = new SecretService(deps.store.secrets, deps.cipher, deps.clock);
  return (context) => {
    const { project, runbook, env, id } = context.execution;
    const lookup = async (name: string): Promise<string | null> => {
      try {
        return await secretService.reveal(project, env, name);
      } catch (err) {
        // Never the value; the error of a decryption says nothing about it.
        deps.logger.error({ executionId: id, project, env, secret: name, err: err instanceof Error ? err.message : String(err) }, `could not read secret ${name}`);
        throw err;
      }
    };
    return {
      secrets: new DeclaredSecrets(context.manifest.secrets, lookup, `project ${project}, environment ${env}`),
      state: new ScopedState(deps.store.state, { project, runbook, env }, deps.clock),
      emit: new ChainedEmitter(deps.raise, { project, runbook, env }, context.event, deps.clock),
      ...(deps.http === undefined ? {} : { http: deps.http(context.manifest.egress, context) }),
      ...(deps.prometheus === undefined ? {} : { prometheus: deps.prometheus }),
    };
  };
}
