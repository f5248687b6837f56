import type { StateRepository, StateScope } from '../ports/capability-store';
import { CapabilityError, type CapabilityCall, type StateCapability, type StateGetResult } from '../ports/capabilities';
import type { Clock } from '../ports/runtime';
import { STATE_MAX_KEY_CHARS, STATE_MAX_KEYS, STATE_MAX_VALUE_BYTES } from './limits';

const utf8 = new TextEncoder();

/**
 * `ctx.state` of one execution: the persistent JSON key-value store of its (project, runbook,
 * environment), bounded: keys of 1 to 256 characters, values of at most 64 KiB of JSON, at
 * most 1,000 keys. Values arrive sanitized and redacted by the sandbox.
 */
export class ScopedState implements StateCapability {
  constructor(
    private readonly repo: StateRepository,
    private readonly scope: StateScope,
    private readonly clock: Clock,
    private readonly maxKeys: number = STATE_MAX_KEYS,
  ) {}

  async get(key: string, _call: CapabilityCall): Promise<StateGetResult> {
    checkKey(key, 'get');
    const record = await this.repo.get(this.scope, key);
    return record === null ? { found: false } : { found: true, value: record.value };
  }

  async set(key: string, value: unknown, _call: CapabilityCall): Promise<void> {
    checkKey(key, 'set');
    const json = JSON.stringify(value);
    if (json === undefined) throw new CapabilityError('TypeError', 'ctx.state.set(key, value): value must be JSON');
    const bytes = utf8.encode(json).byteLength;
    if (bytes > STATE_MAX_VALUE_BYTES) {
      throw new CapabilityError('StateLimitError', `ctx.state.set: the value of ${JSON.stringify(key.slice(0, 100))} is ${bytes} bytes of JSON, over the ${STATE_MAX_VALUE_BYTES}-byte limit; keep a summary`);
    }
    const r = await this.repo.put({ ...this.scope, key, value: JSON.parse(json) as unknown, updatedAt: this.clock.now().toISOString() }, this.maxKeys);
    if (!r.ok) {
      throw new CapabilityError('StateLimitError', `ctx.state.set: this runbook already keeps ${this.maxKeys} keys in ${this.scope.env}; delete keys it no longer needs (ctx.state.delete)`);
    }
  }

  async delete(key: string, _call: CapabilityCall): Promise<boolean> {
    checkKey(key, 'delete');
    return this.repo.delete(this.scope, key);
  }
}

function checkKey(key: string, op: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > STATE_MAX_KEY_CHARS) {
    throw new CapabilityError('TypeError', `ctx.state.${op}(key): key must be a string of 1 to ${STATE_MAX_KEY_CHARS} characters`);
  }
}
