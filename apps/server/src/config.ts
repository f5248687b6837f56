import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { DEFAULT_PROJECT, ENVIRONMENTS, type Environment, PROJECT_NAME_PATTERN } from '@wolfe/application';
import { assertRemoteUrl } from '@wolfe/git';
import { type Matcher, parseMatchers } from '@wolfe/matchers';
import { parseDuration } from '@wolfe/runbooks';
import { SOURCES } from '@wolfe/sources';
import type { SqsQueueConfig, SqsSourceMode } from '@wolfe/sqs-intake';

export type { SqsQueueConfig, SqsSourceMode } from '@wolfe/sqs-intake';

const envList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(ENVIRONMENTS)).min(1));

const bytes = z
  .string()
  .regex(/^\d+(kb|mb)?$/i, 'write a size such as 1mb, 512kb or 1048576')
  .transform((s) => {
    const n = parseInt(s, 10);
    return /kb$/i.test(s) ? n * 1024 : /mb$/i.test(s) ? n * 1024 * 1024 : n;
  });

/** Every setting, from environment variables, validated at start-up. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  WOLFE_DATA_DIR: z.string().min(1).default('./.wolfe'),
  WOLFE_ENV: z.enum(ENVIRONMENTS).default('prod'),
  WOLFE_ENVS: envList.default([...ENVIRONMENTS]),
  WOLFE_SEED_DIR: z.string().min(1).default('./runbooks'),
  WOLFE_STUDIO_DIR: z.string().optional(),
  WOLFE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WOLFE_MAX_BODY: bytes.default(1024 * 1024),
  WOLFE_REFRESH_MS: z.coerce.number().int().min(0).default(1000),
  /** How long a claimed execution's lease lasts without renewal (renewed every third of it). */
  WOLFE_LEASE_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  WOLFE_CONFIG: z.string().optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** Grafana's HMAC signing (contact point → Webhook → HMAC signature). */
export interface GrafanaSourceConfig {
  readonly secret: string;
  /** Deliveries whose signed timestamp is older (or further in the future) than this are refused. */
  readonly maxSkewMs: number;
  /** Header with the hex signature (Grafana's default: X-Grafana-Alerting-Signature). */
  readonly header: string;
  /** Header with the Unix timestamp, when Grafana is configured to send one. */
  readonly timestampHeader: string;
}

/** PagerDuty v3 webhook signing: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]`. */
export interface PagerDutySourceConfig {
  /** Every secret currently valid (two during a rotation). */
  readonly secrets: readonly string[];
}

/** A shared secret sent in a custom header (Datadog cannot sign bodies). */
export interface DatadogSourceConfig {
  readonly header: string;
  readonly secret: string;
}

export interface SourcesConfig {
  readonly grafana?: GrafanaSourceConfig;
  readonly pagerduty?: PagerDutySourceConfig;
  readonly datadog?: DatadogSourceConfig;
}

export interface SqsConfig {
  readonly region: string;
  /** A custom endpoint (emulators such as fauxqs or ElasticMQ); null = AWS. */
  readonly endpoint: string | null;
  readonly queues: readonly SqsQueueConfig[];
}

export interface HeartbeatConfig {
  readonly name: string;
  /** The matcher text as written. */
  readonly match: string;
  readonly matchers: readonly Matcher[];
  /** Only events from this source count; null = any source. */
  readonly source: string | null;
  /** The heartbeat must be seen at least once per interval. */
  readonly intervalMs: number;
  /** null = every served environment. */
  readonly env: Environment | null;
}

export interface FlappingConfig {
  /** Status changes of one series within `windowMs` that make it flapping. */
  readonly transitions: number;
  readonly windowMs: number;
}

/** How a project's git remote is reached. `token` is a secret: never logged, never returned. */
export interface ProjectRemoteConfig {
  /** Without credentials in it (refused). */
  readonly url: string;
  /** An access token (https remotes), resolved from `${ENV}`; null = none. */
  readonly token: string | null;
  /** Basic-auth user sent with the token; null = git adapter's default (x-access-token). */
  readonly username: string | null;
  /** Absolute path of an ssh private key (ssh remotes). */
  readonly sshKeyFile: string | null;
  /** Absolute path of a known_hosts file; null = ssh's own. */
  readonly knownHostsFile: string | null;
}

/** A project declared in WOLFE_CONFIG (`projects:`): one git repository, usually one team's. */
export interface ProjectConfig {
  readonly name: string;
  /** null: a repository that lives only in the data dir (for `default`: the embedded one). */
  readonly remote: ProjectRemoteConfig | null;
  /** How often the remote is fetched. */
  readonly pollIntervalMs: number;
  readonly allowSkipTest: boolean;
  readonly replayEvents: number;
  /** Secret of the sync webhook (`POST /api/v1/projects/:project/sync`, X-Hub-Signature-256); a secret. */
  readonly webhookSecret: string | null;
}

export interface WolfeConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Default environment for intake (`?env=` selects another served one). */
  readonly defaultEnv: Environment;
  readonly envs: readonly Environment[];
  readonly seedDir: string;
  readonly studioDir: string | null;
  readonly concurrency: number;
  readonly maxBodyBytes: number;
  readonly refreshMs: number;
  /**
   * How long a claimed execution's lease lasts without renewal (ms, `WOLFE_LEASE_MS`): a
   * process that dies leaves its running executions to be failed this long after its last
   * renewal, by whichever process sweeps first (a restart of the same one included).
   */
  readonly leaseMs: number;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** The YAML file the settings below came from (`WOLFE_CONFIG`), absolute; null when none. */
  readonly configFile: string | null;
  /** Sources whose intake route is authenticated by a signature or shared secret instead of the admin token. */
  readonly sources: SourcesConfig;
  readonly sqs: SqsConfig | null;
  readonly heartbeats: readonly HeartbeatConfig[];
  readonly flapping: FlappingConfig;
  /** Projects of the configuration file (`default` may appear to set its settings). */
  readonly projects: readonly ProjectConfig[];
  /** The Prometheus `ctx.prometheus` queries (`prometheus: { url }`); null = none. */
  readonly prometheus: PrometheusConfig | null;
}

/** `prometheus:` in WOLFE_CONFIG: reachable by every runbook's ctx.prometheus (no egress entry needed). */
export interface PrometheusConfig {
  /** Base URL, e.g. http://prometheus:9090 (a path prefix is kept: http://host/prometheus). */
  readonly url: string;
}

export class ConfigError extends Error {}

export interface LoadConfigOptions {
  /** Reads the `WOLFE_CONFIG` file (default: node:fs, UTF-8). */
  readonly readFile?: (path: string) => string;
}

export const DEFAULT_FLAPPING: FlappingConfig = Object.freeze({ transitions: 6, windowMs: 10 * 60_000 });
/** How often a project's remote is fetched when `pollInterval` is not set. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
export const GRAFANA_SIGNATURE_HEADER = 'X-Grafana-Alerting-Signature';
export const GRAFANA_TIMESTAMP_HEADER = 'X-Grafana-Alerting-Timestamp';

/**
 * The one validated configuration: environment variables, plus the YAML file named by
 * `WOLFE_CONFIG` (sources' secrets, SQS queues, heartbeats, routing). Every error names the
 * variable or the file, the path of the setting (`sqs.queues[0].url`) and the fix, and
 * never prints a secret.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, options: LoadConfigOptions = {}): WolfeConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in schema.shape && v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (!c.WOLFE_ENVS.includes(c.WOLFE_ENV)) {
    throw new ConfigError(`invalid configuration:\n  WOLFE_ENV=${c.WOLFE_ENV} must be one of WOLFE_ENVS (${c.WOLFE_ENVS.join(',')})`);
  }
  const configFile = c.WOLFE_CONFIG ? resolve(c.WOLFE_CONFIG) : null;
  const file = configFile
    ? loadConfigFile(configFile, options.readFile ?? ((p) => readFileSync(p, 'utf8')), env, { defaultEnv: c.WOLFE_ENV, envs: c.WOLFE_ENVS })
    : { sources: {}, sqs: null, heartbeats: [], flapping: DEFAULT_FLAPPING, projects: [], prometheus: null };
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: resolve(c.WOLFE_DATA_DIR),
    defaultEnv: c.WOLFE_ENV,
    envs: c.WOLFE_ENVS,
    seedDir: resolve(c.WOLFE_SEED_DIR),
    studioDir: c.WOLFE_STUDIO_DIR ? resolve(c.WOLFE_STUDIO_DIR) : null,
    concurrency: c.WOLFE_CONCURRENCY,
    maxBodyBytes: c.WOLFE_MAX_BODY,
    refreshMs: c.WOLFE_REFRESH_MS,
    leaseMs: c.WOLFE_LEASE_MS,
    logLevel: c.LOG_LEVEL,
    configFile,
    ...file,
  };
}

// ---------------------------------------------------------------------------------------------
// The YAML file

type FileSettings = Pick<WolfeConfig, 'sources' | 'sqs' | 'heartbeats' | 'flapping' | 'projects' | 'prometheus'>;

/** `${NAME}` (an environment variable); `$${` is a literal `${`. */
const ENV_REF = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Durations: `500ms`, `30s`, `5m` (parseDuration) and whole hours `1h`, `1.5h`. */
export function parseDurationMs(text: string): number | null {
  return durationMs(text);
}

function durationMs(text: string): number | null {
  const h = /^(\d+(?:\.\d+)?)h$/.exec(text);
  if (h) return parseDuration(`${Number(h[1]) * 60}m`);
  return parseDuration(text);
}

const DURATION_HELP = 'write a duration such as 30s, 5m or 1h (units ms, s, m, h; no spaces)';

const duration = (min: number, max: number) =>
  z.string({ error: DURATION_HELP }).transform((s, ctx) => {
    const ms = durationMs(s.trim());
    if (ms === null) {
      ctx.issues.push({ code: 'custom', input: s, message: `${JSON.stringify(s)} is not a duration: ${DURATION_HELP}` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.issues.push({ code: 'custom', input: s, message: `${JSON.stringify(s)} is out of range: write a duration from ${fmtMs(min)} to ${fmtMs(max)}` });
      return z.NEVER;
    }
    return ms;
  });

function fmtMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const int = (min: number, max: number, what: string) =>
  z.number({ error: `expected a whole number from ${min} to ${max} (${what})` }).int(`expected a whole number from ${min} to ${max} (${what})`).min(min, `must be at least ${min} (${what})`).max(max, `must be at most ${max} (${what})`);

/** A secret: never echoed in an error. */
const secret = z
  .string({ error: 'expected the secret as text (write ${ENV_VAR} to take it from the environment, or quote it)' })
  .min(16, 'the secret is too short: use at least 16 characters (e.g. `openssl rand -hex 32`)')
  .max(4096, 'the secret is too long (at most 4096 characters)');

const headerName = z
  .string({ error: 'expected an HTTP header name such as X-Wolfe-Secret' })
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name such as X-Wolfe-Secret (letters, digits and -)')
  .refine((h) => !['content-type', 'content-length', 'host', 'transfer-encoding', 'connection'].includes(h.toLowerCase()), 'this header is set by HTTP itself: choose another name, e.g. X-Wolfe-Secret');

const grafanaSchema = z.strictObject({
  secret,
  maxSkew: duration(1000, 24 * 3_600_000).default(5 * 60_000),
  header: headerName.default(GRAFANA_SIGNATURE_HEADER),
  timestampHeader: headerName.default(GRAFANA_TIMESTAMP_HEADER),
});

const pagerdutySchema = z
  .strictObject({
    secrets: z.array(secret, { error: 'expected a list of secrets, e.g. [${PD_SECRET}, ${PD_SECRET_OLD}]' }).min(1, 'give at least one secret').max(10, 'at most 10 secrets').optional(),
    secret: secret.optional(),
  })
  .transform((v, ctx) => {
    if ((v.secret === undefined) === (v.secrets === undefined)) {
      ctx.issues.push({ code: 'custom', input: v, message: 'write either secrets: [..] (several during a rotation) or secret: ..' });
      return z.NEVER;
    }
    return { secrets: v.secrets ?? [v.secret as string] };
  });

const datadogSchema = z.strictObject({ header: headerName, secret });

const SOURCE_MODES = ['cloudwatch', 'alertmanager', 'grafana', 'generic', 'cloudevents', 'auto'] as const;

const queueUrl = z.string({ error: 'expected the queue URL, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/alarms' }).refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && /^\/[^/]+\/[^/]+$/.test(u.pathname) && u.search === '' && u.username === '';
  } catch {
    return false;
  }
}, 'expected the queue URL as SQS shows it, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/alarms');

const environment = z.enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(', ')}` });

const queueSchema = z.strictObject({
  url: queueUrl,
  source: z.enum(SOURCE_MODES, { error: `expected one of ${SOURCE_MODES.join(', ')}` }).default('auto'),
  env: environment.optional(),
  batchSize: int(1, 10, 'messages per receive; SQS allows at most 10').default(10),
  waitTimeSeconds: int(0, 20, 'long polling in seconds; SQS allows at most 20').default(20),
  visibilityTimeout: int(1, 43_200, 'seconds; SQS allows at most 12 hours').default(60),
});

const sqsSchema = z.strictObject({
  region: z.string({ error: 'expected an AWS region code such as eu-west-1' }).regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region code such as eu-west-1 (not a display name like "EU (Ireland)")'),
  endpoint: z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'expected a URL such as http://127.0.0.1:9324 (only for emulators; leave it out for AWS)')
    .optional(),
  queues: z.array(queueSchema, { error: 'expected a list of queues: - url: https://sqs…' }).min(1, 'list at least one queue (or remove the sqs section)'),
});

const heartbeatSchema = z.strictObject({
  name: z.string({ error: 'expected a name for the heartbeat' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected a name of letters, digits, "-", "_" or "." (at most 64)'),
  match: z.string({ error: `expected matchers such as '{alertname="Watchdog"}' (quote them in YAML)` }).transform((text, ctx) => {
    try {
      const matchers = parseMatchers(text);
      if (matchers.length === 0) {
        ctx.issues.push({ code: 'custom', input: text, message: 'matches every alert: give at least one matcher, e.g. {alertname="Watchdog"}' });
        return z.NEVER;
      }
      return { text, matchers };
    } catch (err) {
      ctx.issues.push({ code: 'custom', input: text, message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  }),
  source: z
    .string({ error: 'expected a source name' })
    .refine((s) => Object.hasOwn(SOURCES, s), `expected one of ${Object.keys(SOURCES).join(', ')}`)
    .optional(),
  interval: duration(1000, 7 * 24 * 3_600_000),
  env: environment.optional(),
});

const routingSchema = z.strictObject({
  flapping: z
    .strictObject({
      transitions: int(2, 1000, 'status changes within the window').default(DEFAULT_FLAPPING.transitions),
      window: duration(1000, 24 * 3_600_000).default(DEFAULT_FLAPPING.windowMs),
    })
    .default({ transitions: DEFAULT_FLAPPING.transitions, window: DEFAULT_FLAPPING.windowMs }),
});

/** An access token: never echoed in an error. */
const token = z
  .string({ error: 'expected the access token as text (write ${ENV_VAR} to take it from the environment)' })
  .min(1, 'the token is empty')
  .max(4096, 'the token is too long (at most 4096 characters)')
  .refine((t) => !/[\s\u0000-\u001f\u007f]/.test(t), 'the token contains spaces or control characters');

const absolutePath = (what: string) =>
  z
    .string({ error: `expected the absolute path of ${what}` })
    .refine((p) => p.startsWith('/') && !/[\u0000-\u001f\u007f]/.test(p), `expected the absolute path of ${what} (starting with /)`);

const remoteUrl = z.string({ error: 'expected the repository URL, e.g. https://github.com/acme/payments-runbooks.git or git@github.com:acme/payments-runbooks.git' }).transform((url, ctx) => {
  try {
    assertRemoteUrl(url);
    return url;
  } catch (err) {
    // The git adapter's message redacts credentials; it never quotes a token.
    ctx.issues.push({ code: 'custom', input: '', message: err instanceof Error ? err.message : 'not a usable remote URL' });
    return z.NEVER;
  }
});

const remoteSchema = z
  .strictObject({
    url: remoteUrl,
    token: token.optional(),
    username: z
      .string({ error: 'expected the user name sent with the token (GitHub: x-access-token, GitLab: oauth2)' })
      .regex(/^[^\s:\u0000-\u001f\u007f]{1,256}$/, 'expected a user name without ":", spaces or control characters')
      .optional(),
    sshKeyFile: absolutePath('the ssh private key').optional(),
    knownHostsFile: absolutePath('a known_hosts file').optional(),
  })
  .superRefine((r, ctx) => {
    if (r.token !== undefined && r.sshKeyFile !== undefined) ctx.addIssue({ code: 'custom', path: ['sshKeyFile'], message: 'give either token (https) or sshKeyFile (ssh), not both' });
    if (r.username !== undefined && r.token === undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'username goes with token: remove it, or add token: ${…}' });
    if (r.knownHostsFile !== undefined && r.sshKeyFile === undefined) ctx.addIssue({ code: 'custom', path: ['knownHostsFile'], message: 'knownHostsFile goes with sshKeyFile' });
  });

const projectSchema = z
  .strictObject({
    name: z
      .string({ error: 'expected the project name' })
      .regex(PROJECT_NAME_PATTERN, 'expected 1 to 63 lowercase letters, digits and dashes, not starting with a dash (like a runbook name)'),
    remote: remoteSchema.optional(),
    pollInterval: duration(1000, 24 * 3_600_000).optional(),
    allowSkipTest: z.boolean({ error: 'expected true or false' }).default(false),
    replayEvents: int(0, 50, 'recent events the replay gate runs; 0 turns it off').default(5),
    webhookSecret: secret.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.name === DEFAULT_PROJECT && p.remote !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['remote'], message: 'the default project is the embedded repository (seeded from WOLFE_SEED_DIR); declare a project with a remote under another name' });
    }
    if (p.remote === undefined && p.webhookSecret !== undefined) ctx.addIssue({ code: 'custom', path: ['webhookSecret'], message: 'the sync webhook fetches the remote: this project has none (add remote: or remove webhookSecret)' });
    if (p.remote === undefined && p.pollInterval !== undefined) ctx.addIssue({ code: 'custom', path: ['pollInterval'], message: 'pollInterval is how often the remote is fetched: this project has none (add remote: or remove pollInterval)' });
  });

const fileSchema = z.strictObject({
  sources: z
    .strictObject({ grafana: grafanaSchema.optional(), pagerduty: pagerdutySchema.optional(), datadog: datadogSchema.optional() })
    .optional(),
  sqs: sqsSchema.optional(),
  heartbeats: z.array(heartbeatSchema, { error: 'expected a list of heartbeats: - name: …' }).optional(),
  routing: routingSchema.optional(),
  projects: z.array(projectSchema, { error: 'expected a list of projects: - name: payments' }).optional(),
  prometheus: z
    .strictObject({
      url: z.string({ error: 'expected the base URL of Prometheus, e.g. http://prometheus:9090' }).refine((s) => {
        try {
          const u = new URL(s);
          return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '' && u.search === '' && u.hash === '';
        } catch {
          return false;
        }
      }, 'expected the base URL of Prometheus, e.g. http://prometheus:9090 (http or https, without credentials or query)'),
    })
    .optional(),
});

/** Fixes for keys that are easy to get wrong; the rest get the list of known keys. */
const KEY_HINTS: Readonly<Record<string, string>> = {
  'sources.alertmanager': 'Alertmanager does not sign webhooks: it authenticates with the admin token (http_config.authorization or basic_auth)',
  'sources.cloudwatch': 'SNS over HTTPS authenticates with the admin token (basic auth in the subscription URL); SQS queues go under sqs.queues',
  'sources.grafana.secrets': 'Grafana has one secret: write secret: ${…}',
};

interface Located {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

function loadConfigFile(
  path: string,
  readFile: (path: string) => string,
  env: Readonly<Record<string, string | undefined>>,
  served: { defaultEnv: Environment; envs: readonly Environment[] },
): FileSettings {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new ConfigError(`invalid configuration:\n  WOLFE_CONFIG=${JSON.stringify(path)}: cannot read it (${why}): create the file or unset WOLFE_CONFIG`);
  }

  // `${VAR}` is not valid YAML in flow collections ({ secret: ${X} }), and a secret must never
  // reach the YAML parser's error messages: replace each reference by a placeholder first, and
  // resolve placeholders in the parsed values only.
  const refs: { name: string; start: number; end: number }[] = [];
  const shifts: { at: number; delta: number }[] = [];
  let delta = 0;
  const nonce = Math.random().toString(36).slice(2, 8);
  const prepared = text.replace(ENV_REF, (whole: string, name: string | undefined, offset: number) => {
    const replacement = name === undefined ? '${' : `__wolfe_env_${nonce}_${refs.length}__`;
    if (name !== undefined) refs.push({ name, start: offset, end: offset + whole.length });
    delta += replacement.length - whole.length;
    shifts.push({ at: offset + whole.length + delta, delta });
    return replacement;
  });
  const toOriginal = (pos: number): number => {
    let d = 0;
    for (const s of shifts) {
      if (s.at <= pos) d = s.delta;
      else break;
    }
    return Math.max(0, pos - d);
  };
  const lineOf = (pos: number): number => {
    const o = toOriginal(pos);
    let line = 1;
    for (let i = 0; i < o && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    return line;
  };
  const fail: (problems: readonly string[]) => never = (problems) => {
    throw new ConfigError(`invalid configuration in ${path} (WOLFE_CONFIG):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  };

  const doc = parseDocument(prepared, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => {
        // The parser's own text can quote the offending source: keep the first sentence only,
        // without quoted fragments (a literal secret could be one).
        const msg = (e.message.split('\n')[0] ?? '').replace(/"[^"]*"/g, '…').replace(/:\s*$/, '');
        return `line ${lineOf(e.pos[0])}: YAML syntax error: ${msg}`;
      }),
    );
  }

  // Resolve placeholders into values; collect problems with their paths.
  const problems: Located[] = [];
  const placeholder = new RegExp(`__wolfe_env_${nonce}_(\\d+)__`, 'g');
  const resolveValue = (v: unknown, at: PropertyKey[]): unknown => {
    if (at.length > 32) fail([`${formatPath(at.slice(0, 8))}…: nested too deeply (or a YAML alias refers to itself)`]);
    if (typeof v === 'string') {
      return v.replace(placeholder, (_m, i: string) => {
        const ref = refs[Number(i)] as { name: string };
        if (!ENV_NAME.test(ref.name)) {
          problems.push({ path: at, message: `\${${ref.name}} is not an environment variable reference: write \${NAME} with letters, digits and _` });
          return '';
        }
        const value = env[ref.name];
        if (value === undefined) {
          problems.push({ path: at, message: `environment variable ${ref.name} is not set (referenced as \${${ref.name}}): set it, or remove the reference` });
          return '';
        }
        if (value === '') {
          problems.push({ path: at, message: `environment variable ${ref.name} is empty (referenced as \${${ref.name}}): set it to the value` });
          return '';
        }
        return value;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => resolveValue(x, [...at, i]));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x, [...at, k])]));
    }
    return v;
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    fail([`YAML: ${(err as Error).message.split('\n')[0] ?? ''}`]);
  }
  if (raw === null || raw === undefined) raw = {};
  const resolved = resolveValue(raw, []);

  const where = (p: readonly PropertyKey[]): string => {
    const name = formatPath(p) || '(top level)';
    const node = nodeAt(doc, p);
    return node !== null ? `${name} (line ${lineOf(node)})` : name;
  };
  const refProblems = problems.map((p) => `${where(p.path)}: ${p.message}`);
  // Settings whose reference failed are reported once, for the reference.
  const refPaths = new Set(problems.map((p) => formatPath(p.path)));

  if (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved)) {
    fail([...refProblems, '(top level): expected a mapping with sources, sqs, heartbeats, routing, projects, prometheus (see docs/operations.md)']);
  }
  const parsed = fileSchema.safeParse(resolved);
  if (!parsed.success || refProblems.length > 0) {
    fail([
      ...refProblems,
      ...(parsed.error?.issues ?? []).filter((i) => !refPaths.has(formatPath(i.path))).flatMap((i) => {
        if (i.code === 'unrecognized_keys') {
          return i.keys.map((k) => {
            const p = [...i.path, k];
            const hint = KEY_HINTS[formatPath(p)] ?? `known keys here: ${knownKeys(i.path).join(', ')}`;
            return `${where(p)}: unknown setting: ${hint}`;
          });
        }
        const received = i.code === 'invalid_type' ? valueAt(resolved, i.path) : undefined;
        let msg = i.message;
        if (i.code === 'invalid_type' && i.expected === 'object') msg = `expected a mapping of settings (key: value)${Array.isArray(received) ? ', got a list' : ''}`;
        if (i.code === 'invalid_type' && received === undefined) msg = `missing: ${msg}`;
        return [`${where(i.path)}: ${msg}`];
      }),
    ]);
  }
  const f = parsed.data;
  if (f === undefined) return fail(['(top level): invalid']);

  // Cross-field checks.
  const more: Located[] = [];
  const servedHint = `this deployment serves ${served.envs.join(', ')} (WOLFE_ENVS)`;
  const seenUrls = new Map<string, number>();
  f.sqs?.queues.forEach((q, i) => {
    const first = seenUrls.get(q.url);
    if (first !== undefined) more.push({ path: ['sqs', 'queues', i, 'url'], message: `the same queue as sqs.queues[${first}]: list each queue once` });
    else seenUrls.set(q.url, i);
    if (q.env !== undefined && !served.envs.includes(q.env)) more.push({ path: ['sqs', 'queues', i, 'env'], message: `${q.env} is not served: ${servedHint}` });
  });
  const seenNames = new Map<string, number>();
  f.heartbeats?.forEach((h, i) => {
    const first = seenNames.get(h.name);
    if (first !== undefined) more.push({ path: ['heartbeats', i, 'name'], message: `"${h.name}" is already the name of heartbeats[${first}]: names must be unique` });
    else seenNames.set(h.name, i);
    if (h.env !== undefined && !served.envs.includes(h.env)) more.push({ path: ['heartbeats', i, 'env'], message: `${h.env} is not served: ${servedHint}` });
  });
  const seenProjects = new Map<string, number>();
  f.projects?.forEach((p, i) => {
    const first = seenProjects.get(p.name);
    if (first !== undefined) more.push({ path: ['projects', i, 'name'], message: `"${p.name}" is already the name of projects[${first}]: names must be unique` });
    else seenProjects.set(p.name, i);
  });
  if (more.length > 0) fail(more.map((p) => `${where(p.path)}: ${p.message}`));

  const sources: { -readonly [K in keyof SourcesConfig]: SourcesConfig[K] } = {};
  if (f.sources?.grafana) {
    const g = f.sources.grafana;
    sources.grafana = { secret: g.secret, maxSkewMs: g.maxSkew, header: g.header, timestampHeader: g.timestampHeader };
  }
  if (f.sources?.pagerduty) sources.pagerduty = { secrets: f.sources.pagerduty.secrets };
  if (f.sources?.datadog) sources.datadog = { header: f.sources.datadog.header, secret: f.sources.datadog.secret };

  return {
    sources,
    sqs: f.sqs
      ? {
          region: f.sqs.region,
          endpoint: f.sqs.endpoint ?? null,
          queues: f.sqs.queues.map(
            (q): SqsQueueConfig => ({
              url: q.url,
              source: q.source satisfies SqsSourceMode,
              env: q.env ?? served.defaultEnv,
              batchSize: q.batchSize,
              waitTimeSeconds: q.waitTimeSeconds,
              visibilityTimeout: q.visibilityTimeout,
            }),
          ),
        }
      : null,
    heartbeats: (f.heartbeats ?? []).map((h) => ({
      name: h.name,
      match: h.match.text,
      matchers: h.match.matchers,
      source: h.source ?? null,
      intervalMs: h.interval,
      env: h.env ?? null,
    })),
    flapping: f.routing ? { transitions: f.routing.flapping.transitions, windowMs: f.routing.flapping.window } : DEFAULT_FLAPPING,
    projects: (f.projects ?? []).map(
      (p): ProjectConfig => ({
        name: p.name,
        remote: p.remote
          ? {
              url: p.remote.url,
              token: p.remote.token ?? null,
              username: p.remote.username ?? null,
              sshKeyFile: p.remote.sshKeyFile ?? null,
              knownHostsFile: p.remote.knownHostsFile ?? null,
            }
          : null,
        pollIntervalMs: p.pollInterval ?? DEFAULT_POLL_INTERVAL_MS,
        allowSkipTest: p.allowSkipTest,
        replayEvents: p.replayEvents,
        webhookSecret: p.webhookSecret ?? null,
      }),
    ),
    prometheus: f.prometheus ? { url: f.prometheus.url } : null,
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Offset of the YAML node at `path` (or of the nearest enclosing node that exists), or null. */
function nodeAt(doc: Document, path: readonly PropertyKey[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (node !== null && typeof node === 'object' && 'range' in node) {
      const range = (node as { range?: readonly number[] | null }).range;
      if (range && typeof range[0] === 'number') return range[0];
    }
  }
  return null;
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  const p = path.filter((x) => typeof x !== 'number').map(String);
  const key = p.join('.');
  switch (key) {
    case '':
      return ['sources', 'sqs', 'heartbeats', 'routing', 'projects', 'prometheus'];
    case 'prometheus':
      return ['url'];
    case 'sources':
      return ['grafana', 'pagerduty', 'datadog'];
    case 'sources.grafana':
      return ['secret', 'maxSkew', 'header', 'timestampHeader'];
    case 'sources.pagerduty':
      return ['secrets', 'secret'];
    case 'sources.datadog':
      return ['header', 'secret'];
    case 'sqs':
      return ['region', 'endpoint', 'queues'];
    case 'sqs.queues':
      return ['url', 'source', 'env', 'batchSize', 'waitTimeSeconds', 'visibilityTimeout'];
    case 'heartbeats':
      return ['name', 'match', 'source', 'interval', 'env'];
    case 'routing':
      return ['flapping'];
    case 'routing.flapping':
      return ['transitions', 'window'];
    case 'projects':
      return ['name', 'remote', 'pollInterval', 'allowSkipTest', 'replayEvents', 'webhookSecret'];
    case 'projects.remote':
      return ['url', 'token', 'username', 'sshKeyFile', 'knownHostsFile'];
    default:
      return [];
  }
}
