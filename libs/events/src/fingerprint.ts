import type { Labels } from './event';

/** Placeholder until the Alertmanager-compatible implementation lands. */
export function fingerprint(_labels: Labels): string {
  throw new Error('not implemented');
}
