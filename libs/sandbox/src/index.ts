export { IsolateSandbox, type IsolateSandboxOptions } from './sandbox';
export { DEFAULT_OUTPUT_LIMITS, MIN_MEMORY_MIB, type OutputLimits } from './limits';
export { isUnsafeKey } from './json';
