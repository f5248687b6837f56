import type { Labels } from '@wolfe/events';
import { isGoSpace, quoteGo } from './go-string';
import { compileRegex, RegexSyntaxError, type CompiledRegex } from './re2';

export type MatchType = '=' | '!=' | '=~' | '!~';

/**
 * One label matcher, as plain data (JSON-safe, structurally comparable). Regexes are compiled
 * on first use and cached by pattern, so a `Matcher` needs no compile step to be matched.
 */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/**
 * A matcher text (or a regex inside it) that does not parse. `position` is the 0-based offset in
 * `input` (a JS string index, i.e. UTF-16 code units: `input.slice(position)` starts at the
 * problem). For a regex checked outside of {@link parseMatchers}, `input` is the regex itself.
 */
export class MatcherSyntaxError extends Error {
  override readonly name = 'MatcherSyntaxError';

  constructor(
    message: string,
    readonly position: number,
    readonly input: string,
  ) {
    super(message);
  }
}

const MATCH_TYPES: ReadonlySet<string> = new Set(['=', '!=', '=~', '!~']);

// Compiled regexes by pattern. Patterns come from configuration (not from events), so the cache
// stays small; it is still bounded in case a caller feeds it unbounded input.
const regexCache = new Map<string, CompiledRegex>();
const REGEX_CACHE_LIMIT = 10_000;

/**
 * Compiles (or fetches from the cache) the anchored RE2 regex for `pattern`.
 * Throws {@link MatcherSyntaxError} (position relative to `pattern`) when RE2 would reject it.
 */
export function regexFor(pattern: string): CompiledRegex {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = compileRegex(pattern);
    } catch (e) {
      if (e instanceof RegexSyntaxError) {
        throw new MatcherSyntaxError(`invalid regular expression: ${e.message} at position ${e.offset}`, e.offset, pattern);
      }
      throw e;
    }
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/**
 * Checks that `m` is a usable matcher: a known type, a non-empty name, and for `=~`/`!~` a
 * regex RE2 accepts. Throws {@link MatcherSyntaxError} or TypeError otherwise.
 */
export function validateMatcher(m: Matcher): void {
  if (!MATCH_TYPES.has(m.type)) throw new TypeError(`unknown match type ${JSON.stringify(m.type)}`);
  if (typeof m.name !== 'string' || typeof m.value !== 'string') throw new TypeError('matcher name and value must be strings');
  if (m.name === '') throw new MatcherSyntaxError('a label name must not be empty', 0, m.name);
  if (m.type === '=~' || m.type === '!~') regexFor(m.value);
}

/** Builds a validated matcher (plain data). */
export function createMatcher(name: string, type: MatchType, value: string): Matcher {
  const m: Matcher = { name, type, value };
  validateMatcher(m);
  return m;
}

/** The value of label `name`, "" when absent (also for inherited properties like `toString`). */
export function labelValue(labels: Labels, name: string): string {
  const v = labels[name];
  return typeof v === 'string' ? v : '';
}

/** Whether the string `value` satisfies `m`. */
export function matchesValue(m: Matcher, value: string): boolean {
  switch (m.type) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return regexFor(m.value).test(value);
    case '!~':
      return !regexFor(m.value).test(value);
    default:
      throw new TypeError(`unknown match type ${JSON.stringify((m as Matcher).type)}`);
  }
}

/** Whether `labels` satisfy `m`. A missing label has the value "" (so `foo!=""` means "foo exists"). */
export function matchesLabel(m: Matcher, labels: Labels): boolean {
  return matchesValue(m, labelValue(labels, m.name));
}

/** Whether `labels` satisfy every matcher (no matchers match everything). */
export function matchesLabels(matchers: readonly Matcher[], labels: Labels): boolean {
  for (let i = 0; i < matchers.length; i++) {
    if (!matchesLabel(matchers[i] as Matcher, labels)) return false;
  }
  return true;
}

/** The first matcher `labels` do not satisfy, or null when all match. */
export function firstMismatch(matchers: readonly Matcher[], labels: Labels): Matcher | null {
  for (const m of matchers) if (!matchesLabel(m, labels)) return m;
  return null;
}

/**
 * Why `labels` do (not) satisfy `m`, for humans, e.g.
 * `label severity="info" does not match severity=~"warning|critical"` or
 * `label team is missing; team="payments" needs it`.
 */
export function explainMismatch(m: Matcher, labels: Labels): string {
  const present = typeof labels[m.name] === 'string';
  const value = labelValue(labels, m.name);
  const ok = matchesValue(m, value);
  const name = formatLabelName(m.name);
  if (value === '') {
    const state = present ? 'is empty' : 'is missing';
    return ok ? `label ${name} ${state}, which ${formatMatcher(m)} allows` : `label ${name} ${state}; ${formatMatcher(m)} needs it`;
  }
  return `label ${name}=${quoteGo(value)} ${ok ? 'matches' : 'does not match'} ${formatMatcher(m)}`;
}

// Characters that force a label name into quotes (Alertmanager's isReserved) plus anything
// unprintable, so that the canonical text always parses back to the same matcher.
const BARE_NAME = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+$/u;
const RESERVED_IN_NAME = /[{}!=~,\\"'`]/;

/** A label name as matcher text: bare when the UTF-8 matcher syntax allows, else Go-quoted. */
export function formatLabelName(name: string): string {
  if (BARE_NAME.test(name) && !RESERVED_IN_NAME.test(name)) {
    let space = false;
    for (const ch of name) if (isGoSpace(ch.codePointAt(0) as number)) space = true;
    if (!space) return name;
  }
  return quoteGo(name);
}

/** Canonical text of one matcher: `name="value"` / `name=~"regex"` (values Go-quoted). */
export function formatMatcher(m: Matcher): string {
  return `${formatLabelName(m.name)}${m.type}${quoteGo(m.value)}`;
}

/** Canonical text of a matcher list: `{a="b", c=~"d"}`; `{}` for none. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map(formatMatcher).join(', ')}}`;
}
