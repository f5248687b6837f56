import { RUNBOOK_BRAND, RUNBOOK_BRAND_KEY, isRunbookDefinition, runbook, type RunbookContext } from './index';

describe('runbook()', () => {
  it('returns a frozen, branded definition holding the handler', () => {
    const handler = async (ctx: RunbookContext) => ({ instance: ctx.event.labels['instance'] ?? null });
    const def = runbook(handler);
    expect(def.handler).toBe(handler);
    expect(def[RUNBOOK_BRAND]).toBe(true);
    expect(RUNBOOK_BRAND).toBe(Symbol.for(RUNBOOK_BRAND_KEY));
    expect(Object.isFrozen(def)).toBe(true);
    expect(isRunbookDefinition(def)).toBe(true);
  });

  it('refuses a handler that is not a function', () => {
    expect(() => runbook(42 as never)).toThrow(new TypeError('runbook(handler): handler must be a function, got number'));
    expect(() => runbook(null as never)).toThrow(/got null/);
  });

  it('recognises only branded definitions', () => {
    expect(isRunbookDefinition({ handler: () => 1 })).toBe(false);
    expect(isRunbookDefinition({ [RUNBOOK_BRAND]: true, handler: 'x' })).toBe(false);
    expect(isRunbookDefinition(null)).toBe(false);
    expect(isRunbookDefinition(() => 1)).toBe(false);
  });
});
