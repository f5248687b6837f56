import { parseDuration, formatDuration } from './duration';
import { DEFAULT_MEMORY_MIB, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './limits';
import type { RunbookProblem } from './manifest';
import { findFieldLine, formatProblem, parseEgressRule, parseManifest } from './parse-manifest';

const FILE = 'disk-cleanup/runbook.yaml';

/** Joins lines so that line numbers in the tests are easy to count. */
const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

const HEADER = ['name: disk-cleanup', 'description: Frees space when a disk is almost full', 'owner: team-storage'];

function problems(text: string): RunbookProblem[] {
  const r = parseManifest(text, FILE);
  if (r.ok) throw new Error(`expected problems, got a manifest: ${JSON.stringify(r.manifest)}`);
  for (const p of r.problems) expect(p.file).toBe(FILE);
  return r.problems;
}

/** The only problem; fails if there is not exactly one. */
function problem(text: string): RunbookProblem {
  const ps = problems(text);
  expect(ps).toHaveLength(1);
  return ps[0] as RunbookProblem;
}

describe('parseManifest: valid manifests', () => {
  it('parses the documented example', () => {
    const r = parseManifest(
      yaml(
        'name: disk-cleanup',
        'description: Frees space when a disk is almost full',
        'owner: team-storage',
        'triggers:',
        `  - match: '{alertname="DiskAlmostFull", severity=~"warning|critical"}'`,
        '    status: firing        # firing | resolved | any (default firing)',
        '    source: alertmanager  # optional',
        'timeout: 30s              # default 30s; max 15m; units ms, s, m',
        'memory: 64                # MiB; default 64; min 8, max 512',
      ),
      FILE,
    );
    expect(r).toEqual({
      ok: true,
      manifest: {
        name: 'disk-cleanup',
        description: 'Frees space when a disk is almost full',
        owner: 'team-storage',
        triggers: [
          {
            match: '{alertname="DiskAlmostFull", severity=~"warning|critical"}',
            matchers: [
              { name: 'alertname', type: '=', value: 'DiskAlmostFull' },
              { name: 'severity', type: '=~', value: 'warning|critical' },
            ],
            status: 'firing',
            source: 'alertmanager',
            forMs: null,
          },
        ],
        timeoutMs: 30_000,
        memoryMiB: 64,
        secrets: [],
        egress: [],
      },
    });
  });

  it('applies the defaults: no triggers, 30s, 64 MiB, status firing, any source', () => {
    const r = parseManifest(yaml(...HEADER), FILE);
    expect(r).toEqual({
      ok: true,
      manifest: expect.objectContaining({ triggers: [], timeoutMs: DEFAULT_TIMEOUT_MS, memoryMiB: DEFAULT_MEMORY_MIB }),
    });
    const t = parseManifest(yaml(...HEADER, 'triggers:', `  - match: '{alertname="A"}'`), FILE);
    if (!t.ok) throw new Error(JSON.stringify(t.problems));
    expect(t.manifest.triggers[0]).toMatchObject({ status: 'firing', source: null, forMs: null });
  });

  it('reads a trigger for: with the duration rules of timeout (0 = at once)', () => {
    for (const [text, ms] of [
      ['2m', 120_000],
      ['2s', 2000],
      ['1.5s', 1500],
      ['500ms', 500],
      ['1440m', 24 * 60 * 60_000],
      ['0s', null],
    ] as const) {
      const r = parseManifest(yaml(...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, `    for: ${text}`), FILE);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      expect([text, r.manifest.triggers[0]?.forMs]).toEqual([text, ms]);
    }
    const any = parseManifest(yaml(...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    status: any', '    for: 1m'), FILE);
    expect(any.ok && any.manifest.triggers[0]?.forMs).toBe(60_000);
  });

  it('accepts every status, the limits, block scalars, CRLF line endings and aliases', () => {
    const r = parseManifest(
      [
        'name: a',
        'description: >',
        '  Long text',
        '  on two lines',
        'owner: me',
        'triggers:',
        `  - &t { match: '{alertname="A"}', status: resolved }`,
        `  - match: '{alertname="B"}'`,
        '    status: any',
        'timeout: 15m',
        'memory: 512',
      ].join('\r\n'),
      'a/runbook.yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.manifest.description).toBe('Long text on two lines');
    expect(r.manifest.triggers.map((t) => t.status)).toEqual(['resolved', 'any']);
    expect(r.manifest.timeoutMs).toBe(MAX_TIMEOUT_MS);
    expect(r.manifest.memoryMiB).toBe(512);
  });

  it('accepts durations in ms, s and m', () => {
    for (const [text, ms] of [
      ['500ms', 500],
      ['2m', 120_000],
      ['1.5s', 1500],
      ['100ms', 100],
    ] as const) {
      const r = parseManifest(yaml(...HEADER, `timeout: ${text}`), FILE);
      expect(r.ok && r.manifest.timeoutMs).toBe(ms);
    }
  });
});

describe('parseManifest: one problem, exact field, line and fix', () => {
  it.each<[string, string[], string | null, number | null, string]>([
    // --- timeout
    ['timeout in words', [...HEADER, "timeout: '30 seconds'"], 'timeout', 4, "timeout: '30 seconds' is not a duration; write e.g. 30s, 500ms or 2m"],
    ['timeout without unit', [...HEADER, 'timeout: 30'], 'timeout', 4, 'timeout: 30 has no unit; write 30s (seconds), 30ms or 30m'],
    ['timeout in hours', [...HEADER, 'timeout: 1h'], 'timeout', 4, "timeout: '1h' is not a duration; write e.g. 30s, 500ms or 2m"],
    ['compound timeout', [...HEADER, 'timeout: 1m30s'], 'timeout', 4, "timeout: '1m30s' is not a duration"],
    ['timeout with a space', [...HEADER, 'timeout: 30 s'], 'timeout', 4, "timeout: '30 s' is not a duration"],
    ['timeout above the maximum', [...HEADER, 'timeout: 16m'], 'timeout', 4, 'timeout: 16m is longer than the maximum 15m; write at most timeout: 15m'],
    ['timeout below the minimum', [...HEADER, 'timeout: 5ms'], 'timeout', 4, 'timeout: 5ms is shorter than the minimum 100ms'],
    ['empty timeout', [...HEADER, 'timeout:'], 'timeout', 4, 'timeout is empty; write e.g. timeout: 30s, or remove the line for the default 30s'],
    ['fractional milliseconds', [...HEADER, 'timeout: 0.5ms'], 'timeout', 4, "timeout: '0.5ms' is not a duration"],
    // --- memory
    ['memory with a unit', [...HEADER, 'memory: 64Mi'], 'memory', 4, "memory: '64Mi' must be a whole number of MiB without a unit, e.g. memory: 64"],
    ['memory quoted', [...HEADER, "memory: '64'"], 'memory', 4, "memory: '64' is quoted text; write the number without quotes: memory: 64"],
    ['memory fractional', [...HEADER, 'memory: 64.5'], 'memory', 4, 'memory: 64.5 must be a whole number of MiB, e.g. memory: 64'],
    ['memory too small', [...HEADER, 'memory: 4'], 'memory', 4, 'memory: 4 is less than the minimum 8 (MiB); write at least memory: 8'],
    ['memory too large', [...HEADER, 'memory: 1024'], 'memory', 4, 'memory: 1024 is more than the maximum 512 (MiB); write at most memory: 512'],
    ['memory infinite', [...HEADER, 'memory: .inf'], 'memory', 4, 'must be a whole number of MiB'],
    // --- name / description / owner
    ['name missing', ['description: d', 'owner: o'], 'name', 1, 'name is missing; write e.g. name: disk-cleanup (the folder name)'],
    ['name with capitals and underscore', ['name: Disk_Cleanup', 'description: d', 'owner: o'], 'name', 1, "name: 'Disk_Cleanup' is not a valid runbook name; use 1 to 63 lowercase letters, digits and dashes"],
    ['name starting with a dash', ['description: d', 'owner: o', 'name: -x'], 'name', 3, "name: '-x' is not a valid runbook name"],
    ['name too long', [`name: ${'a'.repeat(64)}`, 'description: d', 'owner: o'], 'name', 1, 'is not a valid runbook name'],
    ['name read as a number', ['name: 123', 'description: d', 'owner: o'], 'name', 1, "name: 123 is read as a number, not text; quote it: name: '123'"],
    ['description missing', ['name: disk-cleanup', 'owner: o'], 'description', 1, 'description is missing; say in one line what the runbook does'],
    ['description blank', ['name: disk-cleanup', "description: '  '", 'owner: o'], 'description', 2, 'description is empty; say in one line what the runbook does'],
    ['owner empty', ['name: disk-cleanup', 'description: d', 'owner:'], 'owner', 3, 'owner is empty; name the team or person responsible, e.g. owner: team-storage'],
    ['owner is a list', ['name: disk-cleanup', 'description: d', 'owner:', '  - a', '  - b'], 'owner', 4, 'owner: a list must be text'],
    // --- unknown keys
    ['typo trigers', [...HEADER, 'trigers:', `  - match: '{alertname="A"}'`], 'trigers', 4, 'unknown field trigers; did you mean triggers? the fields are name, description, owner, triggers, timeout, memory'],
    ['unrelated unknown key', [...HEADER, 'schedule: daily'], 'schedule', 4, 'unknown field schedule; the fields are name'],
    ['typo in a trigger', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    staus: resolved'], 'triggers[0].staus', 6, 'unknown field staus in triggers[0]; did you mean status? the fields are match, status, source'],
    ['timeoutMs instead of timeout', [...HEADER, 'timeoutMs: 3000'], 'timeoutMs', 4, 'did you mean timeout?'],
    // --- triggers
    ['triggers empty', [...HEADER, 'triggers:'], 'triggers', 4, 'triggers is empty; list at least one trigger'],
    ['triggers is a mapping', [...HEADER, 'triggers:', `  match: '{alertname="A"}'`], 'triggers', 5, 'triggers: a mapping must be a list; write each trigger on its own line starting with a dash'],
    ['trigger is a bare string', [...HEADER, 'triggers:', `  - '{alertname="A"}'`], 'triggers[0]', 5, `trigger '{alertname="A"}' must be a mapping with a match field; write - match: '{alertname="A"}'`],
    ['trigger without match', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '  - status: resolved'], 'triggers[1].match', 6, 'this trigger has no match; add e.g. match:'],
    ['match empty', [...HEADER, 'triggers:', '  - match:'], 'triggers[0].match', 5, 'match is empty; write at least one matcher'],
    ['match not quoted (YAML mapping)', [...HEADER, 'triggers:', '  - match: {alertname="A"}'], 'triggers[0].match', 5, `match: {alertname="A"} is read by YAML as a mapping because it is not quoted; wrap it in single quotes: match: '{alertname="A"}'`],
    ['match is a number', [...HEADER, 'triggers:', '  - match: 42'], 'triggers[0].match', 5, 'match: 42 must be a quoted matcher string'],
    ['match with no matchers', [...HEADER, 'triggers:', "  - match: '{}'"], 'triggers[0].match', 5, "match: '{}' has no matchers and would match every alert; write at least one matcher, e.g. match: '{alertname=\"DiskAlmostFull\"}'"],
    ['match of only spaces', [...HEADER, 'triggers:', "  - match: '  '"], 'triggers[0].match', 5, 'has no matchers and would match every alert'],
    ['status invalid', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    status: fired'], 'triggers[0].status', 6, "status: 'fired' must be firing, resolved or any (default firing)"],
    ['source empty', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, "    source: ''"], 'triggers[0].source', 6, 'source is empty; write e.g. source: alertmanager, or remove the line'],
    ['source null', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    source:'], 'triggers[0].source', 6, 'source is empty'],
    ['source is a list', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    source: [a, b]'], 'triggers[0].source', 6, 'source: a list must be the name of an event source'],
    ['for without unit', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    for: 30'], 'triggers[0].for', 6, 'for: 30 has no unit; write 30s (seconds), 30ms or 30m'],
    ['for in hours', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    for: 1h'], 'triggers[0].for', 6, "for: '1h' is not a duration; write e.g. 30s, 2m or 500ms"],
    ['compound for', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    for: 1m30s'], 'triggers[0].for', 6, "for: '1m30s' is not a duration"],
    ['for above the maximum', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    for: 1441m'], 'triggers[0].for', 6, 'for: 1441m is longer than the maximum 1440m; write at most for: 1440m'],
    ['for empty', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    for:'], 'triggers[0].for', 6, 'for is empty; write e.g. for: 2m, or remove the line'],
    ['for on a resolved trigger', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    status: resolved', '    for: 2m'], 'triggers[0].for', 7, 'for: only applies while an alert is firing'],
    ['typo fro', [...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, '    fro: 2m'], 'triggers[0].fro', 6, 'unknown field fro in triggers[0]; did you mean for? the fields are match, status, source, for'],
    ['third trigger broken', [...HEADER, 'triggers:', `  - match: '{a="1"}'`, `  - match: '{b="2"}'`, '    status: any', `  - match: '{c="3"}'`, '    status: sometimes'], 'triggers[2].status', 9, "status: 'sometimes'"],
    // --- the document as a whole
    ['root is a list', ['- name: disk-cleanup'], null, 1, 'runbook.yaml is a list; it must be a mapping of fields'],
    ['root is a string', ['just some text'], null, 1, 'runbook.yaml is a single value; it must be a mapping'],
  ])('%s', (_title, lines, field, line, message) => {
    const p = problem(yaml(...lines));
    expect({ field: p.field, line: p.line }).toEqual({ field, line });
    expect(p.message).toContain(message);
  });

  it('reports an empty file', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      expect(problem(text)).toEqual({ file: FILE, field: null, line: null, message: 'runbook.yaml is empty; it needs at least name, description and owner' });
    }
  });

  it('reports the line of the field even after comments, blank lines and a document marker', () => {
    const p = problem(yaml('# Runbook manifest', '', '---', ...HEADER, '', '# limits', 'memory: 9000'));
    expect([p.field, p.line]).toEqual(['memory', 9]);
  });

  it('reports the line of a nested match in a flow sequence', () => {
    const p = problem(yaml(...HEADER, 'triggers: [', `  { match: '{a="1"}' },`, `  { match: '{}' }`, ']'));
    expect([p.field, p.line]).toEqual(['triggers[1].match', 6]);
  });

  it.each<[string, string, string]>([
    ['doubled operator', '{alertname=="B"}', '{alertname='],
    ['unclosed brace', '{alertname="B"', '{alertname="B"'],
    ['invalid regex', '{severity=~"warning|(critical"}', '{severity=~"warning|'],
    ['unclosed quote', '{alertname="B}', '{alertname='],
    ['missing operator', '{alertname}', '{alertname'],
  ])('reports a matcher syntax error (%s) with the position', (_title, match, before) => {
    const text = yaml(...HEADER, 'triggers:', `  - match: '{alertname="A"}'`, `  - match: '${match}'`);
    const p = problem(text);
    expect([p.field, p.line]).toEqual(['triggers[1].match', 6]);
    expect(p.message.startsWith(`match: '${match}' is not a valid matcher: `)).toBe(true);
    expect(p.message).toMatch(/; write matchers like \{alertname="DiskAlmostFull", severity=~"warning\|critical"\}$/);
    // The position is in the message, and the quoted rest of the matcher starts there.
    const position = Number(/position (\d+)/.exec(p.message)?.[1]);
    expect(position).toBeGreaterThanOrEqual(before.length - 2);
    expect(position).toBeLessThanOrEqual(match.length);
    const rest = position >= match.length ? '' : ` (at '${match.slice(position, position + 20)}')`;
    expect(p.message).toContain(rest);
  });

  it('reports every broken trigger, not only the first', () => {
    const ps = problems(yaml(...HEADER, 'triggers:', `  - match: '{a=}'`, `  - match: '{b="1"}'`, `  - match: '{c=~"("}'`));
    expect(ps.map((p) => [p.field, p.line])).toEqual([
      ['triggers[0].match', 5],
      ['triggers[2].match', 7],
    ]);
  });
});

describe('parseManifest: YAML syntax errors carry the line', () => {
  it.each<[string, string[], number, string]>([
    ['tab indentation', [...HEADER, 'triggers:', `\t- match: '{a="1"}'`], 5, 'invalid YAML'],
    ['unclosed quote', [...HEADER, "timeout: '30s"], 4, 'the quote opened on this line is never closed'],
    ['unclosed double quote', [...HEADER.slice(0, 1), 'description: "abc', 'owner: o'], 2, 'the quote opened on this line is never closed'],
    ['unclosed flow sequence', [...HEADER, 'triggers: [', `  { match: '{a="1"}' }`], 4, 'the bracket opened on this line is never closed'],
    ['duplicate key', [...HEADER, 'timeout: 30s', 'memory: 64', 'timeout: 45s'], 6, 'remove one of the two entries'],
    ['bad indentation', ['name: disk-cleanup', '  description: d', 'owner: o'], 1, 'check the indentation of this line and the next'],
    ['two documents', [...HEADER, '---', 'name: other'], 4, 'runbook.yaml holds a single document'],
    ['unclosed unquoted matcher', [...HEADER, 'triggers:', '  - match: {alertname: "A"', 'memory: 64'], 5, 'the bracket opened on this line is never closed'],
  ])('%s', (_title, lines, line, message) => {
    const ps = problems(yaml(...lines));
    expect(ps.length).toBeGreaterThanOrEqual(1);
    const first = ps[0] as RunbookProblem;
    expect(first.field).toBeNull();
    expect(first.line).toBe(line);
    expect(first.message).toContain(message);
    expect(first.message).not.toContain('\n'); // no code frame: the line number is in `line`
  });
});

describe('parseManifest: several problems at once', () => {
  it('reports every problem, sorted by line', () => {
    const ps = problems(
      yaml(
        'name: Disk Cleanup', // 1
        'owner: team-storage', // 2
        'trigers:', // 3
        `  - match: '{a="1"}'`, // 4
        'triggers:', // 5
        `  - match: '{}'`, // 6
        '    status: sometimes', // 7
        'timeout: 90', // 8
        'memory: 2048', // 9
      ),
    );
    expect(ps.map((p) => [p.line, p.field])).toEqual([
      [1, 'description'], // missing: the line of the mapping that should hold it
      [1, 'name'],
      [3, 'trigers'],
      [6, 'triggers[0].match'],
      [7, 'triggers[0].status'],
      [8, 'timeout'],
      [9, 'memory'],
    ]);
  });
});

describe('formatProblem / findFieldLine', () => {
  it('formats file:line message', () => {
    const p = problem(yaml(...HEADER, "timeout: '30 seconds'"));
    expect(formatProblem(p)).toBe("disk-cleanup/runbook.yaml:4 timeout: '30 seconds' is not a duration; write e.g. 30s, 500ms or 2m");
    expect(formatProblem({ file: 'x/runbook.yaml', field: null, line: null, message: 'm' })).toBe('x/runbook.yaml m');
  });

  it('finds field lines', () => {
    const text = yaml(...HEADER, 'triggers:', `  - match: '{a="1"}'`, '    status: any');
    expect(findFieldLine(text, ['owner'])).toBe(3);
    expect(findFieldLine(text, ['triggers', 0, 'status'])).toBe(6);
    expect(findFieldLine(text, ['triggers', 0, 'source'])).toBe(5); // missing: the trigger's line
  });
});

describe('parseDuration', () => {
  it.each<[string, number | null]>([
    ['30s', 30_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['0s', 0],
    ['1.5m', 90_000],
    ['1.1s', 1100],
    ['15m', 900_000],
    ['0.5ms', null],
    ['30', null],
    ['30 s', null],
    [' 30s', null],
    ['30S', null],
    ['1h', null],
    ['1m30s', null],
    ['-1s', null],
    ['s', null],
    ['', null],
    ['1e3ms', null],
  ])('%j → %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('formats durations back', () => {
    expect([formatDuration(30_000), formatDuration(900_000), formatDuration(1500), formatDuration(90_000)]).toEqual(['30s', '15m', '1500ms', '90s']);
  });
});

describe('parseManifest: secrets and egress', () => {
  it('reads the declared secrets and the egress allowlist', () => {
    const r = parseManifest(
      yaml(...HEADER, 'secrets: [SLACK_TOKEN, pager_key]', 'egress:', "  - api.example.com", "  - '*.internal.example.com'", '  - https://hooks.slack.com', '  - 10.1.2.3', "  - '[fd00::1]:8080'"),
      FILE,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.manifest.secrets).toEqual(['SLACK_TOKEN', 'pager_key']);
    expect(r.manifest.egress).toEqual([
      { text: 'api.example.com', scheme: null, host: 'api.example.com', wildcard: false, port: null },
      { text: '*.internal.example.com', scheme: null, host: 'internal.example.com', wildcard: true, port: null },
      { text: 'https://hooks.slack.com', scheme: 'https', host: 'hooks.slack.com', wildcard: false, port: null },
      { text: '10.1.2.3', scheme: null, host: '10.1.2.3', wildcard: false, port: null },
      { text: '[fd00::1]:8080', scheme: null, host: 'fd00::1', wildcard: false, port: 8080 },
    ]);
  });

  it('canonicalizes hosts the way URLs are read (case, IPv4 spellings, explicit default ports)', () => {
    expect(parseEgressRule('API.Example.COM')).toMatchObject({ host: 'api.example.com' });
    expect(parseEgressRule('0x7f.1')).toMatchObject({ host: '127.0.0.1' });
    expect(parseEgressRule('2130706433')).toMatchObject({ host: '127.0.0.1' });
    expect(parseEgressRule('https://api.example.com:443')).toMatchObject({ scheme: 'https', port: 443 });
    expect(parseEgressRule('::ffff:127.0.0.1')).toMatchObject({ host: '::ffff:7f00:1' });
    expect(parseEgressRule('api.example.com:8443')).toMatchObject({ scheme: null, port: 8443 });
  });

  it.each([
    ['ftp://files.example.com', /scheme ftp/],
    ['https://api.example.com/v1', /without a path/],
    ['user:pw@api.example.com', /without a path, query or credentials/],
    ['*.com', /too wide/],
    ['api.*.example.com', /whole first label/],
    ['*.10.1.2.3', /wildcard on an IP/],
    ['bad_host!.example.com', /not a valid host/],
    ['api.example.com:0', /not a valid host|outside/],
    ['', /is empty/],
  ])('refuses %j', (text, message) => {
    const r = parseEgressRule(text);
    expect(typeof r).toBe('string');
    expect(r).toMatch(message);
  });

  it('names the line of a bad entry, and of a bad or repeated secret', () => {
    expect(problem(yaml(...HEADER, 'egress:', '  - api.example.com', '  - ftp://x.example.com'))).toMatchObject({ field: 'egress[1]', line: 6 });
    expect(problem(yaml(...HEADER, 'secrets: [OK, 9bad]'))).toMatchObject({ field: 'secrets[1]', line: 4, message: expect.stringMatching(/not a valid secret name/) });
    expect(problem(yaml(...HEADER, 'secrets:', '  - A', '  - A'))).toMatchObject({ field: 'secrets[1]', message: expect.stringMatching(/listed twice/) });
    expect(problem(yaml(...HEADER, 'secrets: SLACK_TOKEN'))).toMatchObject({ field: 'secrets', message: expect.stringMatching(/must be a list/) });
  });
});
