/**
 * Replaces the secret values an execution read (`ctx.secrets.get`) by `[secret:NAME]` in
 * everything the host keeps of it: log lines and their fields, step names, outputs and errors,
 * attachments, the result, the error's message and stack, emitted events and state values.
 * It runs on the host: the guest is never trusted to do it.
 *
 * What it catches: the value as is, and as it appears inside JSON text (escaped quotes and
 * backslashes); at the end of a string that a limit cut (marked `…`), a cut-off beginning of a
 * secret (2 characters or more). What it cannot catch: a runbook that transforms a secret
 * (base64, reversed, one character per line) — redaction protects against accidents, the
 * allowlists (`secrets:`, `egress:`) are the boundary against a hostile runbook.
 */
export const MIN_PARTIAL_CHARS = 2;

interface Known {
  readonly name: string;
  /** The forms to replace, longest first: the value, and its JSON-escaped form when different. */
  readonly forms: readonly string[];
  readonly value: string;
}

const CUT_MARKERS = ['… [truncated]', '…'] as const;

export class Redactor {
  private known: Known[] = [];

  /** Whether no secret was read yet (then every method returns its input). */
  get empty(): boolean {
    return this.known.length === 0;
  }

  /** Remembers a secret the execution read: from now on it is redacted. */
  add(name: string, value: string): void {
    if (value === '' || this.known.some((k) => k.value === value)) return;
    const escaped = JSON.stringify(value).slice(1, -1);
    const forms = escaped === value ? [value] : [escaped, value];
    this.known.push({ name, forms, value });
    // Longest first: a secret that contains another one is replaced whole.
    this.known.sort((a, b) => b.value.length - a.value.length);
  }

  /** Whether `s` holds one of the secrets (as is or JSON-escaped). */
  contains(s: string): boolean {
    return this.known.some((k) => k.forms.some((f) => s.includes(f)));
  }

  text(s: string): string {
    if (this.known.length === 0 || s === '') return s;
    let out = s;
    for (const k of this.known) for (const form of k.forms) if (out.includes(form)) out = out.split(form).join(`[secret:${k.name}]`);
    return this.cutTail(out);
  }

  /** `text` for a string or null. */
  textOrNull(s: string | null): string | null {
    return s === null ? null : this.text(s);
  }

  /** A JSON value (as parsed) with every string and key redacted. Iterative: no stack overflow on deep values. */
  json(value: unknown): unknown {
    if (this.known.length === 0) return value;
    const root: { value: unknown } = { value: undefined };
    const tasks: { src: unknown; put: (v: unknown) => void }[] = [{ src: value, put: (v) => (root.value = v) }];
    while (tasks.length > 0) {
      const { src, put } = tasks.pop()!;
      if (typeof src === 'string') {
        put(this.text(src));
      } else if (Array.isArray(src)) {
        const dst: unknown[] = new Array<unknown>(src.length).fill(null);
        put(dst);
        src.forEach((item, i) => tasks.push({ src: item, put: (v) => (dst[i] = v) }));
      } else if (src !== null && typeof src === 'object') {
        const dst: Record<string, unknown> = {};
        put(dst);
        for (const [key, item] of Object.entries(src)) {
          const k = this.text(key);
          dst[k] = null;
          tasks.push({ src: item, put: (v) => (dst[k] = v) });
        }
      } else {
        put(src);
      }
    }
    return root.value;
  }

  /** A string a limit cut (`…` at the end) may end inside a secret: that beginning goes too. */
  private cutTail(s: string): string {
    const marker = CUT_MARKERS.find((m) => s.endsWith(m));
    if (marker === undefined) return s;
    const body = s.slice(0, s.length - marker.length);
    for (const k of this.known) {
      for (const form of k.forms) {
        if (form.length <= MIN_PARTIAL_CHARS) continue;
        // The longest end of `body` that is a beginning of `form`: look only where its first characters occur.
        const start = Math.max(0, body.length - (form.length - 1));
        const head = form.slice(0, MIN_PARTIAL_CHARS);
        for (let i = body.indexOf(head, start); i >= 0 && i <= body.length - MIN_PARTIAL_CHARS; i = body.indexOf(head, i + 1)) {
          if (form.startsWith(body.slice(i))) return `${body.slice(0, i)}[secret:${k.name}]${marker}`;
        }
      }
    }
    return s;
  }
}
