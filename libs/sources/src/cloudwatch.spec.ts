import { expectError, expectOk, fixture, fixtureObject } from '../fixtures/load';
import { cloudwatch } from './cloudwatch';

/** The alarm inside an SNS fixture's Message string. */
function messageOf(path: string): Record<string, unknown> {
  return JSON.parse(fixtureObject(path)['Message'] as string) as Record<string, unknown>;
}
/** An SNS fixture whose Message is replaced by `message` (serialized). */
function withMessage(path: string, message: unknown): Record<string, unknown> {
  return { ...fixtureObject(path), Message: JSON.stringify(message) };
}

const CPU_LABELS = {
  alertname: 'web-asg-cpu-high',
  aws_account: '123456789012',
  aws_region: 'eu-west-1',
  namespace: 'AWS/EC2',
  metric: 'CPUUtilization',
  dimension_AutoScalingGroupName: 'web-asg',
};

describe('cloudwatch', () => {
  describe('SNS envelope', () => {
    it('parses the Message string; MessageId is the delivery key; region code from AlarmArn', () => {
      const r = expectOk(cloudwatch.normalize(fixture('cloudwatch/sns-alarm.json')));
      expect(r.deliveryKey).toBe('5c6f32b1-9f7e-5d2a-8b1c-3e4f5a6b7c8d');
      expect(r.notes).toEqual([]);
      expect(r.alerts).toHaveLength(1);
      const [a] = r.alerts;
      expect(a?.labels).toEqual(CPU_LABELS);
      expect(a?.labels['aws_region']).not.toBe('EU (Ireland)');
      expect(a).toMatchObject({
        source: 'cloudwatch',
        status: 'firing',
        startsAt: '2024-05-14T09:15:42.807Z', // StateChangeTime, "+0000" offset
        endsAt: null,
        sourceFingerprint: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-asg-cpu-high',
        sourceUrl: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/web-asg-cpu-high',
      });
      expect(a?.annotations).toMatchObject({
        description: 'CPU above 80% for 10 minutes on the web tier',
        aws_state: 'ALARM',
        aws_previous_state: 'OK',
        aws_region_name: 'EU (Ireland)',
        aws_statistic: 'AVERAGE',
        aws_threshold: '80',
        aws_comparison_operator: 'GreaterThanThreshold',
        aws_topic_arn: 'arn:aws:sns:eu-west-1:123456789012:wolfe-alarms',
      });
      expect(a?.annotations['aws_state_reason']).toMatch(/^Threshold Crossed/);
    });

    it('maps OK to resolved with the same labels (same identity)', () => {
      const [a] = expectOk(cloudwatch.normalize(fixture('cloudwatch/sns-ok.json'))).alerts;
      expect(a?.labels).toEqual(CPU_LABELS);
      expect(a).toMatchObject({ status: 'resolved', startsAt: null, endsAt: '2024-05-14T09:45:42.112Z' });
      expect(a?.annotations['aws_state']).toBe('OK');
    });

    it('records INSUFFICIENT_DATA as resolved, with aws_state and a note', () => {
      const r = expectOk(cloudwatch.normalize(fixture('cloudwatch/sns-insufficient-data.json')));
      const [a] = r.alerts;
      expect(a?.labels).toEqual(CPU_LABELS);
      expect(a).toMatchObject({ status: 'resolved', endsAt: '2024-05-14T10:01:12.554Z' });
      expect(a?.annotations).toMatchObject({ aws_state: 'INSUFFICIENT_DATA', aws_previous_state: 'ALARM' });
      expect(r.notes).toEqual([
        'alarm "web-asg-cpu-high" is INSUFFICIENT_DATA: recorded as resolved with annotation aws_state=INSUFFICIENT_DATA (missing data never fires)',
      ]);
    });

    it('labels a metric-math alarm with its expression label and the metrics it reads', () => {
      const [a] = expectOk(cloudwatch.normalize(fixture('cloudwatch/sns-metric-math.json'))).alerts;
      expect(a?.labels).toEqual({
        alertname: 'api-5xx-ratio',
        aws_account: '123456789012',
        aws_region: 'us-east-1',
        metric: '5xx ratio (%)',
        namespace: 'AWS/ApplicationELB',
        dimension_LoadBalancer: 'app/api-prod/50dc6c495c0c9188',
      });
      expect(a?.annotations['aws_metric_expression']).toBe('100*(errors/requests)');
      expect(a?.annotations).not.toHaveProperty('description'); // AlarmDescription: null
    });

    it('leaves out a dimension whose metrics disagree, with a note', () => {
      const msg = messageOf('cloudwatch/sns-metric-math.json');
      const t = msg['Trigger'] as { Metrics: { Id: string; MetricStat?: { Metric: { Dimensions: { name: string; value: string }[] } } }[] };
      const requests = t.Metrics.find((m) => m.Id === 'requests');
      if (requests?.MetricStat) requests.MetricStat.Metric.Dimensions = [{ name: 'LoadBalancer', value: 'app/api-canary/1' }];
      const r = expectOk(cloudwatch.normalize(withMessage('cloudwatch/sns-metric-math.json', msg)));
      expect(r.alerts[0]?.labels).not.toHaveProperty('dimension_LoadBalancer');
      expect(r.notes[0]).toMatch(/dimension LoadBalancer has 2 different values/);
    });

    it('uses the expression itself when it has no label', () => {
      const msg = messageOf('cloudwatch/sns-metric-math.json');
      const t = msg['Trigger'] as { Metrics: Record<string, unknown>[] };
      delete t.Metrics[0]?.['Label'];
      const [a] = expectOk(cloudwatch.normalize(withMessage('cloudwatch/sns-metric-math.json', msg))).alerts;
      expect(a?.labels['metric']).toBe('100*(errors/requests)');
    });

    it('keeps dimension names exactly (no sanitizing that could collide)', () => {
      const msg = messageOf('cloudwatch/sns-alarm.json');
      (msg['Trigger'] as Record<string, unknown>)['Dimensions'] = [
        { name: 'Instance-Id', value: 'a' },
        { name: 'Instance_Id', value: 'b' },
        { Name: 'Capitalized', Value: 'c' },
      ];
      const [a] = expectOk(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', msg))).alerts;
      expect(a?.labels).toMatchObject({ 'dimension_Instance-Id': 'a', dimension_Instance_Id: 'b', dimension_Capitalized: 'c' });
    });

    it('labels a composite alarm (no Trigger) by name, account and region', () => {
      const msg = {
        AlarmName: 'checkout-degraded',
        AlarmDescription: 'latency AND errors',
        AWSAccountId: '123456789012',
        NewStateValue: 'ALARM',
        NewStateReason: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx-ratio transitioned to ALARM',
        StateChangeTime: '2024-05-14T09:30:00.000+0000',
        Region: 'EU (Ireland)',
        AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-degraded',
        OldStateValue: 'OK',
        AlarmRule: 'ALARM("api-5xx-ratio") AND ALARM("api-latency")',
      };
      const [a] = expectOk(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', msg))).alerts;
      expect(a?.labels).toEqual({ alertname: 'checkout-degraded', aws_account: '123456789012', aws_region: 'eu-west-1' });
      expect(a?.annotations['aws_alarm_rule']).toBe('ALARM("api-5xx-ratio") AND ALARM("api-latency")');
    });

    it('falls back to the topic region when the alarm has no ARN', () => {
      const msg = messageOf('cloudwatch/sns-alarm.json');
      delete msg['AlarmArn'];
      const r = expectOk(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', msg)));
      expect(r.alerts[0]?.labels['aws_region']).toBe('eu-west-1');
      expect(r.alerts[0]?.sourceFingerprint).toBeNull();
      expect(r.notes).toEqual(['alarm "web-asg-cpu-high" has no alarm ARN: aws_region taken from the SNS topic ARN']);
    });

    it('confirms a subscription: no alerts, the URL to GET', () => {
      const r = expectOk(cloudwatch.normalize(fixture('cloudwatch/sns-subscription-confirmation.json')));
      expect(r.alerts).toEqual([]);
      expect(r.deliveryKey).toBe('165545c9-2a5c-472c-8df2-7ff2be2b3b1b');
      expect(r.subscribeUrl).toMatch(/^https:\/\/sns\.eu-west-1\.amazonaws\.com\/\?Action=ConfirmSubscription&/);
      expect(r.notes[0]).toMatch(/subscription confirmation for topic arn:aws:sns:eu-west-1:123456789012:wolfe-alarms/);
    });

    it('records an unsubscribe confirmation as a note', () => {
      const p = { ...fixtureObject('cloudwatch/sns-subscription-confirmation.json'), Type: 'UnsubscribeConfirmation' };
      const r = expectOk(cloudwatch.normalize(p));
      expect(r.alerts).toEqual([]);
      expect(r.subscribeUrl).toBeUndefined();
      expect(r.notes[0]).toMatch(/unsubscribe confirmation/);
    });

    it('takes an EventBridge event inside SNS; its id is the delivery key', () => {
      const r = expectOk(cloudwatch.normalize(fixture('cloudwatch/sns-eventbridge.json')));
      expect(r.deliveryKey).toBe('c4c1c1c9-6542-e61b-6ef0-8c4d36933a92');
      expect(r.alerts[0]?.labels).toEqual(expectOk(cloudwatch.normalize(fixture('cloudwatch/eventbridge-alarm.json'))).alerts[0]?.labels);
      expect(r.alerts[0]?.annotations['aws_topic_arn']).toBe('arn:aws:sns:us-east-1:123456789012:wolfe-alarms');
    });
  });

  describe('raw message delivery', () => {
    it('normalizes the bare alarm; the anomaly band is not the metric', () => {
      const r = expectOk(cloudwatch.normalize(fixture('cloudwatch/raw-anomaly-alarm.json')));
      expect(r.deliveryKey).toBeNull(); // no envelope, no MessageId
      const [a] = r.alerts;
      expect(a?.labels).toEqual({
        alertname: 'RDS prod - CPU anomaly',
        aws_account: '123456789012',
        aws_region: 'us-west-1',
        metric: 'CPUUtilization',
        namespace: 'AWS/RDS',
        dimension_DBInstanceIdentifier: 'orders-prod',
      });
      expect(a?.sourceUrl).toBe('https://us-west-1.console.aws.amazon.com/cloudwatch/home?region=us-west-1#alarmsV2:alarm/RDS%20prod%20-%20CPU%20anomaly');
    });

    it('gives the same labels as the SNS envelope', () => {
      const raw = expectOk(cloudwatch.normalize(messageOf('cloudwatch/sns-alarm.json')));
      expect(raw.alerts[0]?.labels).toEqual(CPU_LABELS);
    });

    it('never uses the display region name', () => {
      const msg = messageOf('cloudwatch/sns-alarm.json');
      delete msg['AlarmArn'];
      const r = expectOk(cloudwatch.normalize(msg));
      expect(r.alerts[0]?.labels).not.toHaveProperty('aws_region');
      expect(r.alerts[0]?.annotations['aws_region_name']).toBe('EU (Ireland)');
      expect(r.notes[0]).toMatch(/no aws_region label \(the display name "EU \(Ireland\)" is not a region code\)/);
    });
  });

  describe('EventBridge', () => {
    it('normalizes a single-metric alarm state change; id is the delivery key', () => {
      const r = expectOk(cloudwatch.normalize(fixture('cloudwatch/eventbridge-alarm.json')));
      expect(r.deliveryKey).toBe('c4c1c1c9-6542-e61b-6ef0-8c4d36933a92');
      const [a] = r.alerts;
      expect(a?.labels).toEqual({
        alertname: 'ServerCpuTooHigh',
        aws_account: '123456789012',
        aws_region: 'us-east-1',
        metric: 'CPUUtilization',
        namespace: 'AWS/EC2',
        dimension_InstanceId: 'i-12345678901234567',
      });
      expect(a).toMatchObject({ status: 'firing', startsAt: '2024-05-14T17:04:40.989Z', endsAt: null });
      expect(a?.annotations).toMatchObject({ aws_state: 'ALARM', aws_previous_state: 'OK', aws_statistic: 'Average', aws_threshold: '50' });
    });

    it('resolves with startsAt from the previous ALARM state', () => {
      const [a] = expectOk(cloudwatch.normalize(fixture('cloudwatch/eventbridge-ok.json'))).alerts;
      expect(a).toMatchObject({ status: 'resolved', startsAt: '2024-05-14T17:04:40.989Z', endsAt: '2024-05-14T17:34:40.990Z' });
    });

    it('labels a metric-math alarm', () => {
      const [a] = expectOk(cloudwatch.normalize(fixture('cloudwatch/eventbridge-metric-math.json'))).alerts;
      expect(a?.labels).toMatchObject({ metric: 'Total Network Traffic', namespace: 'AWS/EC2', dimension_InstanceId: 'i-12345678901234567' });
      expect(a?.annotations['aws_metric_expression']).toBe('SUM(METRICS())');
    });
  });

  describe('rejects', () => {
    it('a Message that is not JSON', () => {
      expectError(
        cloudwatch.normalize({ ...fixtureObject('cloudwatch/sns-alarm.json'), Message: 'ALARM: web-asg-cpu-high' }),
        'Message',
        /^Message: expected a JSON string holding a CloudWatch alarm, got text that is not JSON/,
      );
      expectError(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', [1])), 'Message', /got JSON holding an array/);
    });
    it('a Message that is an object instead of a string', () => {
      expectError(cloudwatch.normalize({ ...fixtureObject('cloudwatch/sns-alarm.json'), Message: messageOf('cloudwatch/sns-alarm.json') }), 'Message', /expected a string, got an object/);
    });
    it('a bad field inside Message, with the Message. prefix', () => {
      const msg = messageOf('cloudwatch/sns-alarm.json');
      expectError(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', { ...msg, NewStateValue: 'FIRING' })), 'Message.NewStateValue', /expected one of "ALARM", "OK", "INSUFFICIENT_DATA", got a string \("FIRING"\)/);
      expectError(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', { ...msg, StateChangeTime: '14/05/24 09:15' })), 'Message.StateChangeTime', /is not an ISO-8601 time/);
      expectError(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', { ...msg, AlarmName: undefined })), 'Message.AlarmName', /got nothing/);
      expectError(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', { ...msg, AlarmArn: 'web-asg-cpu-high' })), 'Message.AlarmArn', /expected a CloudWatch alarm ARN/);
      const trig = { ...(msg['Trigger'] as object), Dimensions: [{ name: 'InstanceId' }] };
      expectError(cloudwatch.normalize(withMessage('cloudwatch/sns-alarm.json', { ...msg, Trigger: trig })), 'Message.Trigger.Dimensions[0]', /expected \{ "name": string, "value": string \}/);
    });
    it('the same problems in a raw message, without prefix', () => {
      const msg = messageOf('cloudwatch/sns-alarm.json');
      expectError(cloudwatch.normalize({ ...msg, NewStateValue: 'ok' }), 'NewStateValue');
      expectError(cloudwatch.normalize({ ...msg, Trigger: { ...(msg['Trigger'] as object), Threshold: '80' } }), 'Trigger.Threshold', /expected a number, got a string/);
    });
    it('an unknown SNS Type and a missing MessageId', () => {
      expectError(cloudwatch.normalize({ ...fixtureObject('cloudwatch/sns-alarm.json'), Type: 'Notice' }), 'Type', /expected one of "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"/);
      expectError(cloudwatch.normalize({ ...fixtureObject('cloudwatch/sns-alarm.json'), MessageId: undefined }), 'MessageId');
    });
    it('a SubscribeURL that is not an SNS endpoint (no request forgery)', () => {
      const p = fixtureObject('cloudwatch/sns-subscription-confirmation.json');
      expectError(cloudwatch.normalize({ ...p, SubscribeURL: 'http://169.254.169.254/latest/meta-data/' }), 'SubscribeURL', /expected an https:\/\/sns\.<region>\.amazonaws\.com\/ URL/);
      expectError(cloudwatch.normalize({ ...p, SubscribeURL: 'https://sns.eu-west-1.amazonaws.com.evil.example/' }), 'SubscribeURL');
      expectError(cloudwatch.normalize({ ...p, SubscribeURL: undefined }), 'SubscribeURL');
    });
    it('other EventBridge events and bad state values', () => {
      const p = fixtureObject('cloudwatch/eventbridge-alarm.json');
      expectError(cloudwatch.normalize({ ...p, 'detail-type': 'CloudWatch Alarm Configuration Change' }), 'detail-type', /only state changes are alerts/);
      expectError(cloudwatch.normalize({ ...p, source: 'aws.ec2' }), 'source', /expected "aws.cloudwatch"/);
      expectError(cloudwatch.normalize({ ...p, id: '' }), 'id', /non-empty string/);
      const detail = p['detail'] as Record<string, unknown>;
      expectError(cloudwatch.normalize({ ...p, detail: { ...detail, state: { value: 'ALARM', timestamp: 'now' } } }), 'detail.state.timestamp', /"now" is not an ISO-8601 time/);
      expectError(cloudwatch.normalize({ ...p, detail: { ...detail, state: { value: 'BROKEN', timestamp: '2024-05-14T17:04:40Z' } } }), 'detail.state.value');
      expectError(cloudwatch.normalize({ ...p, resources: ['arn:aws:cloudwatch:nowhere:1:alarm:x'] }), 'resources[0]', /expected a CloudWatch alarm ARN/);
    });
    it('a Lambda event and unknown JSON', () => {
      expectError(cloudwatch.normalize({ Records: [{ Sns: {} }] }), 'Records', /Lambda SNS event is not accepted/);
      expectError(cloudwatch.normalize({ hello: 'world' }), null, /^not a CloudWatch alarm/);
      expectError(cloudwatch.normalize('{"Type":"Notification"}'), null, /expected a JSON object/);
    });
  });
});
