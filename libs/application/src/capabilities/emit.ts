import type { Labels } from '@wolfe/events';
import type { InternalEvent } from '../internal-events';
import { CapabilityError, type CapabilityCall, type EmitCapability, type EmitSpec } from '../ports/capabilities';
import type { Environment, EventRecord } from '../ports/records';
import type { Clock } from '../ports/runtime';
import { EMIT_CHAIN_ANNOTATION, EMIT_MAX_CHAIN_DEPTH, EMIT_MAX_PER_EXECUTION, RUNBOOK_SOURCE_PREFIX } from './limits';

/** Raises an event into the router (InternalEvents.raise). */
export type RaiseEvent = (event: InternalEvent) => Promise<EventRecord>;

/** `payments/disk-cleanup`: how a runbook is named in a chain and in the source `runbook:payments/disk-cleanup`. */
export function runbookRef(project: string, runbook: string): string {
  return `${project}/${runbook}`;
}

/**
 * The runbooks that emitted `event` and its ancestors, oldest first. Only an event Wolfe raised
 * for a runbook (source `runbook:…`) has a chain: on any other event the annotation is the
 * sender's and means nothing.
 */
export function emitChainOf(event: Pick<EventRecord, 'source' | 'annotations'> | null): string[] {
  if (event === null || !event.source.startsWith(RUNBOOK_SOURCE_PREFIX)) return [];
  const text = event.annotations[EMIT_CHAIN_ANNOTATION] ?? '';
  const chain = text === '' ? [] : text.split(',');
  const emitter = event.source.slice(RUNBOOK_SOURCE_PREFIX.length);
  // The chain always ends with the emitter (even if the annotation was lost).
  return chain[chain.length - 1] === emitter ? chain : [...chain, emitter];
}

/** Whether running `project/runbook` for `event` would close a loop: it is in the event's chain. */
export function isEmitLoop(event: Pick<EventRecord, 'source' | 'annotations'> | null, project: string, runbook: string): boolean {
  return emitChainOf(event).includes(runbookRef(project, runbook));
}

/**
 * `ctx.emit` of one execution. Loops are bounded three ways: an execution raises at most
 * {@link EMIT_MAX_PER_EXECUTION} events; the chain of emitting runbooks is carried on every
 * emitted event (annotation {@link EMIT_CHAIN_ANNOTATION}, set by the platform only) and an
 * execution started by an event whose chain is {@link EMIT_MAX_CHAIN_DEPTH} long cannot emit;
 * and the dispatcher never runs a runbook for an event whose chain already names it.
 */
export class ChainedEmitter implements EmitCapability {
  private count = 0;
  private readonly chain: readonly string[];

  constructor(
    private readonly raise: RaiseEvent,
    private readonly self: { readonly project: string; readonly runbook: string; readonly env: Environment },
    cause: Pick<EventRecord, 'source' | 'annotations'> | null,
    private readonly clock: Clock,
    private readonly limits: { readonly perExecution: number; readonly depth: number } = { perExecution: EMIT_MAX_PER_EXECUTION, depth: EMIT_MAX_CHAIN_DEPTH },
  ) {
    this.chain = emitChainOf(cause);
  }

  async emit(spec: EmitSpec, _call: CapabilityCall): Promise<{ readonly id: string }> {
    if (this.chain.length >= this.limits.depth) {
      throw new CapabilityError('EmitLimitError', `ctx.emit: this execution was started by a chain of ${this.chain.length} emitting runbooks (${this.chain.join(' → ')}); at most ${this.limits.depth} may emit in one chain`);
    }
    if (this.count >= this.limits.perExecution) {
      throw new CapabilityError('EmitLimitError', `ctx.emit: an execution may emit at most ${this.limits.perExecution} events`);
    }
    this.count += 1;
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.annotations)) if (k !== EMIT_CHAIN_ANNOTATION) annotations[k] = v;
    annotations[EMIT_CHAIN_ANNOTATION] = [...this.chain, runbookRef(this.self.project, this.self.runbook)].join(',');
    const now = this.clock.now().toISOString();
    const event = await this.raise({
      env: this.self.env,
      source: `${RUNBOOK_SOURCE_PREFIX}${runbookRef(this.self.project, this.self.runbook)}`,
      labels: spec.labels as Labels,
      annotations,
      status: spec.status,
      startsAt: now,
      endsAt: spec.status === 'resolved' ? now : null,
    });
    return { id: event.id };
  }
}
