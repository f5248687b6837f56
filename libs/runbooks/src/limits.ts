/** Resource limits a runbook may ask for in runbook.yaml (`timeout`, `memory`). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Shortest timeout accepted; anything shorter cannot even start an isolate reliably. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 15 * 60_000;

/** Longest `for:` of a trigger (a day, written 1440m): longer waits belong in the alert rule. */
export const MAX_FOR_MS = 24 * 60 * 60_000;

export const DEFAULT_MEMORY_MIB = 64;
export const MIN_MEMORY_MIB = 8;
export const MAX_MEMORY_MIB = 512;

/** Runbook names (and so folder names): lowercase letters, digits and dashes; 1–63 chars. */
export const RUNBOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Secret names (`secrets:` in runbook.yaml, the secrets API): like environment variable names. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Most secrets one runbook may declare. */
export const MAX_SECRETS = 50;
/** Most `egress:` entries of one runbook. */
export const MAX_EGRESS_RULES = 100;
