// RE2 (Go `regexp/syntax`, Perl flags) regular expressions for JavaScript.
//
// Alertmanager compiles matcher regexes with Go's RE2 engine; V8's RegExp has a different
// syntax and semantics, and it backtracks. This module
//   1. parses the pattern with Go's rules and refuses what RE2 refuses (backreferences,
//      lookaround, atomic groups, possessive/nested quantifiers, \C, \Z, repeat counts > 1000 …),
//      reporting the offset of the offending construct;
//   2. translates the rest into an equivalent JS RegExp (`u` flag) from the syntax tree, so that
//      differences are spelled out rather than inherited: `.` excludes only `\n` (JS also
//      excludes `\r`, U+2028, U+2029), `\s` is `[\t\n\f\r ]` (JS: all Unicode spaces), `\w`/`\b`
//      are ASCII, POSIX classes `[[:alpha:]]`, `\pN`, `\p{Greek}` (→ `\p{Script=Greek}`),
//      `\Q…\E`, octal `\123`, `\x{10FFFF}`, `(?P<name>…)`, flags `(?i)`, `(?m)`, `(?s)`,
//      `(?U)`, `(?i:…)`, `(?-i)` anywhere, `\A`, `\z`, literal `{` when not a repeat;
//   3. picks an engine: V8 when the pattern cannot backtrack badly (at most one unbounded or
//      wide repetition, repeated operands without alternation or nested repetition — then V8's
//      work is linear in the input), otherwise a Thompson-NFA simulation that is linear in
//      input × pattern size, like RE2. Finite sets of literals (`a|b|c`) use a Set lookup.
//
// Not reproduced (documented in README.md): Go's overall program-size limit (we cap the NFA at
// 250,000 states instead), and Unicode-version differences between Go's and V8's tables.

/** A syntax error in an RE2 pattern; `offset` is the UTF-16 index in the pattern. */
export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

interface CharClass {
  /** Sorted, merged, inclusive code point ranges, flattened as [lo0, hi0, lo1, hi1, …]. */
  readonly ranges: number[];
  /** JS Unicode property escapes (`\p{L}`, `\P{Script=Greek}`) also in the class. */
  readonly props: string[];
  readonly neg: boolean;
}

type AssertKind = 'bot' | 'eot' | 'bol' | 'eol' | 'wb' | 'nwb';

type Node =
  | { readonly t: 'empty' }
  | { readonly t: 'lit'; readonly cp: number; readonly fold: boolean }
  | { readonly t: 'class'; readonly cls: CharClass; readonly fold: boolean }
  | { readonly t: 'assert'; readonly k: AssertKind }
  | { readonly t: 'cat'; readonly subs: readonly Node[] }
  | { readonly t: 'alt'; readonly subs: readonly Node[] }
  | { readonly t: 'rep'; readonly sub: Node; readonly min: number; readonly max: number; readonly counted: boolean };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
}

const MAX_REPEAT = 1000;
const MAX_CP = 0x10ffff;
const EMPTY: Node = { t: 'empty' };

// ---------------------------------------------------------------------------------------------
// Character class helpers

function normalize(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i] as number, ranges[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] as number) + 1) {
      if (hi > (out[last] as number)) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

function complement(ranges: number[]): number[] {
  const r = normalize(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if ((r[i] as number) > next) out.push(next, (r[i] as number) - 1);
    next = (r[i + 1] as number) + 1;
  }
  if (next <= MAX_CP) out.push(next, MAX_CP);
  return out;
}

const cc = (s: string): number => s.codePointAt(0) as number;
const r = (a: string, b: string): number[] => [cc(a), cc(b)];

const PERL_CLASSES: Readonly<Record<string, number[]>> = {
  d: r('0', '9'),
  s: [9, 10, 12, 13, 32, 32],
  w: [...r('0', '9'), ...r('A', 'Z'), ...r('_', '_'), ...r('a', 'z')],
};

const POSIX_CLASSES: Readonly<Record<string, number[]>> = {
  alnum: [...r('0', '9'), ...r('A', 'Z'), ...r('a', 'z')],
  alpha: [...r('A', 'Z'), ...r('a', 'z')],
  ascii: [0, 0x7f],
  blank: [9, 9, 32, 32],
  cntrl: [0, 0x1f, 0x7f, 0x7f],
  digit: r('0', '9'),
  graph: r('!', '~'),
  lower: r('a', 'z'),
  print: r(' ', '~'),
  punct: [...r('!', '/'), ...r(':', '@'), ...r('[', '`'), ...r('{', '~')],
  space: [9, 13, 32, 32],
  upper: r('A', 'Z'),
  word: [...r('0', '9'), ...r('A', 'Z'), ...r('_', '_'), ...r('a', 'z')],
  xdigit: [...r('0', '9'), ...r('A', 'F'), ...r('a', 'f')],
};

// Go's unicode.Categories (RE2 also accepts these as \pX / \p{Xx}).
const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Parser (follows Go's regexp/syntax with the Perl flags Go's regexp.Compile uses)

class Parser {
  private pos = 0;
  private readonly names = new Set<string>();

  constructor(private readonly src: string) {}

  parse(): Node {
    return this.alternation({ i: false, m: false, s: false }, 0, -1);
  }

  private fail(message: string, at: number): never {
    throw new RegexSyntaxError(message, at);
  }

  private cpAt(i: number): number {
    return i < this.src.length ? (this.src.codePointAt(i) as number) : -1;
  }

  private width(cp: number): number {
    return cp > 0xffff ? 2 : 1;
  }

  /** Parses `a|b|…` up to an unconsumed `)` (depth > 0) or the end of the pattern. */
  private alternation(flags: Flags, depth: number, openAt: number): Node {
    const alts: Node[] = [];
    let items: Node[] = [];
    let repeated = false; // the last item was produced by a repetition operator
    const src = this.src;
    for (;;) {
      if (this.pos >= src.length) {
        if (depth > 0) this.fail('missing closing ) for the group opened here', openAt);
        break;
      }
      const start = this.pos;
      const c = src.charCodeAt(start);
      if (c === 0x7c /* | */) {
        alts.push(concat(items));
        items = [];
        repeated = false;
        this.pos++;
        continue;
      }
      if (c === 0x29 /* ) */) {
        if (depth === 0) this.fail('unexpected ) without an opening (', start);
        break;
      }
      let min = -1;
      let max = -1;
      let counted = false;
      if (c === 0x2a /* * */ || c === 0x2b /* + */ || c === 0x3f /* ? */) {
        min = c === 0x2b ? 1 : 0;
        max = c === 0x3f ? 1 : -1;
        this.pos++;
      } else if (c === 0x7b /* { */) {
        const rep = this.repeatCount();
        if (rep) {
          [min, max] = rep;
          counted = true;
        }
      }
      if (min >= 0) {
        const text = () => src.slice(start, this.pos + (src[this.pos] === '?' ? 1 : 0));
        if (repeated) this.fail(`invalid nested repetition operator ${text()}`, start);
        const sub = items.pop();
        if (sub === undefined) this.fail(`missing argument to repetition operator ${text()}`, start);
        if (src[this.pos] === '?') this.pos++; // non-greedy: no effect on whether a full match exists
        const node: Node = { t: 'rep', sub, min, max, counted };
        if (counted && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
          this.fail(`invalid repeat count ${src.slice(start, this.pos)} (nested repetitions exceed ${MAX_REPEAT})`, start);
        }
        items.push(node);
        repeated = true;
        continue;
      }
      repeated = false;
      const atom = this.atom(flags, depth);
      if (atom !== null) {
        if (Array.isArray(atom)) items.push(...atom);
        else items.push(atom);
      }
    }
    alts.push(concat(items));
    return alts.length === 1 ? (alts[0] as Node) : { t: 'alt', subs: alts };
  }

  /** `{n}`, `{n,}`, `{n,m}` at pos; null (nothing consumed) when it is not a repeat: then `{` is a literal. */
  private repeatCount(): [number, number] | null {
    const m = /^\{(0|[1-9][0-9]*)(,(0|[1-9][0-9]*)?)?\}/.exec(this.src.slice(this.pos, this.pos + 32));
    if (!m) return null;
    const start = this.pos;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? -1 : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      this.fail(`invalid repeat count ${m[0]} (RE2 allows at most ${MAX_REPEAT}, and min ≤ max)`, start);
    }
    this.pos += m[0].length;
    return [min, max];
  }

  /** One atom; null for a flag group like `(?i)`; an array for `\Q…\E`. */
  private atom(flags: Flags, depth: number): Node | Node[] | null {
    const src = this.src;
    const start = this.pos;
    const c = src.charCodeAt(start);
    switch (c) {
      case 0x28 /* ( */:
        return this.group(flags, depth);
      case 0x5b /* [ */:
        return { t: 'class', cls: this.charClass(), fold: flags.i };
      case 0x2e /* . */:
        this.pos++;
        return { t: 'class', cls: { ranges: flags.s ? [] : [10, 10], props: [], neg: true }, fold: false };
      case 0x5e /* ^ */:
        this.pos++;
        return { t: 'assert', k: flags.m ? 'bol' : 'bot' };
      case 0x24 /* $ */:
        this.pos++;
        return { t: 'assert', k: flags.m ? 'eol' : 'eot' };
      case 0x5c /* \ */:
        return this.escapeAtom(flags);
      default: {
        const cp = this.cpAt(start);
        this.pos += this.width(cp);
        return { t: 'lit', cp, fold: flags.i };
      }
    }
  }

  private group(flags: Flags, depth: number): Node | null {
    const src = this.src;
    const open = this.pos;
    const rest = src.slice(open, open + 4);
    let inner: Flags = { ...flags };
    if (rest.startsWith('(?')) {
      const unsupported: [string, string][] = [
        ['(?=', 'lookahead (?=…) is not supported (RE2 has no lookaround)'],
        ['(?!', 'negative lookahead (?!…) is not supported (RE2 has no lookaround)'],
        ['(?<=', 'lookbehind (?<=…) is not supported (RE2 has no lookaround)'],
        ['(?<!', 'negative lookbehind (?<!…) is not supported (RE2 has no lookaround)'],
        ['(?>', 'atomic group (?>…) is not supported by RE2'],
        ['(?P=', 'backreference (?P=name) is not supported (RE2 has no backreferences)'],
        ['(?P>', 'subroutine call (?P>name) is not supported by RE2'],
        ['(?#', 'comment group (?#…) is not supported by RE2'],
        ['(?(', 'conditional (?(…)…) is not supported by RE2'],
        ["(?'", "named group (?'name'…) is not supported by RE2; write (?P<name>…)"],
      ];
      for (const [prefix, message] of unsupported) if (rest.startsWith(prefix)) this.fail(message, open);
      if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
        const nameStart = open + (rest.startsWith('(?P<') ? 4 : 3);
        const close = src.indexOf('>', nameStart);
        const name = close < 0 ? '' : src.slice(nameStart, close);
        if (close < 0 || !/^[\p{L}\p{N}_]+$/u.test(name)) {
          this.fail(`invalid named capture ${src.slice(open, close < 0 ? open + 4 : close + 1)}`, open);
        }
        if (this.names.has(name)) this.fail(`duplicate capture group name ${name}`, open);
        this.names.add(name);
        this.pos = close + 1;
      } else {
        // Flags: (?flags) or (?flags:re), flags from i m s U, optionally negated after one '-'.
        let i = open + 2;
        let negate = false;
        let sawFlag = false;
        for (;;) {
          const ch = src[i];
          if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
            if (ch !== 'U') inner[ch] = !negate;
            sawFlag = true;
            i++;
          } else if (ch === '-' && !negate) {
            negate = true;
            sawFlag = false;
            i++;
          } else if ((ch === ')' || ch === ':') && (!negate || sawFlag)) {
            break;
          } else {
            this.fail(`invalid or unsupported Perl syntax ${src.slice(open, i + 1)}`, open);
          }
        }
        this.pos = i + 1;
        if (src[i] === ')') {
          // (?flags) changes the flags for the rest of the current group.
          flags.i = inner.i;
          flags.m = inner.m;
          flags.s = inner.s;
          return null;
        }
      }
    } else {
      this.pos++;
      inner = { ...flags };
    }
    const node = this.alternation(inner, depth + 1, open);
    this.pos++; // the ')' that ended the alternation
    return node;
  }

  private escapeAtom(flags: Flags): Node | Node[] {
    const src = this.src;
    const start = this.pos;
    const e = src[start + 1];
    switch (e) {
      case undefined:
        return this.fail('trailing backslash at end of expression', start);
      case 'A':
        this.pos += 2;
        return { t: 'assert', k: 'bot' };
      case 'z':
        this.pos += 2;
        return { t: 'assert', k: 'eot' };
      case 'b':
        this.pos += 2;
        return { t: 'assert', k: 'wb' };
      case 'B':
        this.pos += 2;
        return { t: 'assert', k: 'nwb' };
      case 'Q': {
        const end = src.indexOf('\\E', start + 2);
        const text = src.slice(start + 2, end < 0 ? src.length : end);
        this.pos = end < 0 ? src.length : end + 2;
        return Array.from(text, (ch) => ({ t: 'lit', cp: cc(ch), fold: flags.i }) as Node);
      }
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
      case 'p':
      case 'P': {
        const cls = this.classEscape();
        return { t: 'class', cls: { ranges: cls.ranges, props: cls.props, neg: false }, fold: flags.i };
      }
      case 'C':
        return this.fail('\\C (any byte) is not supported', start);
      case 'Z':
        return this.fail('\\Z is not supported by RE2 (use \\z for the end of text)', start);
      case 'k':
      case 'g':
        return this.fail(`backreference \\${e} is not supported (RE2 has no backreferences)`, start);
      default: {
        const cp = this.escapeChar();
        return { t: 'lit', cp, fold: flags.i };
      }
    }
  }

  /** `\d \D \s \S \w \W \pX \p{Name} \PX \P{^Name}` at pos (the backslash). */
  private classEscape(): { ranges: number[]; props: string[] } {
    const src = this.src;
    const start = this.pos;
    const e = src[start + 1] as string;
    const lower = e.toLowerCase();
    if (lower !== 'p') {
      this.pos += 2;
      const base = PERL_CLASSES[lower] as number[];
      return { ranges: e === lower ? [...base] : complement(base), props: [] };
    }
    let negated = e === 'P';
    let name: string;
    if (src[start + 2] === '{') {
      const close = src.indexOf('}', start + 3);
      if (close < 0) this.fail(`invalid character class range ${src.slice(start, start + 3)}`, start);
      name = src.slice(start + 3, close);
      this.pos = close + 1;
    } else {
      const cp = this.cpAt(start + 2);
      if (cp < 0) this.fail(`invalid character class range \\${e}`, start);
      name = String.fromCodePoint(cp);
      this.pos = start + 2 + this.width(cp);
    }
    const written = src.slice(start, this.pos);
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    let prop: string;
    if (name === 'Any') prop = 'Any';
    else if (CATEGORIES.has(name)) prop = name;
    else if (/^[A-Za-z_]+$/.test(name) && isJsScript(name)) prop = `Script=${name}`;
    else return this.fail(`invalid character class range ${written} (unknown Unicode class)`, start);
    return { ranges: [], props: [`\\${negated ? 'P' : 'p'}{${prop}}`] };
  }

  /** A single-character escape at pos (the backslash), as Go's parseEscape. */
  private escapeChar(): number {
    const src = this.src;
    const start = this.pos;
    const c = this.cpAt(start + 1);
    if (c < 0) this.fail('trailing backslash at end of expression', start);
    // Octal: \0 plus up to two digits, or \1–\7 followed by at least one more digit.
    if (c === 0x30 || (c >= 0x31 && c <= 0x37 && isOctal(src.charCodeAt(start + 2)))) {
      let v = c - 0x30;
      let i = start + 2;
      for (let k = 0; k < 2 && isOctal(src.charCodeAt(i)); k++, i++) v = v * 8 + src.charCodeAt(i) - 0x30;
      this.pos = i;
      return v;
    }
    if (c >= 0x31 && c <= 0x39) {
      this.fail(`backreference \\${String.fromCharCode(c)} is not supported (RE2 has no backreferences)`, start);
    }
    if (c === 0x78 /* x */) {
      if (src[start + 2] === '{') {
        const close = src.indexOf('}', start + 3);
        const digits = close < 0 ? '' : src.slice(start + 3, close);
        if (!/^[0-9A-Fa-f]+$/.test(digits) || parseInt(digits, 16) > MAX_CP) {
          this.fail(`invalid escape sequence ${src.slice(start, close < 0 ? start + 3 : close + 1)}`, start);
        }
        this.pos = close + 1;
        return parseInt(digits, 16);
      }
      const h1 = hexValue(src.charCodeAt(start + 2));
      const h2 = hexValue(src.charCodeAt(start + 3));
      if (h1 < 0 || h2 < 0) this.fail(`invalid escape sequence ${src.slice(start, start + 4)}`, start);
      this.pos = start + 4;
      return h1 * 16 + h2;
    }
    const controls: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    const ch = String.fromCodePoint(c);
    const control = controls[ch];
    this.pos = start + 1 + this.width(c);
    if (control !== undefined) return control;
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation
    return this.fail(`invalid escape sequence \\${ch}`, start);
  }

  /** `[…]` at pos. */
  private charClass(): CharClass {
    const src = this.src;
    const open = this.pos;
    this.pos++;
    let neg = false;
    if (src[this.pos] === '^') {
      neg = true;
      this.pos++;
    }
    const ranges: number[] = [];
    const props: string[] = [];
    let first = true; // a ']' right after '[' or '[^' is a literal
    for (;;) {
      if (this.pos >= src.length) this.fail('missing closing ] for the character class opened here', open);
      const start = this.pos;
      const ch = src[start];
      if (ch === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (ch === '[' && src[start + 1] === ':') {
        const close = src.indexOf(':]', start + 2);
        if (close >= 0) {
          const written = src.slice(start, close + 2);
          let name = src.slice(start + 2, close);
          const negated = name.startsWith('^');
          if (negated) name = name.slice(1);
          const set = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (set === undefined) this.fail(`invalid character class range ${written}`, start);
          ranges.push(...(negated ? complement(set) : set));
          this.pos = close + 2;
          continue;
        }
      }
      if (ch === '\\' && /^[dDsSwWpP]$/.test(src[start + 1] ?? '')) {
        const cls = this.classEscape();
        ranges.push(...cls.ranges);
        props.push(...cls.props);
        continue;
      }
      const lo = this.classChar();
      let hi = lo;
      if (src[this.pos] === '-' && this.pos + 1 < src.length && src[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) this.fail(`invalid character class range ${src.slice(start, this.pos)}`, start);
      }
      ranges.push(lo, hi);
    }
    return { ranges: normalize(ranges), props, neg };
  }

  private classChar(): number {
    if (this.src[this.pos] === '\\') return this.escapeChar();
    const cp = this.cpAt(this.pos);
    this.pos += this.width(cp);
    return cp;
  }
}

function concat(items: Node[]): Node {
  if (items.length === 0) return EMPTY;
  return items.length === 1 ? (items[0] as Node) : { t: 'cat', subs: items };
}

/** Go's repeatIsValid: nested counted repetitions may not make more than `n` copies. */
function repeatIsValid(node: Node, n: number): boolean {
  if (node.t === 'rep' && node.counted) {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
  }
  if (node.t === 'rep') return repeatIsValid(node.sub, n);
  if (node.t === 'cat' || node.t === 'alt') return node.subs.every((s) => repeatIsValid(s, n));
  return true;
}

const scriptCache = new Map<string, boolean>();
function isJsScript(name: string): boolean {
  let ok = scriptCache.get(name);
  if (ok === undefined) {
    try {
      new RegExp(`\\p{Script=${name}}`, 'u');
      ok = true;
    } catch {
      ok = false;
    }
    scriptCache.set(name, ok);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Translation to JS RegExp source (u flag)

function escapeCp(cp: number): string {
  return isAlnum(cp) ? String.fromCharCode(cp) : `\\u{${cp.toString(16)}}`;
}

function classSource(cls: CharClass): string {
  let s = cls.neg ? '[^' : '[';
  const rg = cls.ranges;
  for (let i = 0; i < rg.length; i += 2) {
    const lo = rg[i] as number;
    const hi = rg[i + 1] as number;
    s += lo === hi ? escapeCp(lo) : `${escapeCp(lo)}-${escapeCp(hi)}`;
  }
  return `${s}${cls.props.join('')}]`;
}

/** Whether any / every character-consuming node is case-folded. */
function foldUsage(node: Node): { any: boolean; all: boolean } {
  let any = false;
  let all = true;
  const walk = (n: Node): void => {
    if (n.t === 'lit' || n.t === 'class') {
      if (n.fold) any = true;
      else all = false;
    } else if (n.t === 'cat' || n.t === 'alt') n.subs.forEach(walk);
    else if (n.t === 'rep') walk(n.sub);
  };
  walk(node);
  return { any, all };
}

function emit(node: Node, globalFold: boolean): string {
  const atom = (s: string, fold: boolean): string => (fold && !globalFold ? `(?i:${s})` : s);
  switch (node.t) {
    case 'empty':
      return '(?:)';
    case 'lit':
      return atom(escapeCp(node.cp), node.fold);
    case 'class':
      return atom(classSource(node.cls), node.fold);
    case 'assert':
      switch (node.k) {
        case 'bot':
          return '^';
        case 'eot':
          return '$';
        case 'bol':
          return '(?<![^\\n])';
        case 'eol':
          return '(?![^\\n])';
        case 'wb':
          return globalFold ? '(?-i:\\b)' : '\\b';
        case 'nwb':
          return globalFold ? '(?-i:\\B)' : '\\B';
      }
      break;
    case 'cat':
      return node.subs.map((s) => (s.t === 'alt' ? `(?:${emit(s, globalFold)})` : emit(s, globalFold))).join('');
    case 'alt':
      return `(?:${node.subs.map((s) => emit(s, globalFold)).join('|')})`;
    case 'rep': {
      const q =
        node.min === 0 && node.max === -1
          ? '*'
          : node.min === 1 && node.max === -1
            ? '+'
            : node.min === 0 && node.max === 1
              ? '?'
              : node.max === -1
                ? `{${node.min},}`
                : node.min === node.max
                  ? `{${node.min}}`
                  : `{${node.min},${node.max}}`;
      return `(?:${emit(node.sub, globalFold)})${q}`;
    }
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// Analysis

/** The finite set of strings the pattern matches, when it is one (no case folding); else null. */
function literalSet(node: Node, limit = 64): string[] | null {
  switch (node.t) {
    case 'empty':
      return [''];
    case 'lit':
      return node.fold ? null : [String.fromCodePoint(node.cp)];
    case 'class': {
      const { ranges, props, neg } = node.cls;
      if (node.fold || neg || props.length > 0 || ranges.length === 0) return null;
      const out: string[] = [];
      for (let i = 0; i < ranges.length; i += 2) {
        for (let cp = ranges[i] as number; cp <= (ranges[i + 1] as number); cp++) {
          if (out.length >= limit) return null;
          out.push(String.fromCodePoint(cp));
        }
      }
      return out;
    }
    case 'cat': {
      let acc = [''];
      for (const sub of node.subs) {
        const set = literalSet(sub, limit);
        if (set === null || acc.length * set.length > limit) return null;
        acc = acc.flatMap((a) => set.map((b) => a + b));
      }
      return acc;
    }
    case 'alt': {
      const out = new Set<string>();
      for (const sub of node.subs) {
        const set = literalSet(sub, limit);
        if (set === null) return null;
        for (const s of set) out.add(s);
        if (out.size > limit) return null;
      }
      return [...out];
    }
    default:
      return null;
  }
}

/** Matches exactly one character, with no choice inside. */
function isDeterministic(node: Node): boolean {
  if (node.t === 'lit' || node.t === 'class' || node.t === 'assert' || node.t === 'empty') return true;
  if (node.t === 'cat') return node.subs.every(isDeterministic);
  return false;
}

/**
 * A bound on V8's backtracking work as c · n^deg (n = input length), or null when repetitions
 * nest or repeat alternatives (which can be exponential).
 */
function backtrackCost(node: Node): { deg: number; c: number } | null {
  switch (node.t) {
    case 'cat': {
      let deg = 0;
      let c = 1;
      for (const s of node.subs) {
        const k = backtrackCost(s);
        if (k === null) return null;
        deg += k.deg;
        c = Math.min(c * k.c, 1e9);
      }
      return { deg, c };
    }
    case 'alt': {
      let deg = 0;
      let c = 0;
      for (const s of node.subs) {
        const k = backtrackCost(s);
        if (k === null) return null;
        deg = Math.max(deg, k.deg);
        c = Math.min(c + k.c, 1e9);
      }
      return { deg, c };
    }
    case 'rep': {
      if (!isDeterministic(node.sub)) return null;
      const width = node.max < 0 ? Infinity : node.max - node.min;
      if (width === 0) return { deg: 0, c: 1 };
      return width > 16 ? { deg: 1, c: 1 } : { deg: 0, c: width + 1 };
    }
    default:
      return { deg: 0, c: 1 };
  }
}

// ---------------------------------------------------------------------------------------------
// Linear-time engine: Thompson NFA simulation (used when V8 could backtrack badly)

const CHAR = 0;
const SPLIT = 1;
const ASSERT = 2;
const MATCH = 3;
const MAX_STATES = 250_000;

class CharTest {
  private readonly ascii = new Int8Array(128); // 0 unknown, 1 match, 2 no match
  private readonly other = new Map<number, boolean>();
  constructor(
    private readonly cp: number,
    private readonly re: RegExp | null,
  ) {}

  test(cp: number): boolean {
    const re = this.re;
    if (re === null) return cp === this.cp;
    if (cp < 128) {
      const known = this.ascii[cp] as number;
      if (known !== 0) return known === 1;
      const ok = re.test(String.fromCharCode(cp));
      this.ascii[cp] = ok ? 1 : 2;
      return ok;
    }
    const known = this.other.get(cp);
    if (known !== undefined) return known;
    const ok = re.test(String.fromCodePoint(cp));
    if (this.other.size < 4096) this.other.set(cp, ok);
    return ok;
  }
}

function isWordCp(cp: number): boolean {
  return isAlnum(cp) || cp === 0x5f;
}

/** A lazily built DFA state: a set of NFA states (after ε-closure) and its known transitions. */
interface DState {
  readonly states: readonly number[];
  readonly accept: boolean;
  readonly ascii: (DState | undefined)[];
  readonly other: Map<number, DState>;
}

const MAX_DFA_STATES = 4096;

class Nfa {
  private readonly kind: number[] = [];
  private readonly out: number[] = [];
  private readonly out1: number[] = [];
  private readonly tests: (CharTest | null)[] = [];
  private readonly asserts: (AssertKind | null)[] = [];
  private readonly start: number;
  private marks = new Uint32Array(0);
  private gen = 0;
  private hasAsserts = false;
  private readonly dfa = new Map<string, DState>();
  private dfaStart: DState | null = null;

  constructor(root: Node) {
    const match = this.add(MATCH, -1, -1, null, null);
    this.start = this.compile(root, match);
    this.marks = new Uint32Array(this.kind.length);
    this.hasAsserts = this.asserts.some((a) => a !== null);
  }

  private add(kind: number, out: number, out1: number, test: CharTest | null, assert: AssertKind | null): number {
    if (this.kind.length >= MAX_STATES) throw new RegexSyntaxError('regular expression too large', 0);
    this.kind.push(kind);
    this.out.push(out);
    this.out1.push(out1);
    this.tests.push(test);
    this.asserts.push(assert);
    return this.kind.length - 1;
  }

  /** Compiles `node` so that it continues at `next`; returns its entry state. */
  private compile(node: Node, next: number): number {
    switch (node.t) {
      case 'empty':
        return next;
      case 'lit':
        return this.add(
          CHAR,
          next,
          -1,
          new CharTest(node.cp, node.fold ? new RegExp(`^${escapeCp(node.cp)}$`, 'iu') : null),
          null,
        );
      case 'class':
        return this.add(CHAR, next, -1, new CharTest(-1, new RegExp(`^${classSource(node.cls)}$`, node.fold ? 'iu' : 'u')), null);
      case 'assert':
        return this.add(ASSERT, next, -1, null, node.k);
      case 'cat': {
        let s = next;
        for (let i = node.subs.length - 1; i >= 0; i--) s = this.compile(node.subs[i] as Node, s);
        return s;
      }
      case 'alt': {
        let s = this.compile(node.subs[node.subs.length - 1] as Node, next);
        for (let i = node.subs.length - 2; i >= 0; i--) s = this.add(SPLIT, this.compile(node.subs[i] as Node, next), s, null, null);
        return s;
      }
      case 'rep': {
        let s: number;
        if (node.max < 0) {
          const loop = this.add(SPLIT, -1, next, null, null);
          this.out[loop] = this.compile(node.sub, loop);
          s = loop;
        } else {
          s = next;
          for (let k = node.min; k < node.max; k++) s = this.add(SPLIT, this.compile(node.sub, s), next, null, null);
        }
        for (let k = 0; k < node.min; k++) s = this.compile(node.sub, s);
        return s;
      }
    }
  }

  private holds(k: AssertKind, prev: number, next: number): boolean {
    switch (k) {
      case 'bot':
        return prev < 0;
      case 'eot':
        return next < 0;
      case 'bol':
        return prev < 0 || prev === 10;
      case 'eol':
        return next < 0 || next === 10;
      case 'wb':
        return isWordCp(prev) !== isWordCp(next);
      case 'nwb':
        return isWordCp(prev) === isWordCp(next);
    }
  }

  /** Adds `s` and its ε-closure (at a position between `prev` and `next`) to `list`. */
  private addState(list: number[], s0: number, prev: number, next: number, stack: number[]): void {
    stack.push(s0);
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (this.marks[s] === this.gen) continue;
      this.marks[s] = this.gen;
      const k = this.kind[s];
      if (k === SPLIT) {
        stack.push(this.out1[s] as number, this.out[s] as number);
      } else if (k === ASSERT) {
        if (this.holds(this.asserts[s] as AssertKind, prev, next)) stack.push(this.out[s] as number);
      } else {
        list.push(s);
      }
    }
  }

  test(input: string): boolean {
    return this.hasAsserts ? this.simulate(input) : this.runDfa(input);
  }

  private dstate(states: number[]): DState {
    states.sort((a, b) => a - b);
    const key = states.join(',');
    let d = this.dfa.get(key);
    if (d === undefined) {
      if (this.dfa.size >= MAX_DFA_STATES) {
        // Like RE2: flush the cache and rebuild lazily (dropping dfaStart frees the old graph).
        this.dfa.clear();
        this.dfaStart = null;
      }
      let accept = false;
      for (const s of states) if (this.kind[s] === MATCH) accept = true;
      d = { states, accept, ascii: new Array<DState | undefined>(128).fill(undefined), other: new Map() };
      this.dfa.set(key, d);
    }
    return d;
  }

  /** Without assertions the ε-closure does not depend on context: cache state sets as a DFA. */
  private runDfa(input: string): boolean {
    const stack: number[] = [];
    let d: DState | null = this.dfaStart;
    if (d === null) {
      const list: number[] = [];
      this.gen++;
      this.addState(list, this.start, -1, -1, stack);
      d = this.dfaStart = this.dstate(list);
    }
    for (let i = 0; i < input.length; ) {
      const cp = input.codePointAt(i) as number;
      i += cp > 0xffff ? 2 : 1;
      let n: DState | undefined = cp < 128 ? d.ascii[cp] : d.other.get(cp);
      if (n === undefined) {
        const list: number[] = [];
        this.gen++;
        for (const s of d.states) {
          if (this.kind[s] === CHAR && (this.tests[s] as CharTest).test(cp)) this.addState(list, this.out[s] as number, -1, -1, stack);
        }
        n = this.dstate(list);
        if (cp < 128) d.ascii[cp] = n;
        else if (d.other.size < 256) d.other.set(cp, n);
      }
      d = n;
      if (d.states.length === 0) return false;
    }
    return d.accept;
  }

  /** Thompson simulation with context for assertions (^ $ \A \z \b \B inside the pattern). */
  private simulate(input: string): boolean {
    const stack: number[] = [];
    let clist: number[] = [];
    let nlist: number[] = [];
    let prev = -1;
    let i = 0;
    let cp = input.length > 0 ? (input.codePointAt(0) as number) : -1;
    this.gen++;
    this.addState(clist, this.start, prev, cp, stack);
    while (cp >= 0) {
      i += cp > 0xffff ? 2 : 1;
      const next = i < input.length ? (input.codePointAt(i) as number) : -1;
      this.gen++;
      for (let j = 0; j < clist.length; j++) {
        const s = clist[j] as number;
        if (this.kind[s] === CHAR && (this.tests[s] as CharTest).test(cp)) this.addState(nlist, this.out[s] as number, cp, next, stack);
      }
      if (nlist.length === 0) return false;
      [clist, nlist] = [nlist, clist];
      nlist.length = 0;
      prev = cp;
      cp = next;
    }
    for (let j = 0; j < clist.length; j++) if (this.kind[clist[j] as number] === MATCH) return true;
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/** A compiled, fully anchored RE2 regex. */
export interface CompiledRegex {
  /** The RE2 pattern as written. */
  readonly pattern: string;
  /** The anchored JS translation, `^(?:…)$`, used with {@link flags}. */
  readonly source: string;
  readonly flags: string;
  /** How `test` runs: a Set of literals, V8's RegExp, or the linear-time NFA simulation. */
  readonly engine: 'literal' | 'js' | 'nfa';
  /** The exact set of strings matched, when the pattern is a small finite set of literals. */
  readonly literals: readonly string[] | null;
  /** Whether the whole `value` matches (the pattern is anchored at both ends). */
  test(value: string): boolean;
}

/**
 * Compiles an RE2 pattern for full-string matching (`^(?:pattern)$`, as Alertmanager does).
 * Throws {@link RegexSyntaxError} for syntax RE2 rejects.
 */
export function compileRegex(pattern: string): CompiledRegex {
  const ast = new Parser(pattern).parse();
  const fold = foldUsage(ast);
  const globalFold = fold.any && fold.all;
  const source = `^(?:${emit(ast, globalFold)})$`;
  const flags = globalFold ? 'iu' : 'u';
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    throw new RegexSyntaxError(`cannot be translated to a JS regular expression: ${(e as Error).message}`, 0);
  }
  const literals = literalSet(ast);
  if (literals !== null) {
    const set = new Set(literals);
    return { pattern, source, flags, engine: 'literal', literals, test: (v) => set.has(v) };
  }
  const cost = backtrackCost(ast);
  if (cost !== null && cost.deg <= 1 && cost.c <= 10_000) {
    return { pattern, source, flags, engine: 'js', literals: null, test: (v) => re.test(v) };
  }
  const nfa = new Nfa(ast);
  return { pattern, source, flags, engine: 'nfa', literals: null, test: (v) => nfa.test(v) };
}
