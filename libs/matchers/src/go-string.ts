// Go string-literal helpers: `strconv.Unquote` / `strconv.Quote` for double-quoted strings and
// Go's `unicode.IsSpace`, written for JS (UTF-16) strings.

/** An error inside a quoted string; `offset` is relative to the opening quote. */
export class QuoteError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Go's `unicode.IsSpace`: Latin-1 spaces plus the Unicode White_Space property. */
export function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Strictly decodes UTF-8 `bytes` (no overlongs, no surrogates, ≤ U+10FFFF); null when invalid.
 */
export function decodeUtf8(bytes: readonly number[]): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i] as number;
    let cp: number;
    let n: number;
    let min: number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      n = 1;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      n = 2;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      n = 3;
      min = 0x10000;
    } else {
      return null;
    }
    for (let j = 1; j <= n; j++) {
      const b = bytes[i + j];
      if (b === undefined || (b & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/**
 * Go's `strconv.Unquote` for a double-quoted literal `raw` (quotes included), plus Alertmanager's
 * "must be valid UTF-8" check. Escapes: `\a \b \f \n \r \t \v \\ \"`, `\xHH` and `\OOO` (bytes,
 * which must form valid UTF-8), `\uHHHH`, `\UHHHHHHHH` (valid code points, no surrogates). A raw
 * newline is rejected like Go does.
 *
 * When `offsets` is given, it receives for each UTF-16 unit of the result the offset in `raw` of
 * the text it came from, and one more entry for the closing quote.
 */
export function unquoteGo(raw: string, offsets?: number[]): string {
  const end = raw.length - 1;
  let out = '';
  let bytes: number[] = [];
  let bytesStart = -1;
  const flush = (): void => {
    if (bytes.length === 0) return;
    const s = decodeUtf8(bytes);
    if (s === null) {
      throw new QuoteError('the \\x or octal escapes do not form valid UTF-8', bytesStart);
    }
    if (offsets) for (let k = 0; k < s.length; k++) offsets.push(bytesStart);
    out += s;
    bytes = [];
  };
  const emit = (s: string, at: number): void => {
    flush();
    if (offsets) for (let k = 0; k < s.length; k++) offsets.push(at);
    out += s;
  };
  let i = 1;
  while (i < end) {
    const c = raw.charCodeAt(i);
    if (c === 0x0a) throw new QuoteError('a raw newline is not allowed in a quoted string (write \\n)', i);
    if (c !== 0x5c) {
      emit(raw[i] as string, i);
      i++;
      continue;
    }
    const e = raw[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      emit(simple, i);
      i += 2;
      continue;
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      let v = 0;
      for (let k = 0; k < digits; k++) {
        const h = hexValue(raw.charCodeAt(i + 2 + k));
        if (h < 0 || i + 2 + k >= end) {
          throw new QuoteError(`invalid escape sequence: \\${e} needs ${digits} hex digits`, i);
        }
        v = v * 16 + h;
      }
      if (e === 'x') {
        if (bytes.length === 0) bytesStart = i;
        bytes.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
          throw new QuoteError(`invalid escape sequence: ${raw.slice(i, i + 2 + digits)} is not a valid code point`, i);
        }
        emit(String.fromCodePoint(v), i);
      }
      i += 2 + digits;
      continue;
    }
    if (e >= '0' && e <= '7') {
      let v = 0;
      for (let k = 0; k < 3; k++) {
        const d = raw.charCodeAt(i + 1 + k) - 0x30;
        if (d < 0 || d > 7 || i + 1 + k >= end) {
          throw new QuoteError('invalid escape sequence: an octal escape needs 3 digits (\\000 to \\377)', i);
        }
        v = v * 8 + d;
      }
      if (v > 0xff) throw new QuoteError(`invalid escape sequence: octal escape ${raw.slice(i, i + 4)} is above \\377`, i);
      if (bytes.length === 0) bytesStart = i;
      bytes.push(v);
      i += 4;
      continue;
    }
    if (e === "'") throw new QuoteError("invalid escape sequence \\' (a single quote needs no escape in a double-quoted string)", i);
    const shown = e === '' ? '\\' : `\\${String.fromCodePoint(raw.codePointAt(i + 1) as number)}`;
    throw new QuoteError(`invalid escape sequence ${shown}`, i);
  }
  flush();
  if (offsets) offsets.push(end);
  return out;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NEEDS_ESCAPE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]|["\\]/u;

/**
 * Go's `strconv.Quote`: double-quoted, with `\"`, `\\`, `\a \b \f \n \r \t \v`, `\xHH` for other
 * ASCII controls and `\uHHHH` / `\UHHHHHHHH` for other non-printable characters (printable is
 * Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space). A
 * lone surrogate (not representable in UTF-8) is written as `\ufffd`.
 */
export function quoteGo(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp === 0x07) out += '\\a';
    else if (cp === 0x08) out += '\\b';
    else if (cp === 0x0c) out += '\\f';
    else if (cp === 0x0a) out += '\\n';
    else if (cp === 0x0d) out += '\\r';
    else if (cp === 0x09) out += '\\t';
    else if (cp === 0x0b) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp > 0xffff) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}
