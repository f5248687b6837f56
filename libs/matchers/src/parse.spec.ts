import { MatcherSyntaxError, type Matcher, type MatchType } from './matcher';
import { parseMatcher, parseMatchers } from './parse';

const m = (name: string, type: MatchType, value: string): Matcher => ({ name, type, value });

function syntaxError(fn: () => unknown): MatcherSyntaxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MatcherSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a MatcherSyntaxError');
}

// Ported from Alertmanager matcher/parse/parse_test.go (TestMatchers), prometheus/alertmanager.
// Inputs are written as TS string literals, so `\\` in the source is one backslash in the input.
describe('parseMatchers — Alertmanager matcher/parse fixtures (valid)', () => {
  it.each<[string, string, Matcher[]]>([
    ['no braces', '', []],
    ['open and closing braces', '{}', []],
    ['equals', '{foo=bar}', [m('foo', '=', 'bar')]],
    ['equals with trailing comma', '{foo=bar,}', [m('foo', '=', 'bar')]],
    ['not equals', '{foo!=bar}', [m('foo', '!=', 'bar')]],
    ['match regex', '{foo=~[a-z]+}', [m('foo', '=~', '[a-z]+')]],
    ["doesn't match regex", '{foo!~[a-z]+}', [m('foo', '!~', '[a-z]+')]],
    ['equals unicode emoji', '{foo=🙂}', [m('foo', '=', '🙂')]],
    ['equals unicode sentence', '{foo=🙂bar}', [m('foo', '=', '🙂bar')]],
    ['equals without braces', 'foo=bar', [m('foo', '=', 'bar')]],
    ['equals without braces but with trailing comma', 'foo=bar,', [m('foo', '=', 'bar')]],
    ['not equals without braces', 'foo!=bar', [m('foo', '!=', 'bar')]],
    ['match regex without braces', 'foo=~[a-z]+', [m('foo', '=~', '[a-z]+')]],
    ["doesn't match regex without braces", 'foo!~[a-z]+', [m('foo', '!~', '[a-z]+')]],
    ['equals in quotes', '{"foo"="bar"}', [m('foo', '=', 'bar')]],
    ['equals in quotes and with trailing comma', '{"foo"="bar",}', [m('foo', '=', 'bar')]],
    ['not equals in quotes', '{"foo"!="bar"}', [m('foo', '!=', 'bar')]],
    ['match regex in quotes', '{"foo"=~"[a-z]+"}', [m('foo', '=~', '[a-z]+')]],
    ["doesn't match regex in quotes", '{"foo"!~"[a-z]+"}', [m('foo', '!~', '[a-z]+')]],
    ['equals unicode emoji in quotes', '{"foo"="🙂"}', [m('foo', '=', '🙂')]],
    ['equals unicode emoji as bytes in quotes', '{"foo"="\\xf0\\x9f\\x99\\x82"}', [m('foo', '=', '🙂')]],
    ['equals unicode emoji as code points in quotes', '{"foo"="\\U0001f642"}', [m('foo', '=', '🙂')]],
    ['equals unicode sentence in quotes', '{"foo"="🙂bar"}', [m('foo', '=', '🙂bar')]],
    ['equals with newline in quotes', '{"foo"="bar\\n"}', [m('foo', '=', 'bar\n')]],
    ['equals with tab in quotes', '{"foo"="bar\\t"}', [m('foo', '=', 'bar\t')]],
    ['equals with escaped quotes in quotes', '{"foo"="\\"bar\\""}', [m('foo', '=', '"bar"')]],
    ['equals with escaped backslash in quotes', '{"foo"="bar\\\\"}', [m('foo', '=', 'bar\\')]],
    ['equals without braces in quotes', '"foo"="bar"', [m('foo', '=', 'bar')]],
    ['equals without braces in quotes with trailing comma', '"foo"="bar",', [m('foo', '=', 'bar')]],
    ['complex', '{foo=bar,bar!=baz}', [m('foo', '=', 'bar'), m('bar', '!=', 'baz')]],
    ['complex in quotes', '{foo="bar",bar!="baz"}', [m('foo', '=', 'bar'), m('bar', '!=', 'baz')]],
    ['complex without braces', 'foo=bar,bar!=baz', [m('foo', '=', 'bar'), m('bar', '!=', 'baz')]],
    ['complex without braces in quotes', 'foo="bar",bar!="baz"', [m('foo', '=', 'bar'), m('bar', '!=', 'baz')]],
  ])('%s: %j', (_name, input, expected) => {
    expect(parseMatchers(input)).toEqual(expected);
  });
});

// Same file, error cases. Alertmanager reports "start:end" columns of the offending token; we
// report one offset (UTF-16 index into the input), which points at the offending character.
describe('parseMatchers — Alertmanager matcher/parse fixtures (errors)', () => {
  it.each<[string, string, number, RegExp]>([
    // AM: "0:1: unexpected ,: expected label name"
    ['comma', ',', 0, /^expected a label name at position 0, found ","$/],
    // AM: "1:2: unexpected ,: expected label name"
    ['comma in braces', '{,}', 1, /^expected a label name at position 1, found ","$/],
    // AM: "0:1: end of input: expected close brace"
    ['open brace', '{', 1, /expected a label name or "}" at position 1, found end of input/],
    // AM: "0:1: }: expected opening brace"
    ['close brace', '}', 0, /no opening "\{"/],
    // AM: "0:8: }: expected opening brace"
    ['no open brace', 'foo=bar}', 7, /^expected "," or end of input at position 7, found "}" \(there is no opening "\{"\)$/],
    // AM: "0:8: end of input: expected close brace"
    ['no close brace', '{foo=bar', 8, /^expected "," or "}" at position 8, found end of input \(the "\{" at position 0 is not closed\)$/],
    // AM: "6:11: unexpected \"bar\": expected a comma or close brace"
    ['invalid input after operator and before quotes', '{foo=:"bar"}', 6, /^expected "," or "}" at position 6, found "bar"/],
    // AM: "5:12: \"bar\\w\": invalid input"
    ['invalid escape sequence', '{foo="bar\\w"}', 9, /^invalid escape sequence \\w at position 9$/],
    // AM: "8:9: \\: invalid input: expected a comma or close brace"
    ['no unquoted escape sequences', '{foo=bar\\n}', 8, /^expected "," or "}" at position 8, found "\\" \(escape sequences only work inside double quotes\)$/],
    // AM: "7:17: \"\\xf0\\x9f\": invalid input"
    ['invalid unicode', '{"foo"="\\xf0\\x9f"}', 8, /do not form valid UTF-8 at position 8$/],
  ])('%s: %j', (_name, input, position, message) => {
    const e = syntaxError(() => parseMatchers(input));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('MatcherSyntaxError');
    expect(e.position).toBe(position);
    expect(e.input).toBe(input);
    expect(e.message).toMatch(message);
  });
});

// Alertmanager matcher/parse/parse_test.go (TestMatcher): exactly one matcher.
describe('parseMatcher — Alertmanager fixtures', () => {
  it('parses one matcher with or without braces', () => {
    expect(parseMatcher('{foo=bar}')).toEqual(m('foo', '=', 'bar'));
    expect(parseMatcher('foo!~[a-z]+')).toEqual(m('foo', '!~', '[a-z]+'));
    expect(parseMatcher('"foo"="bar",')).toEqual(m('foo', '=', 'bar'));
  });

  it('rejects no matchers and several matchers', () => {
    expect(() => parseMatcher('')).toThrow('expected a matcher, found none');
    expect(() => parseMatcher('{}')).toThrow('expected a matcher, found none');
    expect(() => parseMatcher('foo=bar,bar=baz')).toThrow('expected 1 matcher, found 2');
  });

  it('rejects invalid UTF-8 from escapes (AM: "4:14: \\"\\\\xf0\\\\x9f\\": invalid input")', () => {
    expect(syntaxError(() => parseMatcher('foo="\\xf0\\x9f"')).position).toBe(5);
  });
});

// Token rules from Alertmanager matcher/parse/lexer_test.go, exercised through the parser.
describe('parseMatchers — lexer rules', () => {
  it('accepts underscores, colons, digits, $ and any non-reserved Unicode unquoted', () => {
    expect(parseMatchers('hello_world=hello:world')).toEqual([m('hello_world', '=', 'hello:world')]);
    expect(parseMatchers('_hello=hello0123456789')).toEqual([m('_hello', '=', 'hello0123456789')]);
    expect(parseMatchers('Σ=$')).toEqual([m('Σ', '=', '$')]);
    expect(parseMatchers('hello🙂Σ=🙂')).toEqual([m('hello🙂Σ', '=', '🙂')]);
    expect(parseMatchers('path=/api/v1/users?id=1'.replace('?id=1', ''))).toEqual([m('path', '=', '/api/v1/users')]);
  });

  it('skips whitespace (Go unicode.IsSpace) outside quotes, keeps it inside', () => {
    expect(parseMatchers(' { foo = "bar" ,\n\tbaz != qux , } ')).toEqual([m('foo', '=', 'bar'), m('baz', '!=', 'qux')]);
    expect(parseMatchers('\r\nfoo=bar\n')).toEqual([m('foo', '=', 'bar')]);
    // U+202F NARROW NO-BREAK SPACE separates tokens; inside quotes it is text.
    expect(parseMatchers('foo\u202f=\u202fbar')).toEqual([m('foo', '=', 'bar')]);
    expect(parseMatchers('foo="hello\u202fworld"')).toEqual([m('foo', '=', 'hello\u202fworld')]);
    expect(parseMatchers('foo="hello world\t!"')).toEqual([m('foo', '=', 'hello world\t!')]);
    // U+FEFF is whitespace for JS's \s but not for Go: it is text.
    expect(parseMatchers('foo=\ufeffbar')).toEqual([m('foo', '=', '\ufeffbar')]);
  });

  it('splits unquoted text at whitespace ("hello world" is two tokens)', () => {
    const e = syntaxError(() => parseMatchers('foo=hello world'));
    expect(e.position).toBe(10);
    expect(e.message).toBe('expected "," or end of input at position 10, found "world" (separate matchers with ",")');
  });

  it('reports a lone "!" that is not followed by "=" or "~" (AM lexer: "expected one of \'=~\'")', () => {
    expect(syntaxError(() => parseMatchers('foo!')).message).toBe('expected "=" or "~" after "!" at position 4, found end of input');
    expect(syntaxError(() => parseMatchers('foo!!=bar')).position).toBe(4);
    expect(syntaxError(() => parseMatchers('foo=!bar')).position).toBe(5);
  });

  it('rejects reserved characters in unquoted text with a hint', () => {
    expect(syntaxError(() => parseMatchers('foo~bar')).message).toBe(
      'expected an operator (=, !=, =~, !~) after "foo" at position 3, found "~" (quote text that contains it)',
    );
    expect(syntaxError(() => parseMatchers("foo='bar'")).message).toBe(
      'expected a label value after "foo=" at position 4, found "\'" (quote text with double quotes)',
    );
    expect(syntaxError(() => parseMatchers('foo=`bar`')).position).toBe(4);
    expect(syntaxError(() => parseMatchers('\\nhello=x')).position).toBe(0);
    expect(syntaxError(() => parseMatchers('foo=a{2}')).message).toBe('expected "," or end of input at position 5, found "{"');
  });

  it('reports an unterminated quoted string at its opening quote', () => {
    expect(syntaxError(() => parseMatchers('foo="hello')).message).toBe(
      'expected a closing " for the quoted text that starts at position 4, found end of input',
    );
    expect(syntaxError(() => parseMatchers('foo="hello\\"')).position).toBe(4);
    expect(syntaxError(() => parseMatchers('"hello')).position).toBe(0);
  });
});

describe('parseMatchers — more syntax', () => {
  it('says what was expected and where', () => {
    expect(syntaxError(() => parseMatchers('severity warning')).message).toBe(
      'expected an operator (=, !=, =~, !~) after "severity" at position 9, found "warning"',
    );
    expect(syntaxError(() => parseMatchers('severity')).message).toBe(
      'expected an operator (=, !=, =~, !~) after "severity" at position 8, found end of input',
    );
  });

  it('accepts foo="" and rejects foo=', () => {
    expect(parseMatchers('foo=""')).toEqual([m('foo', '=', '')]);
    expect(parseMatchers('foo!=""')).toEqual([m('foo', '!=', '')]);
    const e = syntaxError(() => parseMatchers('foo='));
    expect(e.position).toBe(4);
    expect(e.message).toBe('expected a label value after "foo=" at position 4, found end of input (write "" for an empty value)');
    expect(syntaxError(() => parseMatchers('{foo=}')).position).toBe(5);
    expect(syntaxError(() => parseMatchers('foo=,bar=baz')).position).toBe(4);
  });

  it('allows one trailing comma, not two, and no leading comma', () => {
    expect(parseMatchers('a=b,c=d,')).toHaveLength(2);
    expect(syntaxError(() => parseMatchers('a=b,,')).position).toBe(4);
    expect(syntaxError(() => parseMatchers('{a=b,,}')).position).toBe(5);
    expect(syntaxError(() => parseMatchers(',a=b')).position).toBe(0);
  });

  it('requires both braces or neither, and nothing after the closing brace', () => {
    expect(syntaxError(() => parseMatchers('{a=b')).position).toBe(4);
    expect(syntaxError(() => parseMatchers('a=b}')).position).toBe(3);
    expect(syntaxError(() => parseMatchers('a=b,}')).message).toBe(
      'expected a label name or end of input at position 4, found "}" (there is no opening "{")',
    );
    expect(syntaxError(() => parseMatchers('{a=b} c=d')).message).toBe('expected end of input after "}" at position 6, found "c"');
    expect(syntaxError(() => parseMatchers('{{a=b}}')).position).toBe(1);
    expect(parseMatchers('  {  }  ')).toEqual([]);
    expect(parseMatchers('   ')).toEqual([]);
  });

  it('keeps operators apart from values', () => {
    expect(parseMatchers('a=~b,c!~d,e!=f,g=h')).toEqual([m('a', '=~', 'b'), m('c', '!~', 'd'), m('e', '!=', 'f'), m('g', '=', 'h')]);
    // "=~" is one operator: a regex value cannot start with "~" unquoted.
    expect(parseMatchers('a="~b"')).toEqual([m('a', '=', '~b')]);
    expect(syntaxError(() => parseMatchers('a==b')).position).toBe(2);
  });

  it('decodes Go string escapes in names and values', () => {
    expect(parseMatchers('"a b"="c\\u00e9\\101\\x41\\a\\b\\f\\v\\r"')).toEqual([m('a b', '=', 'cé' + 'AA\x07\b\f\v\r')]);
    expect(parseMatchers('"foo,bar"="{}"')).toEqual([m('foo,bar', '=', '{}')]);
    expect(parseMatchers("x=\"it's\"")).toEqual([m('x', '=', "it's")]);
  });

  it('rejects Go-invalid quoted text with the position of the problem', () => {
    // A raw newline inside quotes (Go's strconv.Unquote rejects it).
    expect(syntaxError(() => parseMatchers('foo="a\nb"')).position).toBe(6);
    // \' is not an escape in a double-quoted Go string; \d is not a Go escape at all.
    expect(syntaxError(() => parseMatchers('foo="\\\'"')).position).toBe(5);
    expect(syntaxError(() => parseMatchers('foo=~"\\d+"')).message).toBe('invalid escape sequence \\d at position 6');
    // Surrogate code points and out-of-range \U.
    expect(syntaxError(() => parseMatchers('foo="\\ud83d\\ude4f"')).position).toBe(5);
    expect(syntaxError(() => parseMatchers('foo="\\U00110000"')).position).toBe(5);
  });

  it('rejects an empty label name', () => {
    const e = syntaxError(() => parseMatchers('""="x"'));
    expect(e.position).toBe(0);
    expect(e.message).toMatch(/label name must not be empty/);
  });

  it('validates regexes (RE2) and points into the input', () => {
    let e = syntaxError(() => parseMatchers('{severity=~"(?=warn)"}'));
    expect(e.position).toBe(12);
    expect(e.message).toBe(
      'invalid regular expression for "severity": lookahead (?=…) is not supported (RE2 has no lookaround) at position 12',
    );
    // Backreference: in a quoted value, "\\1" is the regex \1.
    e = syntaxError(() => parseMatchers('x=~"(a)\\\\1"'));
    expect(e.position).toBe(7);
    expect(e.message).toMatch(/backreference \\1 is not supported/);
    // Unquoted regex: position counts from the value's first character.
    e = syntaxError(() => parseMatchers('x=~a**'));
    expect(e.position).toBe(5);
    // After escapes, positions still refer to the input: \t is two characters.
    e = syntaxError(() => parseMatchers('x=~"\\t(?<=a)"'));
    expect(e.position).toBe(6);
    expect(syntaxError(() => parseMatchers('x=~"a(b"')).message).toMatch(/missing closing \) .* at position 5$/);
  });

  it('parses realistic trigger text', () => {
    expect(parseMatchers('{alertname="HighErrorRate", severity=~"warning|critical", team!=""}')).toEqual([
      m('alertname', '=', 'HighErrorRate'),
      m('severity', '=~', 'warning|critical'),
      m('team', '!=', ''),
    ]);
    expect(parseMatchers('service.name="checkout", "http.status"=~"5.."')).toEqual([
      m('service.name', '=', 'checkout'),
      m('http.status', '=~', '5..'),
    ]);
  });
});
