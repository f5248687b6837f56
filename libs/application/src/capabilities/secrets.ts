import type { SecretCipher, SecretInfo, SecretRepository } from '../ports/capability-store';
import { CapabilityError, type CapabilityCall, type SecretsCapability } from '../ports/capabilities';
import type { Environment } from '../ports/records';
import type { Clock } from '../ports/runtime';
import { SECRET_MAX_VALUE_BYTES, SECRET_MIN_VALUE_CHARS } from './limits';

/** Secret names: like environment variable names (the same rule as `secrets:` in runbook.yaml). */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A secret write the platform refuses (the API answers 400 with the message). */
export class SecretValidationError extends Error {}

const utf8 = new TextEncoder();

/**
 * The platform's secret store: values are encrypted with the {@link SecretCipher} before they
 * reach the store, listed without their values, and only ever decrypted for an execution of a
 * runbook that declares them ({@link DeclaredSecrets}). There is no way to read a value back
 * through the API.
 */
export class SecretService {
  constructor(
    private readonly repo: SecretRepository,
    private readonly cipher: SecretCipher,
    private readonly clock: Clock,
  ) {}

  /** Sets (or replaces) a secret. Throws {@link SecretValidationError} for a bad name or value. */
  async put(project: string, env: Environment, name: string, value: string, by: string): Promise<SecretInfo> {
    if (!SECRET_NAME.test(name)) throw new SecretValidationError(`secret name ${JSON.stringify(name.slice(0, 140))} is invalid: use letters, digits and _, starting with a letter or _ (at most 128), e.g. SLACK_TOKEN`);
    if (value.length < SECRET_MIN_VALUE_CHARS) throw new SecretValidationError(`the value is shorter than ${SECRET_MIN_VALUE_CHARS} characters: so short a value cannot be redacted reliably from logs and results`);
    if (utf8.encode(value).byteLength > SECRET_MAX_VALUE_BYTES) throw new SecretValidationError(`the value is more than ${SECRET_MAX_VALUE_BYTES} bytes`);
    if (value.trim() !== value) throw new SecretValidationError('the value starts or ends with white space (a copy-paste accident?); trim it');
    const updatedAt = this.clock.now().toISOString();
    const ciphertext = this.cipher.encrypt(value, { project, env, name });
    await this.repo.put({ project, env, name, ciphertext, updatedAt, updatedBy: by });
    return { project, env, name, updatedAt, updatedBy: by };
  }

  list(project: string, env: Environment): Promise<readonly SecretInfo[]> {
    return this.repo.list(project, env);
  }

  delete(project: string, env: Environment, name: string): Promise<boolean> {
    return this.repo.delete(project, env, name);
  }

  /** The plaintext, for an execution only (never for the API); null when the secret is not set. */
  async reveal(project: string, env: Environment, name: string): Promise<string | null> {
    const record = await this.repo.get(project, env, name);
    return record === null ? null : this.cipher.decrypt(record.ciphertext, { project, env, name });
  }
}

/**
 * `ctx.secrets` of one execution: only the names its manifest declares (`secrets:`), from
 * `lookup` (the platform's store, or a test file's fake values).
 */
export class DeclaredSecrets implements SecretsCapability {
  constructor(
    private readonly declared: readonly string[],
    private readonly lookup: (name: string) => Promise<string | null>,
    /** Where the value would be set, for the error message, e.g. `project payments, environment prod`. */
    private readonly where: string,
    /** How to set it, for the error message. */
    private readonly howToSet: (name: string) => string = (name) => `set it with PUT /api/v1/projects/{project}/secrets/${name}?env={env}`,
  ) {}

  async get(name: string, _call: CapabilityCall): Promise<string> {
    if (!this.declared.includes(name)) {
      throw new CapabilityError('SecretNotDeclaredError', `secret ${name} is not declared: add it to secrets: in runbook.yaml (a runbook reads only the secrets it declares)`);
    }
    let value: string | null;
    try {
      value = await this.lookup(name);
    } catch {
      throw new CapabilityError('SecretUnavailableError', `secret ${name} could not be read (see the server log)`);
    }
    if (value === null) throw new CapabilityError('SecretNotFoundError', `secret ${name} is not set for ${this.where}: ${this.howToSet(name)}`);
    return value;
  }
}
