import { RUNBOOK_BRAND_KEY } from '@wolfe/sdk';

/**
 * What `import … from '@wolfe/sdk'` means inside the sandbox: the same values `libs/sdk`
 * exports, as plain JavaScript (the sdk's host build cannot be bundled into the isolate;
 * the integration spec checks both export the same names and behave alike).
 */
export const SDK_RUNTIME_SOURCE = `
export const RUNBOOK_BRAND_KEY = ${JSON.stringify(RUNBOOK_BRAND_KEY)};
export const RUNBOOK_BRAND = Symbol.for(RUNBOOK_BRAND_KEY);
export function runbook(handler) {
  if (typeof handler !== 'function') {
    throw new TypeError('runbook(handler): handler must be a function, got ' + (handler === null ? 'null' : typeof handler));
  }
  return Object.freeze({ [RUNBOOK_BRAND]: true, handler });
}
export function isRunbookDefinition(value) {
  if (value === null || typeof value !== 'object') return false;
  return value[RUNBOOK_BRAND] === true && typeof value.handler === 'function';
}
`;

/** Name of the global the compiled script assigns the runbook definition to. */
export const RUNBOOK_GLOBAL = '__wolfe_runbook__';

/**
 * The bundle's entry: imports the runbook's default export, checks it is a `runbook()`
 * definition and publishes it on the global the sandbox reads (and deletes).
 */
export const ENTRY_SOURCE = `
import definition from 'runbook:index.ts';
import { isRunbookDefinition } from '@wolfe/sdk';
if (!isRunbookDefinition(definition)) {
  const got = definition === null ? 'null' : typeof definition;
  throw new TypeError("index.ts: the default export must be runbook(async (ctx) => { … }) from '@wolfe/sdk', got " + got);
}
globalThis.${RUNBOOK_GLOBAL} = definition;
`;
