import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has embedded defaults that need no external service', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, defaultEnv: 'prod', envs: ['dev', 'test', 'prod'], maxBodyBytes: 1024 * 1024, leaseMs: 30_000 });
    expect(c.dataDir.endsWith('.wolfe')).toBe(true);
    expect(c).toMatchObject({ configFile: null, sources: {}, sqs: null, heartbeats: [], flapping: { transitions: 6, windowMs: 600_000 } });
  });

  it('parses lists and sizes', () => {
    const c = loadConfig({ WOLFE_ENVS: 'test, prod', WOLFE_ENV: 'test', WOLFE_MAX_BODY: '256kb', PORT: '0' });
    expect(c).toMatchObject({ envs: ['test', 'prod'], defaultEnv: 'test', maxBodyBytes: 256 * 1024, port: 0 });
  });

  it('names the variable, the value and the fix', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ WOLFE_ENV: 'staging' })).toThrow(/WOLFE_ENV="staging"/);
    expect(() => loadConfig({ WOLFE_MAX_BODY: 'huge' })).toThrow(/write a size such as 1mb/);
    expect(() => loadConfig({ WOLFE_ENVS: 'dev', WOLFE_ENV: 'prod' })).toThrow(ConfigError);
  });

  it('reads the execution lease (WOLFE_LEASE_MS) and rejects a useless one', () => {
    expect(loadConfig({ WOLFE_LEASE_MS: '1500' }).leaseMs).toBe(1500);
    expect(() => loadConfig({ WOLFE_LEASE_MS: '10' })).toThrow(/WOLFE_LEASE_MS="10"/);
    expect(() => loadConfig({ WOLFE_LEASE_MS: 'soon' })).toThrow(/WOLFE_LEASE_MS="soon"/);
    expect(() => loadConfig({ WOLFE_LEASE_MS: '2.5' })).toThrow(ConfigError);
  });
});

const GRAFANA = 'grafana-secret-0123456789';
const PD = 'pagerduty-secret-0123456789';
const PD_OLD = 'pagerduty-old-secret-0123456789';
const DD = 'datadog-secret-0123456789';
const SECRETS = { GRAFANA_WEBHOOK_SECRET: GRAFANA, PD_SECRET: PD, PD_SECRET_OLD: PD_OLD, DD_SECRET: DD };

const FULL = `
sources:
  grafana:   { secret: \${GRAFANA_WEBHOOK_SECRET} }
  pagerduty: { secrets: [\${PD_SECRET}, \${PD_SECRET_OLD}] }   # two during a rotation
  datadog:   { header: X-Wolfe-Secret, secret: \${DD_SECRET} } # \${NOT_SET} in a comment is ignored
sqs:
  region: eu-west-1
  endpoint: http://127.0.0.1:9324
  queues:
    - url: https://sqs.eu-west-1.amazonaws.com/123/alarms
      source: cloudwatch
      env: test
      batchSize: 5
      waitTimeSeconds: 10
      visibilityTimeout: 120
    - url: https://sqs.eu-west-1.amazonaws.com/123/mixed
heartbeats:
  - name: alertmanager-watchdog
    match: '{alertname="Watchdog"}'
    source: alertmanager
    interval: 5m
    env: prod
  - name: grafana-heartbeat
    match: 'alertname=DatasourceNoData, team=~"sre|ops"'
    interval: 1h
routing:
  flapping: { transitions: 4, window: 90s }
`;

/** loadConfig with WOLFE_CONFIG pointing at an in-memory file. */
function load(yaml: string, env: Record<string, string> = SECRETS) {
  return loadConfig({ WOLFE_CONFIG: '/etc/wolfe/wolfe.yaml', ...env }, { readFile: () => yaml });
}

/** The ConfigError message (fails the test if none is thrown). */
function errorOf(yaml: string, env: Record<string, string> = SECRETS): string {
  try {
    load(yaml, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig with a WOLFE_CONFIG file', () => {
  it('reads every section, resolves ${ENV} secrets and applies defaults', () => {
    const c = load(FULL);
    expect(c.configFile).toBe('/etc/wolfe/wolfe.yaml');
    expect(c.sources).toEqual({
      grafana: { secret: GRAFANA, maxSkewMs: 300_000, header: 'X-Grafana-Alerting-Signature', timestampHeader: 'X-Grafana-Alerting-Timestamp' },
      pagerduty: { secrets: [PD, PD_OLD] },
      datadog: { header: 'X-Wolfe-Secret', secret: DD },
    });
    expect(c.sqs).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9324',
      queues: [
        { url: 'https://sqs.eu-west-1.amazonaws.com/123/alarms', source: 'cloudwatch', env: 'test', batchSize: 5, waitTimeSeconds: 10, visibilityTimeout: 120 },
        { url: 'https://sqs.eu-west-1.amazonaws.com/123/mixed', source: 'auto', env: 'prod', batchSize: 10, waitTimeSeconds: 20, visibilityTimeout: 60 },
      ],
    });
    expect(c.heartbeats).toEqual([
      {
        name: 'alertmanager-watchdog',
        match: '{alertname="Watchdog"}',
        matchers: [{ name: 'alertname', type: '=', value: 'Watchdog' }],
        source: 'alertmanager',
        intervalMs: 300_000,
        env: 'prod',
      },
      {
        name: 'grafana-heartbeat',
        match: 'alertname=DatasourceNoData, team=~"sre|ops"',
        matchers: [
          { name: 'alertname', type: '=', value: 'DatasourceNoData' },
          { name: 'team', type: '=~', value: 'sre|ops' },
        ],
        source: null,
        intervalMs: 3_600_000,
        env: null,
      },
    ]);
    expect(c.flapping).toEqual({ transitions: 4, windowMs: 90_000 });
  });

  it('takes the queue env default from WOLFE_ENV and the flapping defaults when routing is absent', () => {
    const c = load('sqs:\n  region: us-east-1\n  queues:\n    - url: https://sqs.us-east-1.amazonaws.com/1/q\n', { WOLFE_ENV: 'dev' });
    expect(c.sqs?.queues[0]?.env).toBe('dev');
    expect(c.sqs?.endpoint).toBeNull();
    expect(c.flapping).toEqual({ transitions: 6, windowMs: 600_000 });
    expect(load('routing: { flapping: { transitions: 3 } }').flapping).toEqual({ transitions: 3, windowMs: 600_000 });
  });

  it('accepts an empty file and a single PagerDuty secret; keeps literal text and $${ escapes', () => {
    expect(load('')).toMatchObject({ sources: {}, sqs: null, heartbeats: [] });
    expect(load('sources:\n  pagerduty:\n    secret: "${PD_SECRET}"\n').sources.pagerduty).toEqual({ secrets: [PD] });
    expect(load('sources:\n  datadog: { header: X-Token, secret: "lit-$${X}-${DD_SECRET}" }\n').sources.datadog?.secret).toBe(`lit-\${X}-${DD}`);
  });

  it('names the file, the setting path with its line, and the fix', () => {
    const yaml = 'sqs:\n  region: eu-west-1\n  queues:\n    - url: not a url\n      batchSize: 11\n';
    const msg = errorOf(yaml);
    expect(msg).toContain('invalid configuration in /etc/wolfe/wolfe.yaml (WOLFE_CONFIG)');
    expect(msg).toMatch(/sqs\.queues\[0\]\.url \(line 4\): expected the queue URL as SQS shows it, e\.g\. https:\/\/sqs\./);
    expect(msg).toMatch(/sqs\.queues\[0\]\.batchSize \(line 5\): must be at most 10/);
  });

  it('reports unknown keys with the known ones (typos do not pass silently)', () => {
    expect(errorOf('sqs:\n  region: eu-west-1\n  queus: []\n')).toMatch(/sqs\.queus \(line 3\): unknown setting: known keys here: region, endpoint, queues/);
    expect(errorOf('sqs:\n  region: eu-west-1\n')).toMatch(/sqs\.queues.*missing/);
    expect(errorOf('sources:\n  alertmanager: { secret: x }\n')).toMatch(/sources\.alertmanager .*Alertmanager does not sign webhooks/);
    expect(errorOf('heartbeat: []\n')).toMatch(/heartbeat .*known keys here: sources, sqs, heartbeats, routing/);
  });

  it('names a missing or empty environment variable, and never prints secret values', () => {
    const missing = errorOf(FULL, { ...SECRETS, PD_SECRET_OLD: '' });
    expect(missing).toMatch(/sources\.pagerduty\.secrets\[1\] \(line 4\): environment variable PD_SECRET_OLD is empty/);
    const unset = errorOf(FULL, { GRAFANA_WEBHOOK_SECRET: GRAFANA, PD_SECRET: PD, PD_SECRET_OLD: PD_OLD });
    expect(unset).toMatch(/sources\.datadog\.secret \(line 5\): environment variable DD_SECRET is not set \(referenced as \$\{DD_SECRET\}\)/);
    const short = errorOf(FULL, { ...SECRETS, DD_SECRET: 'short-secret' });
    expect(short).toMatch(/sources\.datadog\.secret \(line 5\): the secret is too short/);
    for (const m of [missing, unset, short]) {
      for (const v of [...Object.values(SECRETS), 'short-secret']) expect(m).not.toContain(v);
    }
  });

  it('reports every problem at once: a missing variable and a wrong value elsewhere', () => {
    const msg = errorOf('sources:\n  grafana: { secret: ${NOPE} }\nsqs:\n  region: eu-west-1\n  queues: [{ url: "https://sqs.eu-west-1.amazonaws.com/1/q", batchSize: 20 }]\n');
    expect(msg.split('\n').slice(1)).toEqual([
      '  sources.grafana.secret (line 2): environment variable NOPE is not set (referenced as ${NOPE}): set it, or remove the reference',
      '  sqs.queues[0].batchSize (line 5): must be at most 10 (messages per receive; SQS allows at most 10)',
    ]);
  });

  it('keeps secrets out of YAML syntax errors too', () => {
    const msg = errorOf('sources:\n  datadog: { header: X-T, secret: "literal-secret-0123456789 }\n');
    expect(msg).toMatch(/line \d+: YAML syntax error/);
    expect(msg).not.toContain('literal-secret-0123456789');
  });

  it('validates matchers with their position, durations, envs and uniqueness', () => {
    expect(errorOf("heartbeats:\n  - name: w\n    match: 'alertname='\n    interval: 5m\n")).toMatch(
      /heartbeats\[0\]\.match \(line 3\): expected a label value after "alertname=" at position 10/,
    );
    expect(errorOf("heartbeats:\n  - { name: w, match: 'a=b', interval: 5 minutes }\n")).toMatch(/heartbeats\[0\]\.interval .*"5 minutes" is not a duration: write a duration such as 30s, 5m or 1h/);
    expect(errorOf("heartbeats:\n  - { name: w, match: 'a=b', interval: 5m, source: nagios }\n")).toMatch(/heartbeats\[0\]\.source .*expected one of alertmanager, grafana/);
    expect(errorOf("heartbeats:\n  - { name: w, match: 'a=b', interval: 5m }\n  - { name: w, match: 'a=c', interval: 5m }\n")).toMatch(/heartbeats\[1\]\.name .*already the name of heartbeats\[0\]/);
    expect(errorOf("heartbeats:\n  - { name: w, match: '{}', interval: 5m }\n")).toMatch(/matches every alert/);
    const env = { ...SECRETS, WOLFE_ENVS: 'prod' };
    expect(errorOf("heartbeats:\n  - { name: w, match: 'a=b', interval: 5m, env: dev }\n", env)).toMatch(/heartbeats\[0\]\.env .*dev is not served: this deployment serves prod/);
    expect(errorOf('routing: { flapping: { transitions: 1 } }\n')).toMatch(/routing\.flapping\.transitions .*must be at least 2/);
  });

  it('checks SQS settings against what SQS allows', () => {
    const q = (extra: string) => `sqs:\n  region: eu-west-1\n  queues:\n    - url: https://sqs.eu-west-1.amazonaws.com/1/q\n      ${extra}\n`;
    expect(errorOf(q('waitTimeSeconds: 21'))).toMatch(/waitTimeSeconds \(line 5\): must be at most 20 \(long polling/);
    expect(errorOf(q('visibilityTimeout: 0'))).toMatch(/visibilityTimeout .*must be at least 1/);
    expect(errorOf(q('source: pagerduty'))).toMatch(/source .*expected one of cloudwatch, alertmanager, grafana, generic, cloudevents, auto/);
    expect(errorOf('sqs: { region: "EU (Ireland)", queues: [{ url: "https://sqs.eu-west-1.amazonaws.com/1/q" }] }')).toMatch(/sqs\.region .*not a display name/);
    expect(errorOf('sqs: { region: eu-west-1, queues: [{ url: "https://sqs.eu-west-1.amazonaws.com/1/q" }, { url: "https://sqs.eu-west-1.amazonaws.com/1/q" }] }')).toMatch(
      /sqs\.queues\[1\]\.url .*the same queue as sqs\.queues\[0\]/,
    );
  });

  it('says when the file cannot be read', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    expect(() =>
      loadConfig(
        { WOLFE_CONFIG: '/nowhere/wolfe.yaml' },
        {
          readFile: () => {
            throw enoent;
          },
        },
      ),
    ).toThrow(/WOLFE_CONFIG="\/nowhere\/wolfe\.yaml": cannot read it \(the file does not exist\): create the file or unset WOLFE_CONFIG/);
  });

  it('rejects a PagerDuty section with both or neither of secret and secrets', () => {
    expect(errorOf('sources:\n  pagerduty: {}\n')).toMatch(/sources\.pagerduty .*write either secrets/);
    expect(errorOf('sources:\n  pagerduty: { secret: ${PD_SECRET}, secrets: [${PD_SECRET}] }\n')).toMatch(/write either secrets/);
  });
});

const TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';
const HOOK = 'payments-webhook-secret-0123456789';
const PROJECT_SECRETS = { PAYMENTS_GIT_TOKEN: TOKEN, PAYMENTS_WEBHOOK_SECRET: HOOK };

describe('loadConfig: projects', () => {
  const PROJECTS = `
projects:
  - name: payments
    remote: { url: https://github.com/acme/payments-runbooks.git, token: \${PAYMENTS_GIT_TOKEN} }
    pollInterval: 30s
    allowSkipTest: false
    replayEvents: 5
    webhookSecret: \${PAYMENTS_WEBHOOK_SECRET}
  - name: search
    remote: { url: "git@github.com:acme/search-runbooks.git", sshKeyFile: /etc/wolfe/search_key, knownHostsFile: /etc/wolfe/known_hosts }
  - name: scratch
    allowSkipTest: true
    replayEvents: 0
  - name: default
    allowSkipTest: true
`;

  it('reads projects with their remote, settings and defaults; secrets from ${ENV}', () => {
    const c = load(PROJECTS, PROJECT_SECRETS);
    expect(c.projects).toEqual([
      {
        name: 'payments',
        remote: { url: 'https://github.com/acme/payments-runbooks.git', token: TOKEN, username: null, sshKeyFile: null, knownHostsFile: null },
        pollIntervalMs: 30_000,
        allowSkipTest: false,
        replayEvents: 5,
        webhookSecret: HOOK,
      },
      {
        name: 'search',
        remote: { url: 'git@github.com:acme/search-runbooks.git', token: null, username: null, sshKeyFile: '/etc/wolfe/search_key', knownHostsFile: '/etc/wolfe/known_hosts' },
        pollIntervalMs: 30_000,
        allowSkipTest: false,
        replayEvents: 5,
        webhookSecret: null,
      },
      { name: 'scratch', remote: null, pollIntervalMs: 30_000, allowSkipTest: true, replayEvents: 0, webhookSecret: null },
      { name: 'default', remote: null, pollIntervalMs: 30_000, allowSkipTest: true, replayEvents: 5, webhookSecret: null },
    ]);
    expect(loadConfig({}).projects).toEqual([]);
  });

  it('refuses bad names, duplicates, credentials in URLs, a remote for default, and never prints the token', () => {
    const p = (body: string) => `projects:\n  - ${body}\n`;
    expect(errorOf(p('name: Payments'), PROJECT_SECRETS)).toMatch(/projects\[0\]\.name \(line 2\): expected 1 to 63 lowercase letters/);
    expect(errorOf('projects:\n  - name: a\n  - name: a\n', PROJECT_SECRETS)).toMatch(/projects\[1\]\.name \(line 3\): "a" is already the name of projects\[0\]/);
    const inUrl = errorOf(p(`name: p\n    remote: { url: "https://x-access-token:${TOKEN}@github.com/acme/p.git" }`), PROJECT_SECRETS);
    expect(inUrl).toMatch(/projects\[0\]\.remote\.url .*contains a password or token/);
    expect(errorOf(p('name: default\n    remote: { url: https://github.com/acme/d.git }'), PROJECT_SECRETS)).toMatch(/projects\[0\]\.remote .*the default project is the embedded repository/);
    expect(errorOf(p('name: p\n    remote: { url: https://github.com/acme/p.git, token: ${PAYMENTS_GIT_TOKEN}, sshKeyFile: /k }'), PROJECT_SECRETS)).toMatch(/either token \(https\) or sshKeyFile/);
    expect(errorOf(p('name: p\n    remote: { url: https://github.com/acme/p.git, sshKeyFile: relative/key }'), PROJECT_SECRETS)).toMatch(/sshKeyFile .*absolute path/);
    expect(errorOf(p('name: p\n    webhookSecret: ${PAYMENTS_WEBHOOK_SECRET}'), PROJECT_SECRETS)).toMatch(/webhookSecret .*this project has none/);
    expect(errorOf(p('name: p\n    remote: { url: https://github.com/acme/p.git }\n    pollInterval: 5 minutes'), PROJECT_SECRETS)).toMatch(/pollInterval .*not a duration/);
    expect(errorOf(p('name: p\n    replayEvents: 99'), PROJECT_SECRETS)).toMatch(/replayEvents .*at most 50/);
    expect(errorOf(p('name: p\n    remote: { url: https://github.com/acme/p.git, tokn: x }'), PROJECT_SECRETS)).toMatch(/remote\.tokn .*known keys here: url, token, username, sshKeyFile, knownHostsFile/);
    const unset = errorOf(p('name: p\n    remote: { url: https://github.com/acme/p.git, token: ${NOPE_TOKEN} }'), PROJECT_SECRETS);
    expect(unset).toMatch(/projects\[0\]\.remote\.token \(line 3\): environment variable NOPE_TOKEN is not set/);
    const spaced = errorOf(p('name: p\n    remote: { url: https://github.com/acme/p.git, token: ${PAYMENTS_GIT_TOKEN} }'), { PAYMENTS_GIT_TOKEN: 'has a space-0123456789' });
    expect(spaced).toMatch(/the token contains spaces/);
    for (const m of [inUrl, unset, spaced]) {
      expect(m).not.toContain(TOKEN);
      expect(m).not.toContain('has a space-0123456789');
    }
  });
});

describe('docs/examples/wolfe.yaml', () => {
  it('is a valid configuration', () => {
    const c = loadConfig({ WOLFE_CONFIG: resolve(__dirname, '../../../docs/examples/wolfe.yaml'), ...SECRETS, ...PROJECT_SECRETS });
    expect(c.projects.map((p) => p.name)).toEqual(['payments', 'search']);
    expect(Object.keys(c.sources)).toEqual(['grafana', 'pagerduty', 'datadog']);
    expect(c.sqs?.queues.map((q) => q.source)).toEqual(['cloudwatch', 'auto']);
    expect(c.heartbeats.map((h) => h.name)).toEqual(['alertmanager-watchdog']);
    expect(c.flapping).toEqual({ transitions: 6, windowMs: 600_000 });
  });
});
