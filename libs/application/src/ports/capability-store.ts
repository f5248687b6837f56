import type { Environment, Timestamp } from './records';

/**
 * Storage of the runbook capabilities `ctx.secrets` and `ctx.state` (part of the `Store`).
 * Implemented by libs/store-sqlite and libs/store-mongodb, checked by the capability contract
 * in libs/store-contract.
 */

/**
 * One secret of a project in one environment (`ctx.secrets.get(name)`). The store only ever
 * holds the value ENCRYPTED by the platform (AES-256-GCM, bound to project, environment and
 * name): a database dump or backup does not reveal it without the key.
 */
export interface SecretRecord {
  readonly project: string;
  readonly env: Environment;
  /** `[A-Za-z_][A-Za-z0-9_]{0,127}`, unique per (project, env). */
  readonly name: string;
  /** The encrypted value (opaque text made by the platform's cipher), never the plaintext. */
  readonly ciphertext: string;
  readonly updatedAt: Timestamp;
  /** The principal that wrote it. */
  readonly updatedBy: string;
}

/** A secret without its value: all the API ever shows. */
export type SecretInfo = Omit<SecretRecord, 'ciphertext'>;

export interface SecretRepository {
  /** Inserts the secret or replaces the one with the same (project, env, name). */
  put(secret: SecretRecord): Promise<void>;
  get(project: string, env: Environment, name: string): Promise<SecretRecord | null>;
  /** The secrets of a project in one environment, by name, without their values. */
  list(project: string, env: Environment): Promise<readonly SecretInfo[]>;
  /** Returns whether it was there. */
  delete(project: string, env: Environment, name: string): Promise<boolean>;
}

/** Whose state: one key-value store per (project, runbook, environment). */
export interface StateScope {
  readonly project: string;
  readonly runbook: string;
  readonly env: Environment;
}

/** One key of a runbook's persistent state (`ctx.state`). */
export interface StateRecord extends StateScope {
  /** 1 to 256 characters. */
  readonly key: string;
  /** JSON (sanitized like results: no `__proto__`, `constructor`, `prototype` or `$…` keys), at most 64 KiB of it. */
  readonly value: unknown;
  readonly updatedAt: Timestamp;
}

export type StatePutResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'too_many_keys' };

export interface StateRepository {
  get(scope: StateScope, key: string): Promise<StateRecord | null>;
  /**
   * Inserts the key or replaces its value. A NEW key is refused (`too_many_keys`, nothing
   * written) when the scope already holds `maxKeys` keys; replacing an existing key always
   * works. Atomic on sqlite; on MongoDB two concurrent inserts may overshoot by a few.
   */
  put(record: StateRecord, maxKeys: number): Promise<StatePutResult>;
  /** Returns whether it was there. */
  delete(scope: StateScope, key: string): Promise<boolean>;
  /** Every key of the scope, by key. */
  list(scope: StateScope): Promise<readonly StateRecord[]>;
}

/** Which secret a ciphertext belongs to: bound into the encryption, so a ciphertext copied to another slot does not decrypt. */
export interface SecretSlot {
  readonly project: string;
  readonly env: Environment;
  readonly name: string;
}

/**
 * Encrypts secret values before they are stored (implemented by the server: AES-256-GCM with
 * a key outside the store). `decrypt` throws when the ciphertext was not made for `slot` with
 * this key (tampered, moved, or another key).
 */
export interface SecretCipher {
  encrypt(plaintext: string, slot: SecretSlot): string;
  decrypt(ciphertext: string, slot: SecretSlot): string;
}
