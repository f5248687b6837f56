import { platformCapabilities, SecretService, systemClock, type Logger, type Store, type Wolfe } from '@wolfe/application';
import { EgressClient, PrometheusClient } from '@wolfe/egress';
import type { WolfeConfig } from '../config';
import { AesGcmSecretCipher } from './secret-cipher';
import { loadSecretKey } from './secret-key';

export interface CapabilitiesOptions {
  readonly config: WolfeConfig;
  readonly store: Store;
  readonly wolfe: Wolfe;
  readonly logger: Logger;
  /** Where WOLFE_SECRET_KEY is read. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Capabilities {
  /** The secret store behind the secrets API. */
  readonly secrets: SecretService;
}

/**
 * The runbook capabilities of this server: the secret store's key and cipher, and the factory
 * the dispatcher builds every execution's `ctx.secrets`, `ctx.state`, `ctx.http`, `ctx.emit` and
 * `ctx.prometheus` with. Call before `wolfe.start()`.
 */
export async function startCapabilities(o: CapabilitiesOptions): Promise<Capabilities> {
  const { key, source, path } = await loadSecretKey(o.config.dataDir, o.env);
  o.logger.info({ source, path }, `secret store key from ${source === 'env' ? 'WOLFE_SECRET_KEY' : path ?? 'the data dir'}`);
  const cipher = new AesGcmSecretCipher(key);
  o.wolfe.dispatcher.useCapabilities(
    platformCapabilities({
      store: o.store,
      cipher,
      clock: systemClock,
      logger: o.logger,
      raise: (event) => o.wolfe.internal.raise(event),
      // ctx.http: only the runbook's egress allowlist, checked on the resolved address.
      http: (rules) => new EgressClient({ rules }),
      // ctx.prometheus: the configured server, whatever the runbook's allowlist says.
      ...(o.config.prometheus === null ? {} : { prometheus: new PrometheusClient({ url: o.config.prometheus.url }) }),
    }),
  );
  return { secrets: new SecretService(o.store.secrets, cipher, systemClock) };
}
