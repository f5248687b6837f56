// Placeholder API; the full Alertmanager-compatible implementation replaces it.
export type MatchType = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}
