import { compileRegex, RegexSyntaxError } from './re2';

function regexError(pattern: string): RegexSyntaxError {
  try {
    compileRegex(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

const matches = (pattern: string, value: string): boolean => compileRegex(pattern).test(value);

describe('compileRegex — Go RE2 semantics', () => {
  it('anchors the whole pattern, alternation included', () => {
    expect(matches('foo', 'foo')).toBe(true);
    expect(matches('foo', 'foobar')).toBe(false);
    expect(matches('foo', 'xfoo')).toBe(false);
    // Not ^foo|bar$: "foox" must not match.
    expect(matches('foo|bar', 'foox')).toBe(false);
    expect(matches('foo|bar', 'bar')).toBe(true);
    expect(matches('', '')).toBe(true);
    expect(matches('', 'a')).toBe(false);
  });

  it('$ is the end of text (no match before a trailing newline)', () => {
    expect(matches('foo$', 'foo')).toBe(true);
    expect(matches('foo$', 'foo\n')).toBe(false);
    expect(matches('foo\\z', 'foo')).toBe(true);
    expect(matches('\\Afoo', 'foo')).toBe(true);
  });

  it('. matches any character but \\n (JS also excludes \\r, U+2028, U+2029)', () => {
    expect(matches('.', '\r')).toBe(true);
    expect(matches('.', '\u2028')).toBe(true);
    expect(matches('.', '🙂')).toBe(true); // one code point, not two UTF-16 units
    expect(matches('..', '🙂')).toBe(false);
    expect(matches('.', '\n')).toBe(false);
    expect(matches('(?s).', '\n')).toBe(true);
    expect(matches('a.*b', 'a\nb')).toBe(false);
  });

  it('\\s, \\w, \\d, \\b are ASCII as in RE2', () => {
    expect(matches('\\s+', ' \t\n\f\r')).toBe(true);
    expect(matches('\\s', '\v')).toBe(false);
    expect(matches('\\s', '\u00a0')).toBe(false); // JS \s would match
    expect(matches('\\S', '\u00a0')).toBe(true);
    expect(matches('\\w', 'é')).toBe(false);
    expect(matches('\\W', 'é')).toBe(true);
    expect(matches('\\d', '\u0663')).toBe(false); // ARABIC-INDIC DIGIT THREE
    // Go folds classes under (?i) (appendFoldedClass), so \w then includes the KELVIN SIGN.
    expect(matches('\\w', '\u212a')).toBe(false);
    expect(matches('(?i)\\w', '\u212a')).toBe(true);
    // \b stays ASCII: K is no word character (JS /\b/iu thinks it is), on both engines.
    expect(matches('(?i).*\\b\u212a.*', 'a \u212a')).toBe(false);
    expect(compileRegex('(?i).*\\b\u212a').engine).toBe('js');
    expect(matches('(?i).*\\b\u212a', 'a \u212a')).toBe(false);
    expect(new RegExp('^(?:.*\\b\u212a)$', 'iu').test('a \u212a')).toBe(true);
    expect(matches('(?i)\u212a\\b', '\u212a')).toBe(false); // global i flag, \b wrapped in (?-i:…)
    expect(matches('(?i)\u212a\\b', 'k')).toBe(true);
    expect(matches('.*\\bfoo\\b.*', 'a foo b')).toBe(true);
    expect(matches('.*\\bfoo\\b.*', 'afoob')).toBe(false);
    expect(matches('a\\Bb', 'ab')).toBe(true);
  });

  it('supports Perl flags anywhere, scoped to their group', () => {
    expect(matches('(?i)abc', 'AbC')).toBe(true);
    expect(matches('a(?i)b', 'aB')).toBe(true);
    expect(matches('a(?i)b', 'AB')).toBe(false);
    expect(matches('(?i:a)b', 'Ab')).toBe(true);
    expect(matches('(?i:a)b', 'aB')).toBe(false);
    expect(matches('(?i)a(?-i)b', 'Ab')).toBe(true);
    expect(matches('(?i)a(?-i)b', 'AB')).toBe(false);
    expect(matches('(x(?i)y)z', 'xYz')).toBe(true);
    expect(matches('(x(?i)y)z', 'xYZ')).toBe(false);
    expect(matches('(?i)k', '\u212a')).toBe(true); // case folding includes the Kelvin sign, as in Go
    expect(matches('(?m)^a$\\n^b$', 'a\nb')).toBe(true);
    expect(matches('(?m)a$', 'a')).toBe(true);
    expect(matches('(?U)a+', 'aaa')).toBe(true);
    expect(matches('(?ims-U)a.', 'A\n')).toBe(true);
    expect(matches('(?)a', 'a')).toBe(true);
  });

  it('supports RE2 classes and escapes JS spells differently', () => {
    expect(matches('[[:alpha:]]+', 'abcXYZ')).toBe(true);
    expect(matches('[[:alpha:]]', '1')).toBe(false);
    expect(matches('[[:^digit:]]', 'x')).toBe(true);
    expect(matches('[[:^digit:]]', '7')).toBe(false);
    expect(matches('[^[:space:]]+', 'a-b')).toBe(true);
    expect(matches('[[:punct:][:digit:]]+', '!1?')).toBe(true);
    expect(matches('\\pL+', 'héllo')).toBe(true);
    expect(matches('\\p{Greek}+', 'αβγ')).toBe(true);
    expect(matches('\\p{Greek}+', 'abc')).toBe(false);
    expect(matches('\\p{^Greek}', 'a')).toBe(true);
    expect(matches('\\PL', '1')).toBe(true);
    expect(matches('\\P{Lu}', 'A')).toBe(false);
    expect(matches('[\\p{Lu}\\d]+', 'AB12')).toBe(true);
    expect(matches('\\p{Any}', '\n')).toBe(true);
    expect(matches('\\Qa.b*c\\E', 'a.b*c')).toBe(true);
    expect(matches('\\Qa.b\\E', 'axb')).toBe(false);
    expect(matches('\\Qa.b', 'a.b')).toBe(true); // \Q without \E runs to the end
    expect(matches('\\x41\\x{1F642}\\101\\0', 'A🙂A\0')).toBe(true);
    expect(matches('\\a\\f\\t\\n\\r\\v', '\x07\f\t\n\r\v')).toBe(true);
    expect(matches('\\-\\:\\#\\ \\_\\/\\"\\\'', '-:# _/"\'')).toBe(true);
  });

  it('parses brackets like Go', () => {
    expect(matches('[]a]', ']')).toBe(true);
    expect(matches('[]a]', 'a')).toBe(true);
    expect(matches('[^]a]', 'b')).toBe(true);
    expect(matches('[^]a]', ']')).toBe(false);
    expect(matches('[a-]', '-')).toBe(true);
    expect(matches('[-a]', '-')).toBe(true);
    expect(matches('[\\d-z]', '-')).toBe(true);
    expect(matches('[\\d-z]', 'y')).toBe(false);
    expect(matches('[a-c-e]', '-')).toBe(true);
    expect(matches('[[]', '[')).toBe(true);
    expect(matches('[\\]]', ']')).toBe(true);
    expect(matches('[^\\x00-\\x{10FFFF}]', 'a')).toBe(false);
    expect(matches('[🙂-🙃]', '🙃')).toBe(true);
  });

  it('treats { as a literal when it is not a repeat, and checks repeat counts', () => {
    expect(matches('a{2}', 'aa')).toBe(true);
    expect(matches('a{2,}', 'aaaa')).toBe(true);
    expect(matches('a{2,3}', 'aaaa')).toBe(false);
    expect(matches('a{,2}', 'a{,2}')).toBe(true);
    expect(matches('a{', 'a{')).toBe(true);
    expect(matches('{', '{')).toBe(true);
    expect(matches('a{01}', 'a{01}')).toBe(true); // leading zero: not a repeat in Go
    expect(matches('x{1000}', 'x'.repeat(1000))).toBe(true);
  });

  it('accepts named groups both ways (Go ≥ 1.22) and repeated assertions', () => {
    expect(matches('(?P<first>a)(?<second>b)', 'ab')).toBe(true);
    expect(matches('^*a', 'a')).toBe(true);
  });
});

describe('compileRegex — refuses what RE2 refuses, with the offset', () => {
  it.each<[string, number, RegExp]>([
    ['(?=a)', 0, /^lookahead \(\?=…\) is not supported/],
    ['a(?!b)', 1, /^negative lookahead/],
    ['(?<=a)b', 0, /^lookbehind/],
    ['x(?<!a)b', 1, /^negative lookbehind/],
    ['(?>a)', 0, /^atomic group/],
    ['(a)\\1', 3, /^backreference \\1 is not supported/],
    ['(a)(b)\\2', 6, /^backreference \\2/],
    ['[\\1]', 1, /^backreference \\1/],
    ['\\8', 0, /^backreference \\8/],
    ['(?P<n>a)(?P=n)', 8, /^backreference \(\?P=name\)/],
    ['(?<n>a)\\k<n>', 7, /^backreference \\k/],
    ["(?'n'a)", 0, /^named group/],
    ['(?#comment)', 0, /^comment group/],
    ['(?(1)a|b)', 0, /^conditional/],
    ['a++', 2, /^invalid nested repetition operator \+/],
    ['a**', 2, /^invalid nested repetition operator/],
    ['a*??', 3, /^invalid nested repetition operator/],
    ['a{2}*', 4, /^invalid nested repetition operator/],
    ['*a', 0, /^missing argument to repetition operator \*/],
    ['a|*', 2, /^missing argument to repetition operator/],
    ['(+)', 1, /^missing argument/],
    ['{2}', 0, /^missing argument to repetition operator \{2\}/],
    ['a{1001}', 1, /^invalid repeat count \{1001\}/],
    ['a{2,1}', 1, /^invalid repeat count/],
    ['(a{100}){100}', 8, /^invalid repeat count/],
    ['\\C', 0, /^\\C \(any byte\) is not supported/],
    ['\\Z', 0, /^\\Z is not supported/],
    ['\\e', 0, /^invalid escape sequence \\e/],
    ['\\x{110000}', 0, /^invalid escape sequence/],
    ['\\xZZ', 0, /^invalid escape sequence/],
    ['a\\', 1, /^trailing backslash/],
    ['[a', 0, /^missing closing \]/],
    ['[]', 0, /^missing closing \]/],
    ['x(a', 1, /^missing closing \)/],
    ['a)', 1, /^unexpected \)/],
    ['[z-a]', 1, /^invalid character class range z-a/],
    ['[[:foo:]]', 1, /^invalid character class range \[:foo:\]/],
    ['\\p{Foo}', 0, /^invalid character class range \\p\{Foo\}/],
    ['\\pX', 0, /^invalid character class range/],
    ['(?x)a', 0, /^invalid or unsupported Perl syntax \(\?x/],
    ['(?i-)a', 0, /^invalid or unsupported Perl syntax/],
    ['(?P<>a)', 0, /^invalid named capture/],
    ['(?P<a-b>x)', 0, /^invalid named capture/],
    ['(?P<a>x)(?P<a>y)', 8, /^duplicate capture group name a/],
  ])('%j at %i', (pattern, offset, message) => {
    const e = regexError(pattern);
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(message);
  });
});

describe('compileRegex — engines', () => {
  it('uses a Set for finite literal sets and reports them', () => {
    expect(compileRegex('warning|critical')).toMatchObject({ engine: 'literal', literals: ['warning', 'critical'] });
    expect(compileRegex('foo(bar|baz)').literals).toEqual(['foobar', 'foobaz']);
    expect(compileRegex('[abc]').literals).toEqual(['a', 'b', 'c']);
    expect(compileRegex('a|').literals).toEqual(['a', '']);
    expect(compileRegex('(?i)a').literals).toBeNull();
    expect(compileRegex('a.').literals).toBeNull();
    expect(compileRegex('[a-z]{3}').literals).toBeNull();
  });

  it('lets V8 run patterns whose backtracking is linear, and the NFA the others', () => {
    expect(compileRegex('foo.*').engine).toBe('js');
    expect(compileRegex('(?i)checkout-.+').engine).toBe('js');
    expect(compileRegex('[a-z]+-[0-9]{1,3}').engine).toBe('js');
    expect(compileRegex('.*foo.*').engine).toBe('nfa');
    expect(compileRegex('(a+)+b').engine).toBe('nfa');
    expect(compileRegex('(a|ab)*c').engine).toBe('nfa');
    expect(compileRegex('\\d+\\.\\d+').engine).toBe('nfa');
  });

  it('stays linear on patterns that make backtracking engines explode', () => {
    const evil: [string, string][] = [
      ['(a+)+b', 'a'.repeat(5000)],
      ['(a|a)*b', 'a'.repeat(5000)],
      ['(x+x+)+y', 'x'.repeat(5000)],
      ['(.*a){12}', 'a'.repeat(200)],
      ['.*.*.*.*.*.*=.*', 'x'.repeat(5000)],
      ['(\\w+\\s?)+$', 'a'.repeat(3000) + '!'],
    ];
    const started = Date.now();
    for (const [pattern, input] of evil) {
      const re = compileRegex(pattern);
      expect(re.engine).toBe('nfa');
      expect(re.test(input)).toBe(pattern === '(.*a){12}');
    }
    // V8 would need longer than the age of the universe for some of these.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps working when the lazy DFA cache overflows and is flushed', () => {
    // (a|b)*a(a|b){12}: the DFA needs 2^13 states, more than the cache holds.
    const re = compileRegex('(a|b)*a(a|b){12}');
    expect(re.engine).toBe('nfa');
    const rnd = (() => {
      let s = 99;
      return (n: number): number => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return (s >>> 8) % n;
      };
    })();
    for (let i = 0; i < 400; i++) {
      let s = '';
      const len = 13 + rnd(40);
      for (let j = 0; j < len; j++) s += rnd(2) ? 'a' : 'b';
      expect(re.test(s)).toBe(s[s.length - 13] === 'a');
    }
  });

  it('NFA, V8 translation and expectations agree on random inputs', () => {
    const patterns = [
      '(a|ab)*c?',
      '(a+)+b',
      '.*ab.*',
      '(?i)(A|b)+a*',
      '(?m)(^a$\\n?)*',
      '.*\\bab\\b.*',
      '(a*)*',
      '(a|b)*a(a|b){2}',
      '[ab]*\\Bb',
      'a{2,3}(b|ab){1,2}',
      '(?s)(.a)*',
      'x*y*x*',
      '(?i:a)(b*|c)+',
      '\\Aa*\\z',
      '(ab|a)(c|bcd)(d*)',
    ];
    const alphabet = ['a', 'b', 'c', 'A', 'B', '\n', ' ', 'd'];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    for (const pattern of patterns) {
      const re = compileRegex(pattern);
      const v8 = new RegExp(re.source, re.flags);
      for (let i = 0; i < 300; i++) {
        let s = '';
        const len = rnd(9);
        for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)];
        if (re.test(s) !== v8.test(s)) throw new Error(`${pattern} disagrees on ${JSON.stringify(s)}`);
      }
    }
  });
});
