import { quoteGo, unquoteGo } from './go-string';
import {
  createMatcher,
  explainMismatch,
  firstMismatch,
  formatLabelName,
  formatMatcher,
  formatMatchers,
  labelValue,
  matchesLabels,
  MatcherSyntaxError,
  validateMatcher,
  type Matcher,
  type MatchType,
} from './matcher';
import { parseMatchers } from './parse';

const m = (name: string, type: MatchType, value: string): Matcher => ({ name, type, value });

describe('matchesLabels', () => {
  const labels = { alertname: 'HighErrorRate', severity: 'critical', team: 'payments', empty: '' };

  it('applies the four operators, regexes anchored', () => {
    expect(matchesLabels([m('severity', '=', 'critical')], labels)).toBe(true);
    expect(matchesLabels([m('severity', '!=', 'critical')], labels)).toBe(false);
    expect(matchesLabels([m('severity', '=~', 'warning|critical')], labels)).toBe(true);
    expect(matchesLabels([m('severity', '=~', 'crit')], labels)).toBe(false);
    expect(matchesLabels([m('severity', '=~', 'crit.*')], labels)).toBe(true);
    expect(matchesLabels([m('severity', '!~', 'crit.*')], labels)).toBe(false);
    expect(matchesLabels([m('alertname', '!~', 'High')], labels)).toBe(true);
  });

  it('needs every matcher; no matchers match everything', () => {
    expect(matchesLabels([], labels)).toBe(true);
    expect(matchesLabels([], {})).toBe(true);
    expect(matchesLabels(parseMatchers('{alertname="HighErrorRate", team="payments"}'), labels)).toBe(true);
    expect(matchesLabels(parseMatchers('{alertname="HighErrorRate", team="search"}'), labels)).toBe(false);
  });

  it('treats a missing label as "" (foo!="" means the label exists)', () => {
    expect(matchesLabels(parseMatchers('team!=""'), labels)).toBe(true);
    expect(matchesLabels(parseMatchers('owner!=""'), labels)).toBe(false);
    expect(matchesLabels(parseMatchers('owner=""'), labels)).toBe(true);
    expect(matchesLabels(parseMatchers('empty=""'), labels)).toBe(true);
    expect(matchesLabels(parseMatchers('owner=~".*"'), labels)).toBe(true);
    expect(matchesLabels(parseMatchers('owner=~".+"'), labels)).toBe(false);
    expect(matchesLabels(parseMatchers('owner!~".+"'), labels)).toBe(true);
    expect(matchesLabels(parseMatchers('owner!="x"'), labels)).toBe(true);
  });

  it('does not see inherited properties as labels', () => {
    expect(labelValue({}, 'toString')).toBe('');
    expect(labelValue({}, '__proto__')).toBe('');
    expect(matchesLabels(parseMatchers('constructor!=""'), {})).toBe(false);
    const parsed = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    expect(matchesLabels([m('__proto__', '=', 'x')], parsed)).toBe(true);
  });

  it('throws for invalid regexes and unknown types given as plain data', () => {
    expect(() => matchesLabels([m('a', '=~', '(')], { a: '' })).toThrow(MatcherSyntaxError);
    expect(() => matchesLabels([{ name: 'a', type: '==' as MatchType, value: '' }], {})).toThrow(TypeError);
  });
});

describe('firstMismatch / explainMismatch', () => {
  const labels = { alertname: 'HighErrorRate', severity: 'info', empty: '' };

  it('finds the first failing matcher', () => {
    const ms = parseMatchers('{alertname="HighErrorRate", severity=~"warning|critical", team="payments"}');
    expect(firstMismatch(ms, labels)).toBe(ms[1]);
    expect(firstMismatch(ms.slice(0, 1), labels)).toBeNull();
    expect(firstMismatch([], labels)).toBeNull();
  });

  it('explains in words', () => {
    expect(explainMismatch(m('severity', '=~', 'warning|critical'), labels)).toBe(
      'label severity="info" does not match severity=~"warning|critical"',
    );
    expect(explainMismatch(m('team', '=', 'payments'), labels)).toBe('label team is missing; team="payments" needs it');
    expect(explainMismatch(m('team', '!=', ''), labels)).toBe('label team is missing; team!="" needs it');
    expect(explainMismatch(m('empty', '=~', '.+'), labels)).toBe('label empty is empty; empty=~".+" needs it');
    expect(explainMismatch(m('severity', '!=', 'info'), labels)).toBe('label severity="info" does not match severity!="info"');
    expect(explainMismatch(m('severity', '=', 'info'), labels)).toBe('label severity="info" matches severity="info"');
    expect(explainMismatch(m('team', '!=', 'x'), labels)).toBe('label team is missing, which team!="x" allows');
    expect(explainMismatch(m('svc name', '=', 'a"b'), { 'svc name': 'c\nd' })).toBe(
      'label "svc name"="c\\nd" does not match "svc name"="a\\"b"',
    );
  });
});

describe('formatMatcher / formatMatchers', () => {
  it('prints canonical text', () => {
    expect(formatMatchers([m('a', '=', 'b'), m('c', '=~', 'd')])).toBe('{a="b", c=~"d"}');
    expect(formatMatchers([])).toBe('{}');
    expect(formatMatcher(m('team', '!=', ''))).toBe('team!=""');
    expect(formatMatcher(m('re', '=~', '\\d+\\.\\d+'))).toBe('re=~"\\\\d+\\\\.\\\\d+"');
  });

  it('quotes names that the unquoted syntax cannot carry', () => {
    expect(formatLabelName('service.name')).toBe('service.name');
    expect(formatLabelName('🙂')).toBe('🙂');
    expect(formatLabelName('a b')).toBe('"a b"');
    expect(formatLabelName('a,b')).toBe('"a,b"');
    expect(formatLabelName('a=b')).toBe('"a=b"');
    expect(formatLabelName("it's")).toBe('"it\'s"');
    expect(formatLabelName('a\u00a0b')).toBe('"a\\u00a0b"');
    expect(formatLabelName('')).toBe('""');
  });

  it('round-trips through parseMatchers', () => {
    const samples: Matcher[] = [
      m('alertname', '=', 'HighErrorRate'),
      m('a b', '!=', 'quote " backslash \\ newline \n tab \t'),
      m('emoji🙂', '=~', '🙂+|\\x{1F642}'),
      m('x', '!~', '(?i)^a.*[[:digit:]]{2}$'),
      m('ctrl', '=', '\x00\x07\x1b\x7f\u200b\u{10ffff}'),
      m('{}', '=', ',='),
      m('n', '=', ''),
    ];
    expect(parseMatchers(formatMatchers(samples))).toEqual(samples);
    for (const s of samples) expect(parseMatchers(formatMatcher(s))).toEqual([s]);
  });
});

describe('createMatcher / validateMatcher', () => {
  it('returns plain data and validates', () => {
    expect(createMatcher('a', '=~', 'b+')).toEqual({ name: 'a', type: '=~', value: 'b+' });
    expect(JSON.parse(JSON.stringify(createMatcher('a', '=', 'b')))).toEqual({ name: 'a', type: '=', value: 'b' });
    const e = (() => {
      try {
        validateMatcher(m('a', '=~', 'x(?=y)'));
      } catch (err) {
        return err;
      }
      return null;
    })() as MatcherSyntaxError;
    expect(e).toBeInstanceOf(MatcherSyntaxError);
    expect(e.position).toBe(1);
    expect(e.input).toBe('x(?=y)');
    expect(() => createMatcher('', '=', 'x')).toThrow(/must not be empty/);
    expect(() => validateMatcher(m('a', '=', 'x('))).not.toThrow();
  });
});

// Go's strconv tests (src/strconv/quote_test.go: quotetests, unquotetests, misquoted), limited
// to double-quoted strings and to results that are valid UTF-8 (Alertmanager requires that).
describe('Go string literals', () => {
  it.each([
    ['\x07\b\f\r\n\t\v', '"\\a\\b\\f\\r\\n\\t\\v"'],
    ['\\', '"\\\\"'],
    ['\u263a', '"☺"'],
    ['\u{10ffff}', '"\\U0010ffff"'],
    ['\x04', '"\\x04"'],
    ['!\u00a0!\u2000!\u3000!', '"!\\u00a0!\\u2000!\\u3000!"'],
    ['\x7f', '"\\x7f"'],
  ])('quoteGo(%j) = %s, and back', (raw, quoted) => {
    expect(quoteGo(raw)).toBe(quoted);
    expect(unquoteGo(quoted)).toBe(raw);
  });

  it.each([
    ['""', ''],
    ['"a"', 'a'],
    ['"abc"', 'abc'],
    ['"☺"', '☺'],
    ['"hello world"', 'hello world'],
    ['"\\u1234"', '\u1234'],
    ['"\\U00010111"', '\u{10111}'],
    ['"\\U0001011111"', '\u{10111}11'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', '\x07\b\f\n\r\t\v\\"'],
    ['"\'"', "'"],
    ['"\\303\\251"', 'é'],
  ])('unquoteGo(%s)', (quoted, raw) => {
    expect(unquoteGo(quoted)).toBe(raw);
  });

  it.each(['"\\9"', '"\\19"', '"\\129"', '"\\x1!"', '"\\U12345678"', '"\\z"', '"\\\'"', '"\n"', '"\\n\n"', '"\\udead"', '"\\ud83d\\ude4f"', '"\\xFF"', '"\\377"', '"\\400"'])(
    'rejects %j',
    (quoted) => {
      expect(() => unquoteGo(quoted)).toThrow();
    },
  );
});
