import { MatcherSyntaxError, parseMatchers, type Matcher } from '@wolfe/matchers';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration';
import {
  DEFAULT_MEMORY_MIB,
  DEFAULT_TIMEOUT_MS,
  MAX_EGRESS_RULES,
  MAX_FOR_MS,
  MAX_MEMORY_MIB,
  MAX_SECRETS,
  MAX_TIMEOUT_MS,
  MIN_MEMORY_MIB,
  MIN_TIMEOUT_MS,
  RUNBOOK_NAME_PATTERN,
  SECRET_NAME_PATTERN,
} from './limits';
import type { EgressRule, Manifest, RunbookProblem, Trigger, TriggerStatus } from './manifest';

export type ParseManifestResult = { ok: true; manifest: Manifest } | { ok: false; problems: RunbookProblem[] };

export const MANIFEST_FIELDS = ['name', 'description', 'owner', 'triggers', 'timeout', 'memory', 'secrets', 'egress'] as const;
export const TRIGGER_FIELDS = ['match', 'status', 'source', 'for'] as const;
export const TRIGGER_STATUSES: readonly TriggerStatus[] = ['firing', 'resolved', 'any'];

const MATCH_EXAMPLE = `'{alertname="DiskAlmostFull"}'`;
/** Placeholder message replaced with one that quotes the YAML source (zod only sees the parsed value). */
const UNQUOTED_MATCH = '\u0000unquoted-match';

/**
 * Parses and validates a runbook.yaml.
 *
 * `file` is only used to name the file in problems (and to suggest the folder name when
 * `name` is missing); nothing is read. Every problem carries the field path
 * (`triggers[0].match`), the 1-based line of that field in `text` (for a missing field: the
 * line of the mapping that should hold it) and a message that says how to fix it.
 * The folder-name check is the catalog's job (see `buildCatalog`).
 */
export function parseManifest(text: string, file: string): ParseManifestResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });

  if (doc.errors.length > 0) {
    const problems: RunbookProblem[] = [];
    for (const e of doc.errors) {
      const p = yamlProblem(e, doc, file, lineCounter);
      // One problem per line: a single mistake often makes the YAML parser complain twice.
      if (!problems.some((q) => q.line === p.line)) problems.push(p);
    }
    return { ok: false, problems };
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return {
      ok: false,
      problems: [{ file, field: null, line: null, message: `${baseName(file)} is empty; it needs at least name, description and owner` }],
    };
  }
  if (!isMap(root)) {
    const what = isSeq(root) ? 'a list' : 'a single value';
    return {
      ok: false,
      problems: [
        {
          file,
          field: null,
          line: lineOf(root, lineCounter),
          message: `${baseName(file)} is ${what}; it must be a mapping of fields, one per line: name: …, description: …, owner: …`,
        },
      ],
    };
  }

  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  const result = manifestSchema(folderOf(file)).safeParse(data);
  if (result.success) return { ok: true, manifest: result.data };

  const locate = locator(doc, text, lineCounter);
  const problems: RunbookProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(unknownKeyProblem(file, path, key, locate));
      continue;
    }
    let message = issue.message;
    if (message === UNQUOTED_MATCH) {
      // Unquoted {…} is a YAML flow mapping: show what they wrote, quoted.
      const src = locate.source(path) ?? '{…}';
      message = `match: ${src} is read by YAML as a mapping because it is not quoted; wrap it in single quotes: match: '${src.replace(/'/g, "''")}'`;
    }
    problems.push({ file, field: formatPath(path), line: locate.line(path), message });
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.field ?? '').localeCompare(b.field ?? ''));
  return { ok: false, problems };
}

/** The line of the field at `path` (`['triggers', 0, 'match']`) in a runbook.yaml, or null. */
export function findFieldLine(text: string, path: readonly (string | number)[]): number | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) return null;
  return locator(doc, text, lineCounter).line(path);
}

/** `disk-cleanup/runbook.yaml:7 timeout: '30 seconds' is not a duration; …` — for logs and the CLI. */
export function formatProblem(p: RunbookProblem): string {
  return `${p.file}${p.line === null ? '' : `:${p.line}`} ${p.message}`;
}

// ---------------------------------------------------------------------------------------------
// Schema. Every error message is written for the person editing runbook.yaml: it quotes what
// they wrote and says what to write instead.

function manifestSchema(folder: string | null) {
  const suggestedName = folder !== null && RUNBOOK_NAME_PATTERN.test(folder) ? folder : 'disk-cleanup';
  return z
    .strictObject({
      name: z
        .string({ error: (iss) => expectedText('name', iss.input, `write e.g. name: ${suggestedName} (the folder name)`) })
        .regex(RUNBOOK_NAME_PATTERN, {
          error: (iss) =>
            `name: ${show(iss.input)} is not a valid runbook name; use 1 to 63 lowercase letters, digits and dashes, ` +
            `starting with a letter or digit, e.g. name: ${suggestedName}`,
        }),
      description: requiredText('description', 'say in one line what the runbook does, e.g. description: Frees space when a disk is almost full'),
      owner: requiredText('owner', 'name the team or person responsible, e.g. owner: team-storage'),
      triggers: z
        .array(triggerSchema, {
          error: (iss) =>
            iss.input === null
              ? `triggers is empty; list at least one trigger (- match: ${MATCH_EXAMPLE}) or remove the line for a runbook that is only started by hand`
              : `triggers: ${show(iss.input)} must be a list; write each trigger on its own line starting with a dash: - match: ${MATCH_EXAMPLE}`,
        })
        .default([]),
      timeout: z
        .string({
          error: (iss) =>
            typeof iss.input === 'number'
              ? `timeout: ${iss.input} has no unit; write ${iss.input}s (seconds), ${iss.input}ms or ${iss.input}m`
              : iss.input === null
                ? `timeout is empty; write e.g. timeout: 30s, or remove the line for the default ${formatDuration(DEFAULT_TIMEOUT_MS)}`
                : `timeout: ${show(iss.input)} is not a duration; write e.g. 30s, 500ms or 2m`,
        })
        .transform((value, ctx) => {
          const ms = parseDuration(value);
          if (ms === null) {
            ctx.addIssue({ code: 'custom', input: value, message: `timeout: ${show(value)} is not a duration; write e.g. 30s, 500ms or 2m` });
            return z.NEVER;
          }
          if (ms > MAX_TIMEOUT_MS) {
            ctx.addIssue({
              code: 'custom',
              input: value,
              message: `timeout: ${value} is longer than the maximum ${formatDuration(MAX_TIMEOUT_MS)}; write at most timeout: ${formatDuration(MAX_TIMEOUT_MS)} (split longer work into several runbooks)`,
            });
            return z.NEVER;
          }
          if (ms < MIN_TIMEOUT_MS) {
            ctx.addIssue({
              code: 'custom',
              input: value,
              message: `timeout: ${value} is shorter than the minimum ${formatDuration(MIN_TIMEOUT_MS)}; write e.g. timeout: 30s`,
            });
            return z.NEVER;
          }
          return ms;
        })
        .default(DEFAULT_TIMEOUT_MS),
      memory: z
        .number({
          error: (iss) =>
            typeof iss.input === 'string' && /^\s*\d+\s*$/.test(iss.input)
              ? `memory: ${show(iss.input)} is quoted text; write the number without quotes: memory: ${iss.input.trim()}`
              : iss.input === null
                ? `memory is empty; write e.g. memory: ${DEFAULT_MEMORY_MIB}, or remove the line for the default ${DEFAULT_MEMORY_MIB}`
                : `memory: ${show(iss.input)} must be a whole number of MiB without a unit, e.g. memory: ${DEFAULT_MEMORY_MIB}`,
        })
        .int({ error: (iss) => `memory: ${show(iss.input)} must be a whole number of MiB, e.g. memory: ${DEFAULT_MEMORY_MIB}` })
        .min(MIN_MEMORY_MIB, { error: (iss) => `memory: ${show(iss.input)} is less than the minimum ${MIN_MEMORY_MIB} (MiB); write at least memory: ${MIN_MEMORY_MIB}` })
        .max(MAX_MEMORY_MIB, { error: (iss) => `memory: ${show(iss.input)} is more than the maximum ${MAX_MEMORY_MIB} (MiB); write at most memory: ${MAX_MEMORY_MIB}` })
        .default(DEFAULT_MEMORY_MIB),
      secrets: z
        .array(
          z
            .string({ error: (iss) => `each secret must be a name, e.g. - SLACK_TOKEN (got ${show(iss.input)})` })
            .regex(SECRET_NAME_PATTERN, {
              error: (iss) => `secret ${show(iss.input)} is not a valid secret name; use letters, digits and _, starting with a letter or _, e.g. SLACK_TOKEN`,
            }),
          {
            error: (iss) =>
              iss.input === null
                ? 'secrets is empty; list the secrets the runbook reads, e.g. secrets: [SLACK_TOKEN], or remove the line'
                : `secrets: ${show(iss.input)} must be a list of secret names, e.g. secrets: [SLACK_TOKEN]`,
          },
        )
        .max(MAX_SECRETS, { error: `secrets: at most ${MAX_SECRETS} secrets per runbook` })
        .superRefine((names, ctx) => {
          const seen = new Set<string>();
          names.forEach((n, i) => {
            if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [i], input: n, message: `secret ${n} is listed twice; list each secret once` });
            seen.add(n);
          });
        })
        .default([]),
      egress: z
        .array(
          z.string({ error: (iss) => `each egress entry must be a host, e.g. - api.example.com (got ${show(iss.input)})` }).transform((text, ctx) => {
            const rule = parseEgressRule(text);
            if (typeof rule === 'string') {
              ctx.addIssue({ code: 'custom', input: text, message: rule });
              return z.NEVER;
            }
            return rule;
          }),
          {
            error: (iss) =>
              iss.input === null
                ? "egress is empty; list the hosts ctx.http may reach, e.g. egress: ['api.example.com'], or remove the line"
                : `egress: ${show(iss.input)} must be a list of hosts, e.g. egress: ['api.example.com', 'https://hooks.slack.com']`,
          },
        )
        .max(MAX_EGRESS_RULES, { error: `egress: at most ${MAX_EGRESS_RULES} entries per runbook (use a wildcard such as *.internal.example.com)` })
        .default([]),
    })
    .transform(
      (m): Manifest => ({
        name: m.name,
        description: m.description,
        owner: m.owner,
        triggers: m.triggers,
        timeoutMs: m.timeout,
        memoryMiB: m.memory,
        secrets: m.secrets,
        egress: m.egress,
      }),
    );
}

const triggerSchema = z
  .strictObject(
    {
      match: z
        .string({
          error: (iss) =>
            iss.input === undefined
              ? `this trigger has no match; add e.g. match: ${MATCH_EXAMPLE}`
              : iss.input === null
                ? `match is empty; write at least one matcher, e.g. match: ${MATCH_EXAMPLE}`
                : typeof iss.input === 'object'
                  ? UNQUOTED_MATCH
                  : `match: ${show(iss.input)} must be a quoted matcher string, e.g. match: ${MATCH_EXAMPLE}`,
        })
        .transform((match, ctx) => {
          const matchers = matchersOf(match);
          if (typeof matchers === 'string') {
            ctx.addIssue({ code: 'custom', input: match, message: matchers });
            return z.NEVER;
          }
          return { match, matchers };
        }),
      status: z
        .enum(['firing', 'resolved', 'any'], {
          error: (iss) => `status: ${show(iss.input)} must be firing, resolved or any (default firing)`,
        })
        .default('firing'),
      source: z
        .string({
          error: (iss) =>
            iss.input === null
              ? 'source is empty; write e.g. source: alertmanager, or remove the line to accept events from any source'
              : `source: ${show(iss.input)} must be the name of an event source, e.g. source: alertmanager`,
        })
        .trim()
        .min(1, { error: 'source is empty; write e.g. source: alertmanager, or remove the line to accept events from any source' })
        .optional(),
      for: z
        .string({
          error: (iss) =>
            typeof iss.input === 'number'
              ? `for: ${iss.input} has no unit; write ${iss.input}s (seconds), ${iss.input}ms or ${iss.input}m`
              : iss.input === null
                ? 'for is empty; write e.g. for: 2m, or remove the line to run as soon as the alert fires'
                : `for: ${show(iss.input)} is not a duration; write e.g. 30s, 2m or 500ms`,
        })
        .transform((value, ctx) => {
          const ms = parseDuration(value);
          if (ms === null) {
            ctx.addIssue({ code: 'custom', input: value, message: `for: ${show(value)} is not a duration; write e.g. 30s, 2m or 500ms` });
            return z.NEVER;
          }
          if (ms > MAX_FOR_MS) {
            ctx.addIssue({
              code: 'custom',
              input: value,
              message: `for: ${value} is longer than the maximum ${formatDuration(MAX_FOR_MS)}; write at most for: ${formatDuration(MAX_FOR_MS)} (longer waits belong in the alert rule)`,
            });
            return z.NEVER;
          }
          return ms;
        })
        .optional(),
    },
    {
      error: (iss) =>
        iss.code === 'invalid_type'
          ? typeof iss.input === 'string'
            ? `trigger ${show(iss.input)} must be a mapping with a match field; write - match: ${show(iss.input)}`
            : `each trigger must be a mapping with a match field, e.g. - match: ${MATCH_EXAMPLE}`
          : undefined,
    },
  )
  .superRefine((t, ctx) => {
    if (t.for !== undefined && t.status === 'resolved') {
      ctx.addIssue({
        code: 'custom',
        path: ['for'],
        input: t.for,
        message: `for: only applies while an alert is firing; remove it, or use status: firing (or any) for a trigger that waits`,
      });
    }
  })
  .transform(
    (t): Trigger => ({
      match: t.match.match,
      matchers: t.match.matchers,
      status: t.status,
      source: t.source ?? null,
      forMs: t.for === undefined || t.for === 0 ? null : t.for,
    }),
  );

const EGRESS_EXAMPLES = "e.g. api.example.com, *.internal.example.com, https://hooks.slack.com or 10.1.2.3";
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * One `egress:` entry (see {@link EgressRule}), or the problem message. Host names are
 * lower-cased and IP addresses written as the URL parser writes them (`0x7f.1` → `127.0.0.1`),
 * so a rule compares equal to the host of any URL that reaches the same place.
 */
export function parseEgressRule(text: string): EgressRule | string {
  const written = text.trim();
  const bad = (why: string) => `egress: ${show(written)} ${why}; write a host, ${EGRESS_EXAMPLES}`;
  if (written === '') return bad('is empty');
  let scheme: 'http' | 'https' | null = null;
  let rest = written;
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(written);
  if (m) {
    const s = (m[1] ?? '').toLowerCase();
    if (s !== 'http' && s !== 'https') return bad(`uses the scheme ${s}:; ctx.http speaks http and https only`);
    scheme = s;
    rest = (m[2] ?? '').replace(/\/$/, '');
  } else if (written.includes('://')) {
    return bad('has an invalid scheme');
  }
  if (/[\s/?#@\\]/.test(rest)) return bad('must be a host (with an optional scheme and port), without a path, query or credentials');
  let wildcard = false;
  if (rest.startsWith('*.')) {
    wildcard = true;
    rest = rest.slice(2);
  }
  if (rest.includes('*')) return bad('may only use * as the whole first label (*.example.com)');
  // A bare IPv6 address (several colons, no brackets): bracket it for the URL parser.
  if (!rest.startsWith('[') && (rest.match(/:/g) ?? []).length >= 2) rest = `[${rest}]`;
  let url: URL;
  try {
    url = new URL(`${scheme ?? 'http'}://${rest}`);
  } catch {
    return bad('is not a valid host');
  }
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return bad('must be a host (with an optional scheme and port), without a path, query or credentials');
  }
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':');
  if (wildcard && isIp) return bad('puts a wildcard on an IP address');
  if (!isIp) {
    const labels = host.replace(/\.$/, '').split('.');
    if (labels.some((l) => !HOST_LABEL.test(l))) return bad('is not a valid host name');
    if (wildcard && labels.length < 2) return bad(`is too wide: a wildcard needs at least two labels after *. (*.example.com)`);
    host = labels.join('.');
  }
  // The URL parser drops a port that is the scheme's default: keep what was written.
  const portText = /:(\d+)$/.exec(rest)?.[1];
  const port = url.port !== '' ? Number(url.port) : portText !== undefined ? Number(portText) : null;
  if (port !== null && (port < 1 || port > 65535)) return bad('has a port outside 1-65535');
  return { text: written, scheme, host, wildcard, port };
}

/** The matchers of a trigger's `match`, or the problem message. */
function matchersOf(match: string): Matcher[] | string {
  let matchers: Matcher[];
  try {
    matchers = parseMatchers(match);
  } catch (err) {
    if (!(err instanceof MatcherSyntaxError)) throw err;
    const pos = Math.max(0, Math.min(err.position, match.length));
    const detail = err.message.replace(/\.$/, '');
    const at = detail.includes(`position ${pos}`) ? '' : ` at position ${pos}`;
    const where = pos >= match.length ? '' : ` (at ${show(match.slice(pos, pos + 20))})`;
    return (
      `match: ${show(match)} is not a valid matcher: ${detail}${at}${where}; ` +
      `write matchers like {alertname="DiskAlmostFull", severity=~"warning|critical"}`
    );
  }
  if (matchers.length === 0) {
    return `match: ${show(match)} has no matchers and would match every alert; write at least one matcher, e.g. match: ${MATCH_EXAMPLE}`;
  }
  return matchers;
}

function requiredText(field: string, fix: string) {
  return z
    .string({ error: (iss) => expectedText(field, iss.input, fix) })
    .trim()
    .min(1, { error: `${field} is empty; ${fix}` });
}

function expectedText(field: string, input: unknown, fix: string): string {
  if (input === undefined) return `${field} is missing; ${fix}`;
  if (input === null) return `${field} is empty; ${fix}`;
  if (typeof input === 'number' || typeof input === 'boolean') {
    return `${field}: ${show(input)} is read as a ${typeof input}, not text; quote it: ${field}: '${String(input)}'`;
  }
  return `${field}: ${show(input)} must be text; ${fix}`;
}

// ---------------------------------------------------------------------------------------------
// Locating fields in the YAML source.

interface Locator {
  /** Line of the value at `path`; for a missing field, the line of the nearest existing ancestor. */
  line(path: readonly (string | number)[]): number | null;
  /** Line of the key `key` in the mapping at `path`. */
  keyLine(path: readonly (string | number)[], key: string): number | null;
  /** The source text of the value at `path`, as written. */
  source(path: readonly (string | number)[]): string | null;
}

function locator(doc: Document.Parsed, text: string, lc: LineCounter): Locator {
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const child = (node: unknown, seg: string | number): { key: Node | null; value: unknown } | null => {
    const n = resolve(node);
    if (isMap(n)) {
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const k = resolve(pair.key);
        const keyValue = isScalar(k) ? k.value : k;
        if (String(keyValue) === String(seg)) return { key: isScalar(k) ? k : null, value: pair.value };
      }
      return null;
    }
    if (isSeq(n) && typeof seg === 'number') {
      return seg < n.items.length ? { key: null, value: n.items[seg] } : null;
    }
    return null;
  };
  const walk = (path: readonly (string | number)[]): { nodes: unknown[]; keys: (Node | null)[] } => {
    const nodes: unknown[] = [doc.contents];
    const keys: (Node | null)[] = [null];
    let node: unknown = doc.contents;
    for (const seg of path) {
      const next = child(node, seg);
      if (next === null) break;
      node = next.value;
      nodes.push(node);
      keys.push(next.key);
    }
    return { nodes, keys };
  };
  return {
    line(path) {
      const { nodes, keys } = walk(path);
      for (let i = nodes.length - 1; i >= 0; i--) {
        // Prefer the value (a multi-line value's first line); an empty value has no usable range: use its key.
        const line = lineOf(resolve(nodes[i]), lc) ?? lineOf(keys[i], lc);
        if (line !== null) return line;
      }
      return null;
    },
    keyLine(path, key) {
      const { nodes } = walk(path);
      if (nodes.length !== path.length + 1) return null;
      return lineOf(child(nodes[nodes.length - 1], key)?.key, lc);
    },
    source(path) {
      const { nodes } = walk(path);
      if (nodes.length !== path.length + 1) return null;
      const node = nodes[nodes.length - 1];
      if (!isNode(node) || !node.range) return null;
      return text.slice(node.range[0], node.range[1]);
    },
  };
}

function isNode(x: unknown): x is Node {
  return isScalar(x) || isMap(x) || isSeq(x) || isAlias(x);
}

function lineOf(node: unknown, lc: LineCounter): number | null {
  if (!isNode(node) || !node.range) return null;
  // An empty scalar (e.g. `triggers:` with nothing after it) sits at the start of the next line.
  if (isScalar(node) && node.value === null && node.range[0] === node.range[1]) return null;
  return lc.linePos(node.range[0]).line;
}

function unknownKeyProblem(file: string, path: (string | number)[], key: string, locate: Locator): RunbookProblem {
  const known: readonly string[] = path.length === 0 ? MANIFEST_FIELDS : TRIGGER_FIELDS;
  const where = path.length === 0 ? '' : ` in ${formatPath(path)}`;
  const guess = closest(key, known);
  const hint = guess ? `did you mean ${guess}? ` : '';
  return {
    file,
    field: formatPath([...path, key]),
    line: locate.keyLine(path, key) ?? locate.line(path),
    message: `unknown field ${key}${where}; ${hint}the fields are ${known.join(', ')}`,
  };
}

export function formatPath(path: readonly (string | number)[]): string | null {
  if (path.length === 0) return null;
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}


function yamlProblem(e: YAMLError, doc: Document.Parsed, file: string, lc: LineCounter): RunbookProblem {
  let line = e.linePos?.[0].line ?? lc.linePos(e.pos[0]).line;
  const message = e.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '').replace(/\.$/, '');
  let fix: string;
  // An unclosed quote or bracket is reported where the file ends; point at where it was opened.
  const unclosedQuote = e.code === 'MISSING_CHAR' && /quote/.test(message);
  const unclosedFlow = /end with an? [\]}]/.test(message);
  const opened = unclosedQuote || unclosedFlow ? openingLine(doc, e.pos[0], unclosedQuote ? 'quote' : 'flow', lc) : null;
  if (opened !== null) {
    line = opened;
    fix = unclosedQuote ? 'the quote opened on this line is never closed; close it' : 'the bracket opened on this line is never closed; close it';
  } else {
    const fixes: Partial<Record<YAMLError['code'], string>> = {
      TAB_AS_INDENT: 'indent with spaces, not tabs',
      DUPLICATE_KEY: 'remove one of the two entries',
      MULTIPLE_DOCS: 'remove the --- separator: runbook.yaml holds a single document',
      BAD_INDENT: 'check the indentation: the fields of a mapping start in the same column',
      BLOCK_AS_IMPLICIT_KEY: 'check the indentation of this line and the next: the fields of a mapping start in the same column',
      MULTILINE_IMPLICIT_KEY: 'check the indentation of this line and the next: the fields of a mapping start in the same column',
      MISSING_CHAR: 'close the quote or bracket',
    };
    fix = fixes[e.code] ?? 'check indentation and quoting (values containing {, }, : or # must be quoted)';
  }
  return { file, field: null, line, message: `invalid YAML: ${message}; ${fix}` };
}

/** The line where the innermost quoted scalar / flow collection still open at `offset` starts. */
function openingLine(doc: Document.Parsed, offset: number, kind: 'quote' | 'flow', lc: LineCounter): number | null {
  let best: number | null = null;
  visit(doc, (_key, node) => {
    const candidate =
      kind === 'quote' ? isScalar(node) && (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') : (isMap(node) || isSeq(node)) && node.flow === true;
    if (!candidate || !isNode(node) || !node.range) return;
    const [start, valueEnd] = node.range;
    if (start < offset && valueEnd >= offset && (best === null || start > best)) best = start;
  });
  return best === null ? null : lc.linePos(best).line;
}

// ---------------------------------------------------------------------------------------------

/** A value as the user wrote it, for messages: strings single-quoted YAML-style, long ones cut. */
function show(v: unknown): string {
  if (typeof v === 'string') {
    const cut = v.length > 80 ? `${v.slice(0, 77)}...` : v;
    return `'${cut.replace(/'/g, "''")}'`;
  }
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || file;
}

function folderOf(file: string): string | null {
  const parts = file.split(/[\\/]/).filter((p) => p !== '');
  return parts.length >= 2 ? (parts[parts.length - 2] ?? null) : null;
}

function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
