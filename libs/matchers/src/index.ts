export {
  MatcherSyntaxError,
  createMatcher,
  explainMismatch,
  firstMismatch,
  formatLabelName,
  formatMatcher,
  formatMatchers,
  labelValue,
  matchesLabel,
  matchesLabels,
  matchesValue,
  regexFor,
  validateMatcher,
  type MatchType,
  type Matcher,
} from './matcher';
export { parseMatcher, parseMatchers } from './parse';
export { MatcherIndex, type MatcherIndexStats } from './matcher-index';
export type { CompiledRegex } from './re2';
