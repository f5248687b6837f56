import { makeAttachment, makeDelivery, makeExecution, makeLog, makeStep, ts } from '@wolfe/store-contract';
import {
  databaseFromUrl,
  fromAttachmentDoc,
  fromAttachmentInfoDoc,
  fromDeliveryDoc,
  fromEventDoc,
  fromExecutionDoc,
  fromLogDoc,
  fromStepDoc,
  toAttachmentDoc,
  toDate,
  toDeliveryDoc,
  toEventDoc,
  toExecutionDoc,
  toLogDoc,
  toStepDoc,
} from './documents';

// The server-side behaviour is covered by the contract suite (needs WOLFE_TEST_MONGODB_URL);
// these check the conversions at the edge of the adapter, which need no server.
describe('mongodb documents', () => {
  it('stores timestamps as Dates and labels as ordered pairs, and converts back exactly', () => {
    const labels = { alertname: 'Überlast', 'dotted.name': 'x', $dollar: 'y', __proto__x: 'z', 'nul\u0000name': 'v' };
    const { delivery, events } = makeDelivery(1, {}, { labels, decision: 'matched', decidedAt: ts(5) });
    const [event] = events;
    if (!event) throw new Error('fixture');
    const doc = toEventDoc(event);
    expect(doc._id).toBe(event.id);
    expect(doc.receivedAt).toBeInstanceOf(Date);
    expect(doc.decidedAt).toEqual(new Date(ts(5)));
    expect(doc.endsAt).toBeNull();
    expect(doc.labels).toEqual(Object.entries(labels).map(([k, v]) => ({ k, v })));
    expect(fromEventDoc(doc)).toStrictEqual(event);
    expect(fromDeliveryDoc(toDeliveryDoc(delivery))).toStrictEqual(delivery);
  });

  it('keeps a label literally named __proto__ as a plain key', () => {
    const { events } = makeDelivery(1, {}, { labels: JSON.parse('{"__proto__":"evil","a":"b"}') as Record<string, string> });
    const [event] = events;
    if (!event) throw new Error('fixture');
    const back = fromEventDoc(toEventDoc(event));
    expect(Object.keys(back.labels)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back.labels)).toBe(Object.prototype);
  });

  it('stores results and log fields as JSON text (any key is legal) and null as null', () => {
    const result = { $set: { 'a.b': 1 }, list: [null, 'ü'] };
    const execution = makeExecution({ result, status: 'succeeded', finishedAt: ts(9) });
    const doc = toExecutionDoc(execution);
    expect(doc.result).toBe(JSON.stringify(result));
    expect(fromExecutionDoc(doc)).toStrictEqual(execution);
    expect(toExecutionDoc(makeExecution({ result: null })).result).toBeNull();
    expect(toExecutionDoc(makeExecution({ result: undefined })).result).toBeNull();

    const line = makeLog('e1', 3, { fields: { 'k.dot': { $x: 1 } } });
    expect(toLogDoc(line).fields).toBe('{"k.dot":{"$x":1}}');
    expect(fromLogDoc(toLogDoc(line))).toStrictEqual(line);
  });

  it('stores step times as Dates and converts a step back exactly, running or finished', () => {
    const running = makeStep('e1', 0, { name: 'measure /var ünï' });
    const doc = toStepDoc(running);
    expect(doc.startedAt).toBeInstanceOf(Date);
    expect(doc.finishedAt).toBeNull();
    expect(doc).not.toHaveProperty('_id'); // the upsert's replacement document: the server keeps its _id
    expect(fromStepDoc(doc)).toStrictEqual(running);
    const failed = makeStep('e1', 1, { status: 'failed', finishedAt: ts(9), error: 'RangeError: full' });
    expect(toStepDoc(failed).finishedAt).toEqual(new Date(ts(9)));
    expect(fromStepDoc(toStepDoc(failed))).toStrictEqual(failed);
    // What the driver hands back carries _id: it does not leak into the record.
    expect(fromStepDoc({ ...toStepDoc(failed), _id: 'oid' } as ReturnType<typeof toStepDoc>)).toStrictEqual(failed);
  });

  it('keeps attachment data as JSON text (any key is legal) and lists without it', () => {
    const a = makeAttachment('e1', 2, { data: JSON.stringify([{ 'k.dot': 1, $set: 'x', '': null }]) });
    const doc = toAttachmentDoc(a);
    expect(doc.data).toBe(a.data);
    expect(fromAttachmentDoc(doc)).toStrictEqual(a);
    const { data: _data, ...info } = a;
    expect(fromAttachmentInfoDoc(doc)).toStrictEqual(info);
  });

  it('rejects a timestamp that is not a date instead of storing an invalid Date', () => {
    expect(() => toDate('yesterday')).toThrow(RangeError);
    expect(() => toExecutionDoc(makeExecution({ createdAt: '' }))).toThrow(RangeError);
  });

  it('reads the database name from the connection string path', () => {
    expect(databaseFromUrl('mongodb://localhost:27017')).toBeUndefined();
    expect(databaseFromUrl('mongodb://localhost:27017/')).toBeUndefined();
    expect(databaseFromUrl('mongodb://u:p%40ss@a:1,b:2/wolfe_prod?replicaSet=rs0')).toBe('wolfe_prod');
    expect(databaseFromUrl('mongodb+srv://cluster0.example.net/ops?retryWrites=true')).toBe('ops');
    expect(databaseFromUrl('mongodb://h/?directConnection=true')).toBeUndefined();
  });
});
