import { z } from 'zod';
import type { NormalizedAlert } from '@wolfe/events';
import type { NormalizeResult, SourceNormalizer } from './types';
import { MapBuilder, stringMap } from './internal/labels';
import { describeValue, fail, isRecord, parseWith, requireObject, type Parsed, type Path } from './internal/parse';
import { makeAlert, success } from './internal/result';
import { isoTime, optionalIsoTime } from './internal/time';

// ---------------------------------------------------------------------------------------------
// One internal shape for an alarm state change, whichever way it arrived.

type CwState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
const STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

interface MetricRef {
  name: string;
  namespace: string | null;
  dimensions: [string, string][];
}

interface Query {
  id: string;
  expression: string | null;
  label: string | null;
  returnData: boolean;
  metric: MetricRef | null;
}

interface Alarm {
  name: string;
  description: string | null;
  account: string | null;
  /** The alarm ARN, and the path of the field it came from (for errors). */
  arn: string | null;
  arnPath: Path;
  /** A region code to use when there is no alarm ARN, and where it came from. */
  fallbackRegion: { code: string; from: string } | null;
  /** Path of the alarm document (for errors about it as a whole). */
  root: Path;
  regionName: string | null;
  state: CwState;
  previousState: string | null;
  previousStateTime: string | null;
  reason: string | null;
  stateTime: string | null;
  /** Classic single-metric alarm (SNS `Trigger.MetricName`). */
  single: MetricRef | null;
  /** `Trigger.Metrics[]` / EventBridge `configuration.metrics[]`. */
  queries: Query[];
  thresholdMetricId: string | null;
  statistic: string | null;
  threshold: number | null;
  comparison: string | null;
  alarmRule: string | null;
}

// ---------------------------------------------------------------------------------------------
// ARNs and regions

const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ALARM_ARN = /^arn:(aws[a-z-]*):cloudwatch:([^:]*):([^:]*):alarm:(.+)$/s;
const TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([^:]*):([^:]*):(.+)$/s;

interface ArnParts {
  partition: string;
  region: string;
  account: string;
}

function parseArn(arn: string, re: RegExp): ArnParts | null {
  const m = re.exec(arn);
  if (m === null) return null;
  const [, partition = '', region = '', account = ''] = m;
  if (!REGION_CODE.test(region)) return null;
  return { partition, region, account };
}

/** Link to the alarm in the AWS console (commercial partition only). */
function consoleUrl(partition: string, region: string, name: string): string | null {
  if (partition !== 'aws') return null;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`;
}

// ---------------------------------------------------------------------------------------------
// Alarm → normalized alert

function isBand(q: Query): boolean {
  return q.expression !== null && /^\s*ANOMALY_DETECTION_BAND\s*\(/i.test(q.expression);
}

/** The query whose value the alarm compares: returned, not the threshold/band series. */
function primaryQuery(queries: Query[], thresholdMetricId: string | null): Query | undefined {
  const candidates = queries.filter((q) => q.returnData && q.id !== thresholdMetricId && !isBand(q));
  return candidates[0] ?? queries.find((q) => q.returnData) ?? queries[0];
}

function setMetric(labels: MapBuilder, m: MetricRef): void {
  labels.set('metric', m.name);
  labels.set('namespace', m.namespace);
  for (const [name, value] of m.dimensions) labels.set(`dimension_${name}`, value);
}

function setMetricLabels(alarm: Alarm, labels: MapBuilder, annotations: MapBuilder, notes: string[]): void {
  if (alarm.single !== null) {
    setMetric(labels, alarm.single);
    return;
  }
  const primary = primaryQuery(alarm.queries, alarm.thresholdMetricId);
  if (primary === undefined) return; // composite alarm: no metric
  if (primary.metric !== null) {
    setMetric(labels, primary.metric);
    return;
  }
  // Metric math: `metric` is the expression's label (else the expression); namespace and
  // dimensions come from the metrics it reads, when they agree.
  labels.set('metric', primary.label ?? primary.expression ?? primary.id);
  annotations.set('aws_metric_expression', primary.expression);
  const inputs = alarm.queries.flatMap((q) => (q.metric === null ? [] : [q.metric]));
  const namespaces = new Set(inputs.flatMap((m) => (m.namespace === null ? [] : [m.namespace])));
  if (namespaces.size === 1) labels.set('namespace', [...namespaces][0]);
  const dims = new Map<string, Set<string>>();
  for (const m of inputs) {
    for (const [name, value] of m.dimensions) {
      const values = dims.get(name) ?? new Set<string>();
      values.add(value);
      dims.set(name, values);
    }
  }
  for (const [name, values] of [...dims].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (values.size === 1) labels.set(`dimension_${name}`, [...values][0]);
    else notes.push(`metric-math alarm "${alarm.name}": dimension ${name} has ${values.size} different values across its metrics; no dimension_${name} label`);
  }
}

function normalizeAlarm(alarm: Alarm, notes: string[], extra?: (annotations: MapBuilder) => void): Parsed<NormalizedAlert> {
  const labels = new MapBuilder();
  const annotations = new MapBuilder();
  labels.set('alertname', alarm.name);

  let partition: string | null = null;
  let region: string | null = null;
  let account = alarm.account;
  if (alarm.arn !== null) {
    const arn = parseArn(alarm.arn, ALARM_ARN);
    if (arn === null) return fail(alarm.arnPath, `expected a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>), got ${describeValue(alarm.arn)}`);
    partition = arn.partition;
    region = arn.region;
    account ??= arn.account;
  } else if (alarm.fallbackRegion !== null) {
    region = alarm.fallbackRegion.code;
    notes.push(`alarm "${alarm.name}" has no alarm ARN: aws_region taken from ${alarm.fallbackRegion.from}`);
  } else {
    notes.push(`alarm "${alarm.name}" has no alarm ARN: no aws_region label (the display name "${alarm.regionName ?? ''}" is not a region code)`);
  }
  labels.set('aws_account', account);
  labels.set('aws_region', region);
  setMetricLabels(alarm, labels, annotations, notes);

  annotations.set('description', alarm.description);
  annotations.set('aws_state', alarm.state);
  annotations.set('aws_previous_state', alarm.previousState);
  annotations.set('aws_state_reason', alarm.reason);
  annotations.set('aws_region_name', alarm.regionName);
  annotations.set('aws_statistic', alarm.statistic);
  annotations.set('aws_threshold', alarm.threshold);
  annotations.set('aws_comparison_operator', alarm.comparison);
  annotations.set('aws_alarm_rule', alarm.alarmRule);
  extra?.(annotations);

  const firing = alarm.state === 'ALARM';
  if (alarm.state === 'INSUFFICIENT_DATA') {
    notes.push(`alarm "${alarm.name}" is INSUFFICIENT_DATA: recorded as resolved with annotation aws_state=INSUFFICIENT_DATA (missing data never fires)`);
  }
  return makeAlert(
    'cloudwatch',
    {
      labels,
      annotations,
      status: firing ? 'firing' : 'resolved',
      startsAt: firing ? alarm.stateTime : alarm.previousState === 'ALARM' ? alarm.previousStateTime : null,
      endsAt: firing ? null : alarm.stateTime,
      sourceFingerprint: alarm.arn,
      sourceUrl: partition !== null && region !== null ? consoleUrl(partition, region, alarm.name) : null,
    },
    alarm.root,
  );
}

// ---------------------------------------------------------------------------------------------
// Shape 1: the alarm message (SNS `Message`, or the body itself with raw message delivery)

const optionalString = z.string().nullish();

/** `{ "name": "InstanceId", "value": "i-…" }` (as CloudWatch writes it; `Name`/`Value` accepted too). */
const snsDimension = z.unknown().optional().transform((v, ctx): [string, string] => {
  if (isRecord(v)) {
    const name = v['name'] ?? v['Name'];
    const value = v['value'] ?? v['Value'];
    if (typeof name === 'string' && name !== '' && typeof value === 'string') return [name, value];
  }
  ctx.issues.push({ code: 'custom', message: `expected { "name": string, "value": string }, got ${describeValue(v)}`, input: v });
  return z.NEVER;
});

const snsMetricStat = z.object({
  Metric: z.object({
    Dimensions: z.array(snsDimension).nullish(),
    MetricName: z.string().min(1),
    Namespace: optionalString,
  }),
  Stat: optionalString,
});

const rawAlarmSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: optionalString,
  AWSAccountId: optionalString,
  NewStateValue: z.enum(STATES),
  NewStateReason: optionalString,
  StateChangeTime: isoTime,
  Region: optionalString,
  AlarmArn: optionalString,
  OldStateValue: optionalString,
  AlarmRule: optionalString,
  Trigger: z
    .object({
      MetricName: optionalString,
      Namespace: optionalString,
      Statistic: optionalString,
      ExtendedStatistic: optionalString,
      Dimensions: z.array(snsDimension).nullish(),
      ComparisonOperator: optionalString,
      Threshold: z.number().nullish(),
      ThresholdMetricId: optionalString,
      Metrics: z
        .array(
          z.object({
            Id: z.string().min(1),
            Expression: optionalString,
            Label: optionalString,
            ReturnData: z.boolean().nullish(),
            MetricStat: snsMetricStat.nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

function fromRawAlarm(input: unknown, prefix: Path, topicRegion: string | null): Parsed<Alarm> {
  const parsed = parseWith(rawAlarmSchema, input, prefix);
  if (!parsed.ok) return parsed;
  const a = parsed.data;
  const t = a.Trigger ?? null;
  const queries: Query[] = (t?.Metrics ?? []).map((q) => ({
    id: q.Id,
    expression: q.Expression ?? null,
    label: q.Label ?? null,
    returnData: q.ReturnData ?? true,
    metric: q.MetricStat ? { name: q.MetricStat.Metric.MetricName, namespace: q.MetricStat.Metric.Namespace ?? null, dimensions: q.MetricStat.Metric.Dimensions ?? [] } : null,
  }));
  const single: MetricRef | null =
    t?.MetricName !== undefined && t?.MetricName !== null && t.MetricName !== ''
      ? { name: t.MetricName, namespace: t.Namespace ?? null, dimensions: t.Dimensions ?? [] }
      : null;
  const primaryStat = t?.Metrics?.find((q) => q.MetricStat && (q.ReturnData ?? true))?.MetricStat?.Stat;
  return {
    ok: true,
    data: {
      name: a.AlarmName,
      description: a.AlarmDescription ?? null,
      account: a.AWSAccountId ?? null,
      arn: a.AlarmArn ?? null,
      arnPath: [...prefix, 'AlarmArn'],
      fallbackRegion: topicRegion === null ? null : { code: topicRegion, from: 'the SNS topic ARN' },
      root: prefix,
      regionName: a.Region ?? null,
      state: a.NewStateValue,
      previousState: a.OldStateValue ?? null,
      previousStateTime: null,
      reason: a.NewStateReason ?? null,
      stateTime: a.StateChangeTime,
      single,
      queries,
      thresholdMetricId: t?.ThresholdMetricId ?? null,
      statistic: t?.Statistic ?? t?.ExtendedStatistic ?? primaryStat ?? null,
      threshold: t?.Threshold ?? null,
      comparison: t?.ComparisonOperator ?? null,
      alarmRule: a.AlarmRule ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shape 2: EventBridge "CloudWatch Alarm State Change" (bare, e.g. EventBridge → SQS, or inside SNS)

const DETAIL_TYPE = 'CloudWatch Alarm State Change';

const ebSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.unknown().optional().transform((v, ctx) => {
    if (v !== DETAIL_TYPE) {
      const hint = typeof v === 'string' && v.startsWith('CloudWatch Alarm') ? ' (only state changes are alerts; filter the EventBridge rule on this detail-type)' : '';
      ctx.issues.push({ code: 'custom', message: `expected "${DETAIL_TYPE}", got ${describeValue(v)}${hint}`, input: v });
      return z.NEVER;
    }
    return DETAIL_TYPE;
  }),
  source: z.literal('aws.cloudwatch'),
  account: optionalString,
  time: optionalIsoTime,
  region: optionalString,
  resources: z.array(z.string()).nullish(),
  detail: z.object({
    alarmName: z.string().min(1),
    configuration: z
      .object({
        description: optionalString,
        alarmRule: optionalString,
        thresholdMetricId: optionalString,
        metrics: z
          .array(
            z.object({
              id: z.string().min(1),
              expression: optionalString,
              label: optionalString,
              returnData: z.boolean().nullish(),
              metricStat: z
                .object({
                  metric: z.object({ name: z.string().min(1), namespace: optionalString, dimensions: stringMap({ optional: true }) }),
                  stat: optionalString,
                })
                .nullish(),
            }),
          )
          .nullish(),
      })
      .nullish(),
    previousState: z.object({ value: z.string(), reason: optionalString, timestamp: optionalIsoTime }).nullish(),
    state: z.object({ value: z.enum(STATES), reason: optionalString, reasonData: optionalString, timestamp: isoTime }),
  }),
});

/** `reasonData` is a JSON string; its `threshold` is the only thing worth keeping from it. */
function thresholdFromReasonData(reasonData: string | null | undefined): number | null {
  if (!reasonData) return null;
  try {
    const data: unknown = JSON.parse(reasonData);
    return isRecord(data) && typeof data['threshold'] === 'number' ? data['threshold'] : null;
  } catch {
    return null;
  }
}

function fromEventBridge(input: unknown, prefix: Path): Parsed<{ alarm: Alarm; id: string }> {
  const parsed = parseWith(ebSchema, input, prefix);
  if (!parsed.ok) return parsed;
  const e = parsed.data;
  const d = e.detail;
  const resources = e.resources ?? [];
  const arnIndex = resources.findIndex((r) => r.startsWith('arn:') && r.includes(':alarm:'));
  const queries: Query[] = (d.configuration?.metrics ?? []).map((q) => ({
    id: q.id,
    expression: q.expression ?? null,
    label: q.label ?? null,
    returnData: q.returnData ?? true,
    metric: q.metricStat
      ? { name: q.metricStat.metric.name, namespace: q.metricStat.metric.namespace ?? null, dimensions: Object.entries(q.metricStat.metric.dimensions) }
      : null,
  }));
  const primaryStat = d.configuration?.metrics?.find((q) => q.metricStat && (q.returnData ?? true))?.metricStat?.stat;
  const region = e.region !== undefined && e.region !== null && REGION_CODE.test(e.region) ? e.region : null;
  return {
    ok: true,
    data: {
      id: e.id,
      alarm: {
        name: d.alarmName,
        description: d.configuration?.description ?? null,
        account: e.account ?? null,
        arn: arnIndex >= 0 ? (resources[arnIndex] ?? null) : null,
        arnPath: [...prefix, 'resources', Math.max(arnIndex, 0)],
        fallbackRegion: region === null ? null : { code: region, from: 'the event\'s region' },
        root: prefix,
        regionName: null,
        state: d.state.value,
        previousState: d.previousState?.value ?? null,
        previousStateTime: d.previousState?.timestamp ?? null,
        reason: d.state.reason ?? null,
        stateTime: d.state.timestamp,
        single: null,
        queries,
        thresholdMetricId: d.configuration?.thresholdMetricId ?? null,
        statistic: primaryStat ?? null,
        threshold: thresholdFromReasonData(d.state.reasonData),
        comparison: null,
        alarmRule: d.configuration?.alarmRule ?? null,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shape 3: the SNS envelope (HTTP subscription, or SQS subscription without raw delivery)

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

const snsNotificationSchema = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  TopicArn: optionalString,
  Subject: optionalString,
  Message: z.string(),
});

const snsConfirmationSchema = z.object({
  Type: z.literal('SubscriptionConfirmation'),
  MessageId: z.string().min(1),
  TopicArn: optionalString,
  SubscribeURL: z.unknown().optional().transform((v, ctx) => {
    let url: URL | null = null;
    if (typeof v === 'string') {
      try {
        url = new URL(v);
      } catch {
        url = null;
      }
    }
    if (url === null || url.protocol !== 'https:' || !SNS_HOST.test(url.hostname)) {
      ctx.issues.push({ code: 'custom', message: `expected an https://sns.<region>.amazonaws.com/ URL, got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    return url.toString();
  }),
});

const SNS_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;

function fromSns(env: Record<string, unknown>): NormalizeResult {
  const type = env['Type'];
  if (type === 'SubscriptionConfirmation') {
    const parsed = parseWith(snsConfirmationSchema, env);
    if (!parsed.ok) return parsed;
    return {
      ...success([], parsed.data.MessageId, [`SNS subscription confirmation for topic ${parsed.data.TopicArn ?? '(unknown)'}: GET subscribeUrl to confirm`]),
      subscribeUrl: parsed.data.SubscribeURL,
    };
  }
  if (type === 'UnsubscribeConfirmation') {
    const id = typeof env['MessageId'] === 'string' ? env['MessageId'] : null;
    return success([], id, [`SNS unsubscribe confirmation for topic ${typeof env['TopicArn'] === 'string' ? env['TopicArn'] : '(unknown)'}: nothing to record`]);
  }
  if (type !== 'Notification') {
    return fail(['Type'], `expected one of ${SNS_TYPES.map((t) => JSON.stringify(t)).join(', ')}, got ${describeValue(type)}`);
  }
  const parsed = parseWith(snsNotificationSchema, env);
  if (!parsed.ok) return parsed;
  const n = parsed.data;
  let message: unknown;
  try {
    message = JSON.parse(n.Message);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return fail(['Message'], `expected a JSON string holding a CloudWatch alarm, got text that is not JSON (${why})`);
  }
  if (!isRecord(message)) return fail(['Message'], `expected a JSON string holding a CloudWatch alarm object, got JSON holding ${describeValue(message)}`);
  const notes: string[] = [];
  const topicRegion = n.TopicArn ? (parseArn(n.TopicArn, TOPIC_ARN)?.region ?? null) : null;
  const withTopic = (ann: MapBuilder) => ann.set('aws_topic_arn', n.TopicArn);
  if ('detail-type' in message) {
    // An EventBridge rule with an SNS target: the event is the message. Its id is the better
    // delivery key: it survives EventBridge's own retries, which mint new SNS MessageIds.
    const eb = fromEventBridge(message, ['Message']);
    if (!eb.ok) return eb;
    const alert = normalizeAlarm(eb.data.alarm, notes, withTopic);
    if (!alert.ok) return alert;
    return success([alert.data], eb.data.id, notes);
  }
  const alarm = fromRawAlarm(message, ['Message'], topicRegion);
  if (!alarm.ok) return alarm;
  const alert = normalizeAlarm(alarm.data, notes, withTopic);
  if (!alert.ok) return alert;
  return success([alert.data], n.MessageId, notes);
}

/**
 * Amazon CloudWatch alarms, in three shapes: the SNS envelope (`Type: Notification`, `Message` a
 * JSON string; also `SubscriptionConfirmation`), the bare alarm message (SNS raw message delivery)
 * and the EventBridge "CloudWatch Alarm State Change" event (bare or as an SNS message).
 * See libs/sources/README.md for the label and status mapping (INSUFFICIENT_DATA → resolved).
 */
export const cloudwatch: SourceNormalizer = {
  name: 'cloudwatch',
  normalize(payload: unknown): NormalizeResult {
    const obj = requireObject(payload, 'a CloudWatch alarm: SNS envelope, raw alarm message or EventBridge event');
    if (!obj.ok) return obj;
    const body = obj.data;
    if ('Type' in body) return fromSns(body);
    if ('detail-type' in body || body['source'] === 'aws.cloudwatch') {
      const notes: string[] = [];
      const eb = fromEventBridge(body, []);
      if (!eb.ok) return eb;
      const alert = normalizeAlarm(eb.data.alarm, notes);
      if (!alert.ok) return alert;
      return success([alert.data], eb.data.id, notes);
    }
    if ('AlarmName' in body) {
      const notes: string[] = [];
      const alarm = fromRawAlarm(body, [], null);
      if (!alarm.ok) return alarm;
      const alert = normalizeAlarm(alarm.data, notes);
      if (!alert.ok) return alert;
      return success([alert.data], null, notes);
    }
    if (Array.isArray(body['Records'])) {
      return fail(['Records'], 'a Lambda SNS event is not accepted: post the SNS envelope (Records[i].Sns) itself, or subscribe HTTPS/SQS to the topic');
    }
    return fail([], 'not a CloudWatch alarm: expected an SNS envelope (Type, MessageId, Message), a raw alarm message (AlarmName, NewStateValue, StateChangeTime) or an EventBridge event (detail-type "CloudWatch Alarm State Change", detail)');
  },
};
