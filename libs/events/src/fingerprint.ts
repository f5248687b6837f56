import type { Labels } from './event';

// Alertmanager-compatible alert fingerprint (prometheus/common `model.LabelSet.Fingerprint`,
// `labelSetToFingerprint`): FNV-1a 64 over the label set, labels taken in the order of their
// names compared as UTF-8 bytes (Go's `sort.Sort(LabelNames)` compares strings bytewise), and for
// each label: name bytes, 0xFF, value bytes, 0xFF. Printed like Go's `%016x`.
//
// The 64-bit state is kept as two 32-bit halves (hi, lo) in int32 variables so that the hot loop
// runs on small integers (no BigInt, no float division). FNV's 64-bit prime is 2^40 + 0x1b3, so
//   (hi·2^32 + lo) · prime  mod 2^64  =  lo·0x1b3 + (hi·0x1b3 + lo·2^8 + carry(lo·0x1b3)) · 2^32.
// lo·0x1b3 (up to 2^41) is computed from lo's two 16-bit halves to get its low word and carry.
// Measured with Node 24 on 8-label sets: ~1.2 µs, ~15× faster than a BigInt loop.
//
// Strings are JS (UTF-16) strings: they are encoded to UTF-8 on the fly. A lone surrogate cannot
// be represented in UTF-8; it is hashed as U+FFFD, which is what Go's encoding/json produces when
// it decodes such a `\ud800` escape.

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const PRIME_LO = 0x1b3;

/** The fingerprint of the empty label set (the FNV-1a 64 offset basis). */
export const EMPTY_FINGERPRINT = 'cbf29ce484222325';

/**
 * Compares two strings by the byte order of their UTF-8 encodings (Go's string order), returning
 * a negative number, zero or a positive number like `Array.prototype.sort` expects.
 *
 * UTF-16 code unit order equals code point order (and hence UTF-8 byte order) except for one
 * case: surrogates (U+D800–U+DFFF, which encode U+10000 and above) sort *before* U+E000–U+FFFF in
 * UTF-16 but after them in UTF-8. Only that first differing unit needs fixing up.
 */
export function compareUtf8(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Move surrogates above U+FFFF's neighbours: D800–DFFF → F800–FFFF, E000–FFFF → D800–F7FF.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

function hasHighUnit(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return true;
  return false;
}

/** Sorts label names in place by UTF-8 byte order, and returns the array. */
export function sortLabelNames(names: string[]): string[] {
  const n = names.length;
  let high = false;
  for (let i = 0; i < n && !high; i++) high = hasHighUnit(names[i] as string);
  // UTF-16 order (the native `<`) is already right unless a name holds a unit ≥ U+D800.
  if (high) return names.sort(compareUtf8);
  if (n > 16) return names.sort();
  // Label sets are small: insertion sort with the native string comparison beats Array#sort.
  for (let i = 1; i < n; i++) {
    const x = names[i] as string;
    let j = i - 1;
    while (j >= 0 && (names[j] as string) > x) {
      names[j + 1] = names[j] as string;
      j--;
    }
    names[j + 1] = x;
  }
  return names;
}

function hex32(n: number): string {
  const s = n.toString(16);
  return s.length === 8 ? s : '00000000'.slice(s.length) + s;
}

/**
 * Feeds the UTF-8 bytes of `s` (plus 0xFF when `separator`) into the FNV-1a state held in
 * `state[0]` (hi) and `state[1]` (lo).
 */
function mix(state: Int32Array, s: string, separator: boolean): void {
  let hi = state[0] as number;
  let lo = state[1] as number;
  let m0 = 0;
  let m1 = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      lo ^= c;
      m0 = (lo & 0xffff) * PRIME_LO;
      m1 = (lo >>> 16) * PRIME_LO + (m0 >>> 16);
      hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + (m1 >>> 16)) | 0;
      lo = (m1 << 16) | (m0 & 0xffff);
      continue;
    }
    // Decode the code point (a lone surrogate becomes U+FFFD) and feed its 2–4 UTF-8 bytes.
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    let n: number;
    let lead: number;
    if (c < 0x800) {
      n = 1;
      lead = 0xc0 | (c >> 6);
    } else if (c < 0x10000) {
      n = 2;
      lead = 0xe0 | (c >> 12);
    } else {
      n = 3;
      lead = 0xf0 | (c >> 18);
    }
    for (let j = n; j >= 0; j--) {
      lo ^= j === n ? lead : 0x80 | ((c >> (6 * j)) & 0x3f);
      m0 = (lo & 0xffff) * PRIME_LO;
      m1 = (lo >>> 16) * PRIME_LO + (m0 >>> 16);
      hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + (m1 >>> 16)) | 0;
      lo = (m1 << 16) | (m0 & 0xffff);
    }
  }
  if (separator) {
    lo ^= 0xff;
    m0 = (lo & 0xffff) * PRIME_LO;
    m1 = (lo >>> 16) * PRIME_LO + (m0 >>> 16);
    hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + (m1 >>> 16)) | 0;
    lo = (m1 << 16) | (m0 & 0xffff);
  }
  state[0] = hi;
  state[1] = lo;
}

const state = new Int32Array(2);

function reset(): void {
  state[0] = OFFSET_HI;
  state[1] = OFFSET_LO;
}

function digest(): string {
  return hex32((state[0] as number) >>> 0) + hex32((state[1] as number) >>> 0);
}

/**
 * FNV-1a 64 of the UTF-8 encoding of `input`, as 16 lowercase hex digits (Go's
 * `fmt.Sprintf("%016x", fnv.New64a().Sum64())` after writing the string).
 */
export function fnv1a64(input: string): string {
  reset();
  mix(state, input, false);
  return digest();
}

/**
 * The Alertmanager fingerprint of a label set (prometheus/common `LabelSet.Fingerprint()`
 * printed as `%016x`), e.g. `cbf29ce484222325` for `{}`. Only labels, never annotations.
 */
export function fingerprint(labels: Labels): string {
  const names = sortLabelNames(Object.keys(labels));
  reset();
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    mix(state, name, true);
    mix(state, labels[name] as string, true);
  }
  return digest();
}
