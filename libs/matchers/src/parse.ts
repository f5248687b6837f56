// Parser for Alertmanager's UTF-8 matcher syntax (Alertmanager ≥ 0.27, `matcher/parse`).
//
// Grammar, as implemented by Alertmanager's lexer and parser:
//   matchers := ws* ( "{" list? "}" | list? ) ws*
//   list     := matcher ( "," matcher )* ","?            one trailing comma allowed
//   matcher  := text op text                               whitespace allowed between tokens
//   op       := "=" | "!=" | "=~" | "!~"
//   text     := quoted | unquoted
//   quoted   := a Go double-quoted string literal (strconv.Unquote escapes), valid UTF-8
//   unquoted := 1+ characters that are neither whitespace (Go unicode.IsSpace) nor one of
//               { } ! = ~ , \ " ' `
// so `foo=""` is valid (empty value) and `foo=` is not; `{}` and "" are no matchers (they match
// everything). Regexes (`=~`, `!~`) must be valid RE2 and are anchored at both ends.
//
// Wolfe only implements this syntax, like Alertmanager's `utf8-strict-mode`. Alertmanager's
// classic parser (pkg/labels, the default before 0.27 and still a fallback there) differs:
//   * classic names must match [a-zA-Z_:][a-zA-Z0-9_:]* and cannot be quoted;
//   * classic unquoted values may contain spaces, `{`, `}`, `=`, `!`, `~`, `'`, … (the value is
//     everything up to the next comma, trimmed): `foo=bar baz` and `foo=a{2}` parse there, but are
//     errors here — write `foo="bar baz"`, `foo=~"a{2}"`;
//   * classic `foo=` means `foo=""`; here it is an error;
//   * classic escapes are only `\"`, `\\`, `\n`; other backslashes are literal (`"\d"` is `\d`).
//     Here quoted text uses Go escapes: `"\d"` is an error, write `"\\d"`;
//   * classic braces are optional independently (`{foo=bar` parses); here both or neither.
// Alertmanager's default "fallback" mode tries the UTF-8 parser and then the classic one; Wolfe
// does not fall back: such input is rejected with an error that says where and what was expected.
// An empty label name (`""="x"`) is also rejected (Alertmanager's parser lets it through).

import { isGoSpace, QuoteError, unquoteGo } from './go-string';
import { MatcherSyntaxError, regexFor, type Matcher, type MatchType } from './matcher';

type Kind = 'open' | 'close' | 'comma' | 'op' | 'quoted' | 'unquoted' | 'invalid' | 'eof';

interface Token {
  readonly kind: Kind;
  /** Offsets in the input (UTF-16), end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const RESERVED = new Set(['{', '}', '!', '=', '~', ',', '\\', '"', "'", '`']);

function isReserved(ch: string): boolean {
  return RESERVED.has(ch) || isGoSpace(ch.codePointAt(0) as number);
}

class Lexer {
  private pos = 0;

  constructor(private readonly input: string) {}

  private fail(message: string, position: number): never {
    throw new MatcherSyntaxError(message, position, this.input);
  }

  next(): Token {
    const input = this.input;
    let pos = this.pos;
    while (pos < input.length) {
      const cp = input.codePointAt(pos) as number;
      if (!isGoSpace(cp)) break;
      pos += cp > 0xffff ? 2 : 1;
    }
    const start = pos;
    if (pos >= input.length) {
      this.pos = pos;
      return { kind: 'eof', start, end: start, text: '' };
    }
    const ch = input[pos] as string;
    let kind: Kind;
    let end = pos + 1;
    switch (ch) {
      case '{':
        kind = 'open';
        break;
      case '}':
        kind = 'close';
        break;
      case ',':
        kind = 'comma';
        break;
      case '=':
        kind = 'op';
        if (input[pos + 1] === '~') end++;
        break;
      case '!':
        kind = 'op';
        if (input[pos + 1] !== '=' && input[pos + 1] !== '~') {
          const found = pos + 1 < input.length ? `"${String.fromCodePoint(input.codePointAt(pos + 1) as number)}"` : 'end of input';
          this.fail(`expected "=" or "~" after "!" at position ${pos + 1}, found ${found}`, pos + 1);
        }
        end++;
        break;
      case '"': {
        let escaped = false;
        for (; end < input.length; end++) {
          const c = input[end];
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') break;
        }
        if (end >= input.length) {
          this.fail(`expected a closing " for the quoted text that starts at position ${start}, found end of input`, start);
        }
        end++;
        kind = 'quoted';
        break;
      }
      default: {
        if (isReserved(ch)) {
          kind = 'invalid';
          break;
        }
        kind = 'unquoted';
        while (end < input.length) {
          const cp = input.codePointAt(end) as number;
          if (isReserved(String.fromCodePoint(cp))) break;
          end += cp > 0xffff ? 2 : 1;
        }
      }
    }
    this.pos = end;
    return { kind, start, end, text: input.slice(start, end) };
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  const text = t.text.length > 40 ? `${t.text.slice(0, 37)}…` : t.text;
  const shown = t.kind === 'quoted' ? text : `"${text}"`;
  if (t.kind !== 'invalid') return shown;
  if (t.text === "'" || t.text === '`') return `${shown} (quote text with double quotes)`;
  if (t.text === '\\') return `${shown} (escape sequences only work inside double quotes)`;
  return `${shown} (quote text that contains it)`;
}

class Parser {
  private readonly lexer: Lexer;

  constructor(private readonly input: string) {
    this.lexer = new Lexer(input);
  }

  private fail(expected: string, t: Token, note = ''): never {
    throw new MatcherSyntaxError(`${expected} at position ${t.start}, found ${describe(t)}${note}`, t.start, this.input);
  }

  /** The text of a name or value token, unquoted. */
  private text(t: Token): string {
    if (t.kind === 'unquoted') return t.text;
    try {
      return unquoteGo(t.text);
    } catch (e) {
      if (!(e instanceof QuoteError)) throw e;
      const at = t.start + e.offset;
      throw new MatcherSyntaxError(`${e.message} at position ${at}`, at, this.input);
    }
  }

  parse(): Matcher[] {
    const matchers: Matcher[] = [];
    let t = this.lexer.next();
    let open: Token | null = null;
    if (t.kind === 'open') {
      open = t;
      t = this.lexer.next();
    }
    const noOpen = ' (there is no opening "{")';
    const unclosed = (): string => ` (the "{" at position ${(open as Token).start} is not closed)`;
    for (;;) {
      // At the start, or after a comma: a matcher, or the end of the list.
      if (t.kind === 'eof') {
        if (open) this.fail('expected a label name or "}"', t, unclosed());
        break;
      }
      if (t.kind === 'close') {
        if (!open) this.fail(matchers.length ? 'expected a label name or end of input' : 'expected a label name', t, noOpen);
        t = this.lexer.next();
        if (t.kind !== 'eof') this.fail('expected end of input after "}"', t);
        break;
      }
      if (t.kind !== 'quoted' && t.kind !== 'unquoted') this.fail('expected a label name', t);
      const name = this.text(t);
      if (name === '') throw new MatcherSyntaxError(`a label name must not be empty (at position ${t.start})`, t.start, this.input);

      t = this.lexer.next();
      if (t.kind !== 'op') this.fail(`expected an operator (=, !=, =~, !~) after ${JSON.stringify(name)}`, t);
      const type = t.text as MatchType;

      t = this.lexer.next();
      if (t.kind !== 'quoted' && t.kind !== 'unquoted') {
        this.fail(`expected a label value after ${JSON.stringify(`${name}${type}`)}`, t, t.kind === 'eof' || t.kind === 'comma' || t.kind === 'close' ? ' (write "" for an empty value)' : '');
      }
      const valueToken = t;
      const value = this.text(t);
      if (type === '=~' || type === '!~') this.checkRegex(name, value, valueToken);
      matchers.push({ name, type, value });

      t = this.lexer.next();
      if (t.kind === 'comma') {
        t = this.lexer.next();
        continue;
      }
      if (t.kind === 'close' || t.kind === 'eof') {
        if (t.kind === 'close' && !open) this.fail('expected "," or end of input', t, noOpen);
        if (t.kind === 'eof' && open) this.fail('expected "," or "}"', t, unclosed());
        continue; // handled at the top of the loop
      }
      this.fail(open ? 'expected "," or "}"' : 'expected "," or end of input', t, t.kind === 'unquoted' || t.kind === 'quoted' ? ' (separate matchers with ",")' : '');
    }
    return matchers;
  }

  private checkRegex(name: string, value: string, t: Token): void {
    try {
      regexFor(value);
    } catch (e) {
      if (!(e instanceof MatcherSyntaxError)) throw e;
      let at = t.start + e.position;
      if (t.kind === 'quoted') {
        const offsets: number[] = [];
        unquoteGo(t.text, offsets);
        at = t.start + (offsets[e.position] ?? t.text.length - 1);
      }
      const detail = e.message.replace(/ at position \d+$/, '').replace(/^invalid regular expression: /, '');
      throw new MatcherSyntaxError(`invalid regular expression for ${JSON.stringify(name)}: ${detail} at position ${at}`, at, this.input);
    }
  }
}

/**
 * Parses Alertmanager UTF-8 matcher syntax, e.g. `{alertname="HighErrorRate", severity=~"warning|critical"}`
 * or `alertname=HighErrorRate,team!=""`. Returns no matchers for "" and "{}". Regexes are
 * validated (RE2 syntax). Throws {@link MatcherSyntaxError} with the position of the problem.
 */
export function parseMatchers(input: string): Matcher[] {
  return new Parser(input).parse();
}

/** Parses exactly one matcher (braces allowed); throws when there are none or several. */
export function parseMatcher(input: string): Matcher {
  const ms = parseMatchers(input);
  if (ms.length !== 1) {
    throw new MatcherSyntaxError(ms.length === 0 ? 'expected a matcher, found none' : `expected 1 matcher, found ${ms.length}`, 0, input);
  }
  return ms[0] as Matcher;
}
