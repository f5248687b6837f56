import type { Labels } from '@wolfe/events';
import { regexFor, validateMatcher, type Matcher } from './matcher';
import type { CompiledRegex } from './re2';

// An index from label sets to the entries (triggers, silences, …) whose matchers all match.
//
// Each entry is filed under ONE selective key: an equality matcher `name="value"` (value not
// empty), or a regex matcher whose regex is a small finite set of literals (`name=~"A|B"`, filed
// under each literal). A label set can then only match entries filed under one of its own
// (name, value) pairs, so `candidates()` looks up each indexed label name once, verifies the
// few entries found there, and scans only the small fallback list of entries that have no such
// matcher (e.g. only `!=`, `=~".*x"`, or `foo=""`). Among several possible keys an entry takes
// the one whose bucket is currently smallest (ties: `=` over `=~`, then `alertname`, then the
// first written), which keeps buckets small when e.g. many triggers share `severity="critical"`.

const EQ = 0;
const NE = 1;
const RE = 2;
const NRE = 3;

interface Check {
  readonly name: string;
  readonly op: number;
  readonly value: string;
  readonly re: CompiledRegex | null;
}

interface Entry<T> {
  readonly id: T;
  readonly seq: number;
  /** Every matcher except the one the entry is filed under (that one holds by construction). */
  readonly checks: readonly Check[];
  /** The label name the entry is filed under; null in the fallback list. */
  readonly keyName: string | null;
  readonly keyValues: readonly string[];
  /** The entry's index in each of its buckets (parallel to keyValues), or in the fallback list. */
  readonly slots: number[];
}

interface NameSlot<T> {
  readonly name: string;
  readonly byValue: Map<string, Entry<T>[]>;
}

/** Size of an index, for monitoring and tests. */
export interface MatcherIndexStats {
  readonly entries: number;
  /** Entries in the fallback list (checked on every call). */
  readonly fallback: number;
  /** Label names that entries are filed under. */
  readonly indexedNames: number;
  readonly largestBucket: number;
}

const OPS: Readonly<Record<string, number>> = { '=': EQ, '!=': NE, '=~': RE, '!~': NRE };

function verify<T>(entry: Entry<T>, labels: Labels): boolean {
  const checks = entry.checks;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i] as Check;
    const v = labels[c.name];
    const s = typeof v === 'string' ? v : '';
    switch (c.op) {
      case EQ:
        if (s !== c.value) return false;
        break;
      case NE:
        if (s === c.value) return false;
        break;
      case RE:
        if (!(c.re as CompiledRegex).test(s)) return false;
        break;
      default:
        if ((c.re as CompiledRegex).test(s)) return false;
    }
  }
  return true;
}

const bySeq = <T>(a: Entry<T>, b: Entry<T>): number => a.seq - b.seq;

/**
 * Finds, for a label set, the ids whose matchers all match it, without scanning every entry.
 * Ids are compared like Map keys. `candidates()` returns ids in the order they were added.
 */
export class MatcherIndex<T> {
  private readonly entries = new Map<T, Entry<T>>();
  private readonly byName = new Map<string, NameSlot<T>>();
  /** byName's values as an array, for fast iteration. */
  private names: NameSlot<T>[] = [];
  private readonly fallback: Entry<T>[] = [];
  private seq = 0;

  /** Number of entries. */
  get size(): number {
    return this.entries.size;
  }

  has(id: T): boolean {
    return this.entries.has(id);
  }

  /**
   * Adds an entry (replacing any entry with the same id). No matchers = matches everything.
   * Throws {@link MatcherSyntaxError} for an invalid regex, TypeError for a malformed matcher.
   */
  add(id: T, matchers: readonly Matcher[]): void {
    for (const m of matchers) validateMatcher(m);
    this.remove(id);

    // Pick the key: the candidate whose buckets are smallest right now.
    let best = -1;
    let bestValues: readonly string[] = [];
    let bestScore: number[] = [];
    matchers.forEach((m, j) => {
      let values: readonly string[] | null = null;
      if (m.type === '=' && m.value !== '') values = [m.value];
      else if (m.type === '=~') {
        const lits = regexFor(m.value).literals;
        if (lits !== null && lits.length > 0 && !lits.includes('')) values = lits;
      }
      if (values === null) return;
      const byValue = this.byName.get(m.name)?.byValue;
      let load = 0;
      for (const v of values) load += byValue?.get(v)?.length ?? 0;
      const score = [load, values.length, m.name === 'alertname' ? 0 : 1, j];
      if (best < 0 || compareScores(score, bestScore) < 0) {
        best = j;
        bestValues = values;
        bestScore = score;
      }
    });

    const checks: Check[] = [];
    matchers.forEach((m, j) => {
      if (j === best) return;
      const op = OPS[m.type] as number;
      checks.push({ name: m.name, op, value: m.value, re: op === RE || op === NRE ? regexFor(m.value) : null });
    });
    const keyName = best >= 0 ? (matchers[best] as Matcher).name : null;
    const entry: Entry<T> = { id, seq: this.seq++, checks, keyName, keyValues: bestValues, slots: [] };
    this.entries.set(id, entry);

    if (keyName === null) {
      entry.slots.push(this.fallback.length);
      this.fallback.push(entry);
      return;
    }
    let slot = this.byName.get(keyName);
    if (slot === undefined) {
      slot = { name: keyName, byValue: new Map() };
      this.byName.set(keyName, slot);
      this.names = [...this.byName.values()];
    }
    for (const v of bestValues) {
      let bucket = slot.byValue.get(v);
      if (bucket === undefined) {
        bucket = [];
        slot.byValue.set(v, bucket);
      }
      entry.slots.push(bucket.length);
      bucket.push(entry);
    }
  }

  /** Removes the entry with this id; returns whether there was one. */
  remove(id: T): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.entries.delete(id);
    if (entry.keyName === null) {
      swapRemove(this.fallback, entry.slots[0] as number, null);
      return true;
    }
    const slot = this.byName.get(entry.keyName) as NameSlot<T>;
    entry.keyValues.forEach((v, k) => {
      const bucket = slot.byValue.get(v) as Entry<T>[];
      swapRemove(bucket, entry.slots[k] as number, v);
      if (bucket.length === 0) slot.byValue.delete(v);
    });
    if (slot.byValue.size === 0) {
      this.byName.delete(entry.keyName);
      this.names = [...this.byName.values()];
    }
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.byName.clear();
    this.names = [];
    this.fallback.length = 0;
  }

  /** The ids of all entries whose matchers all match `labels`, in insertion order. */
  candidates(labels: Labels): T[] {
    const found: Entry<T>[] = [];
    const names = this.names;
    if (names.length <= 16) {
      for (let i = 0; i < names.length; i++) {
        const slot = names[i] as NameSlot<T>;
        const v = labels[slot.name];
        if (typeof v !== 'string') continue;
        const bucket = slot.byValue.get(v);
        if (bucket !== undefined) collect(bucket, labels, found);
      }
    } else {
      for (const name of Object.keys(labels)) {
        const slot = this.byName.get(name);
        const v = labels[name];
        if (slot === undefined || typeof v !== 'string') continue;
        const bucket = slot.byValue.get(v);
        if (bucket !== undefined) collect(bucket, labels, found);
      }
    }
    collect(this.fallback, labels, found);
    if (found.length > 1) {
      let sorted = true;
      for (let i = 1; i < found.length && sorted; i++) sorted = (found[i - 1] as Entry<T>).seq < (found[i] as Entry<T>).seq;
      if (!sorted) found.sort(bySeq);
    }
    const ids = new Array<T>(found.length);
    for (let i = 0; i < found.length; i++) ids[i] = (found[i] as Entry<T>).id;
    return ids;
  }

  stats(): MatcherIndexStats {
    let largestBucket = 0;
    for (const slot of this.byName.values()) {
      for (const bucket of slot.byValue.values()) largestBucket = Math.max(largestBucket, bucket.length);
    }
    return { entries: this.entries.size, fallback: this.fallback.length, indexedNames: this.byName.size, largestBucket };
  }
}

function collect<T>(bucket: readonly Entry<T>[], labels: Labels, out: Entry<T>[]): void {
  for (let i = 0; i < bucket.length; i++) {
    const e = bucket[i] as Entry<T>;
    if (verify(e, labels)) out.push(e);
  }
}

/**
 * Removes bucket[at] by moving the last entry into its place and updating that entry's slot.
 * `value` is the key value of this bucket (null for the fallback list).
 */
function swapRemove<T>(bucket: Entry<T>[], at: number, value: string | null): void {
  const last = bucket.pop() as Entry<T>;
  if (at === bucket.length) return;
  bucket[at] = last;
  last.slots[value === null ? 0 : last.keyValues.indexOf(value)] = at;
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}
