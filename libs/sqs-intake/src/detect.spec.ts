import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFormat, prepareMessage } from './detect';

const fixture = (p: string) => readFileSync(join(__dirname, '../../sources/fixtures', p), 'utf8');

const am = JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X' } }] });
const sns = (message: string, type = 'Notification') =>
  JSON.stringify({ Type: type, MessageId: 'm-1', TopicArn: 'arn:aws:sns:eu-west-1:1:t', Message: message, Timestamp: '2024-05-14T09:15:42.871Z' });

describe('prepareMessage (source auto)', () => {
  it('keeps SNS envelopes around CloudWatch alarms and EventBridge events for the cloudwatch normalizer', () => {
    const body = fixture('cloudwatch/sns-alarm.json');
    expect(prepareMessage(body, 'auto')).toEqual({ source: 'cloudwatch', body, note: 'source auto: SNS envelope around a CloudWatch alarm' });
    const snsEb = fixture('cloudwatch/sns-eventbridge.json');
    expect(prepareMessage(snsEb, 'auto')).toMatchObject({ source: 'cloudwatch', body: snsEb });
  });

  it('detects bare EventBridge events and raw alarm messages as cloudwatch', () => {
    const eb = fixture('cloudwatch/eventbridge-alarm.json');
    expect(prepareMessage(eb, 'auto')).toEqual({ source: 'cloudwatch', body: eb, note: 'source auto: cloudwatch' });
    const raw = (JSON.parse(fixture('cloudwatch/sns-alarm.json')) as { Message: string }).Message;
    expect(prepareMessage(raw, 'auto').source).toBe('cloudwatch');
    // An EventBridge event from another AWS service is not a CloudWatch alarm.
    expect(detectFormat({ 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: {} })).toBe('generic');
  });

  it('detects Alertmanager, Grafana, CloudEvents, and falls back to generic', () => {
    expect(prepareMessage(am, 'auto').source).toBe('alertmanager');
    expect(prepareMessage(fixture('grafana/firing.json'), 'auto').source).toBe('grafana');
    expect(prepareMessage(JSON.stringify({ specversion: '1.0', id: '1', source: 's', type: 't' }), 'auto').source).toBe('cloudevents');
    expect(prepareMessage(JSON.stringify({ labels: { a: 'b' }, status: 'firing' }), 'auto').source).toBe('generic');
    expect(prepareMessage(JSON.stringify({ version: '4' }), 'auto').source).toBe('generic');
  });

  it('unwraps an SNS envelope around another format (no raw message delivery)', () => {
    expect(prepareMessage(sns(am), 'auto')).toEqual({
      source: 'alertmanager',
      body: am,
      note: 'unwrapped from SNS envelope MessageId m-1 (topic arn:aws:sns:eu-west-1:1:t); source auto: alertmanager',
    });
    expect(prepareMessage(sns('not json'), 'auto')).toMatchObject({ source: 'generic', body: 'not json' });
  });

  it('hands text that is not JSON to generic, which rejects it with the reason', () => {
    expect(prepareMessage('oops {', 'auto')).toEqual({ source: 'generic', body: 'oops {', note: 'source auto: not a JSON object, read as generic' });
    expect(prepareMessage('[1,2]', 'auto').source).toBe('generic');
  });

  it('gives SNS subscription confirmations to the cloudwatch normalizer whatever the mode', () => {
    const conf = fixture('cloudwatch/sns-subscription-confirmation.json');
    expect(prepareMessage(conf, 'auto').source).toBe('cloudwatch');
    expect(prepareMessage(conf, 'alertmanager').source).toBe('cloudwatch');
  });
});

describe('prepareMessage (explicit source)', () => {
  it('uses the configured source, unwrapping SNS except for cloudwatch', () => {
    expect(prepareMessage(am, 'alertmanager')).toEqual({ source: 'alertmanager', body: am, note: null });
    expect(prepareMessage(sns(am), 'alertmanager')).toMatchObject({ source: 'alertmanager', body: am });
    const body = fixture('cloudwatch/sns-alarm.json');
    expect(prepareMessage(body, 'cloudwatch')).toEqual({ source: 'cloudwatch', body, note: null });
    // Not its format: the configured normalizer says why (and the message goes to the DLQ).
    expect(prepareMessage(am, 'cloudevents')).toEqual({ source: 'cloudevents', body: am, note: null });
    expect(prepareMessage('nope', 'cloudwatch')).toEqual({ source: 'cloudwatch', body: 'nope', note: null });
  });
});
