/** What a queue carries: one alert format, or `auto` (detected per message). */
export type SqsSourceMode = 'cloudwatch' | 'alertmanager' | 'grafana' | 'generic' | 'cloudevents' | 'auto';

export const SQS_SOURCE_MODES: readonly SqsSourceMode[] = ['cloudwatch', 'alertmanager', 'grafana', 'generic', 'cloudevents', 'auto'];

/** A queue message made ready for the intake: which normalizer reads it, and which text. */
export interface PreparedMessage {
  /** The intake source (route name) that normalizes `body`. */
  readonly source: string;
  /**
   * The text to record and normalize: the SQS body as received, except that an SNS envelope
   * around a non-CloudWatch payload is unwrapped to its `Message` (see `note`).
   */
  readonly body: string;
  /** How the source was chosen or the body derived, for the delivery's record; null when nothing to say. */
  readonly note: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isCloudWatch(o: Record<string, unknown>): boolean {
  return (typeof o['detail-type'] === 'string' && o['source'] === 'aws.cloudwatch') || (typeof o['AlarmName'] === 'string' && 'NewStateValue' in o);
}

/** The alert format of one JSON document (no SNS envelope around it). */
export function detectFormat(o: unknown): Exclude<SqsSourceMode, 'auto'> {
  if (!isRecord(o)) return 'generic';
  if (isCloudWatch(o)) return 'cloudwatch';
  if (Array.isArray(o['alerts']) && o['version'] === '4') return 'alertmanager';
  if (Array.isArray(o['alerts']) && o['version'] === '1' && 'orgId' in o) return 'grafana';
  if (typeof o['specversion'] === 'string') return 'cloudevents';
  return 'generic';
}

function snsType(o: Record<string, unknown>): 'Notification' | 'Confirmation' | null {
  if (typeof o['MessageId'] !== 'string' || typeof o['TopicArn'] !== 'string') return null;
  if (o['Type'] === 'Notification' && typeof o['Message'] === 'string') return 'Notification';
  if (o['Type'] === 'SubscriptionConfirmation' || o['Type'] === 'UnsubscribeConfirmation') return 'Confirmation';
  return null;
}

/**
 * Chooses the normalizer for one SQS message body. With `auto`: an SNS envelope is looked
 * into (`Message`), EventBridge CloudWatch alarm events and raw alarm messages are
 * `cloudwatch`, `version: "4"` + `alerts` is `alertmanager`, Grafana's `version: "1"` +
 * `orgId` is `grafana`, `specversion` is `cloudevents`, anything else `generic` (whose strict
 * schema then says what is wrong). The CloudWatch normalizer reads SNS envelopes itself, so
 * they are kept; for other formats the envelope is unwrapped (SNS without raw message
 * delivery). Text that is not JSON goes to the configured normalizer (generic for `auto`),
 * which rejects it with the reason.
 */
export function prepareMessage(raw: string, mode: SqsSourceMode): PreparedMessage {
  const parsed = parseJson(raw);
  if (!parsed.ok || !isRecord(parsed.value)) {
    return { source: mode === 'auto' ? 'generic' : mode, body: raw, note: mode === 'auto' ? 'source auto: not a JSON object, read as generic' : null };
  }
  const o = parsed.value;
  if (mode === 'cloudwatch') return { source: 'cloudwatch', body: raw, note: null };
  const sns = snsType(o);
  if (sns === 'Confirmation') {
    return { source: 'cloudwatch', body: raw, note: `SNS ${String(o['Type'])}: read by the cloudwatch normalizer` };
  }
  if (sns === 'Notification') {
    const messageId = String(o['MessageId']);
    const inner = parseJson(o['Message'] as string);
    const innerFormat = inner.ok ? detectFormat(inner.value) : null;
    if (mode === 'auto' && innerFormat === 'cloudwatch') {
      return { source: 'cloudwatch', body: raw, note: 'source auto: SNS envelope around a CloudWatch alarm' };
    }
    const source = mode === 'auto' ? (innerFormat ?? 'generic') : mode;
    return { source, body: o['Message'] as string, note: `unwrapped from SNS envelope MessageId ${messageId} (topic ${String(o['TopicArn'])})${mode === 'auto' ? `; source auto: ${source}` : ''}` };
  }
  if (mode !== 'auto') return { source: mode, body: raw, note: null };
  const source = detectFormat(o);
  return { source, body: raw, note: `source auto: ${source}` };
}
