import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const UNREADABLE_TIME =
  'log records with a time or observed time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text)';
const BAD_IDS =
  'log records with a trace id or span id of the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex)';
const BASE64_IDS = 'log records with ids in base64 (OTLP/JSON writes trace and span ids as hex, not as the base64 of protobuf JSON)';
const UNKNOWN_SEVERITY =
  'log records with an unknown severityNumber (a name this collector does not know, or a number outside 0 to 24), stored as 0 (unspecified)';

const request = (service: string, logRecords: object[]) => ({
  resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeLogs: [{ logRecords }] }],
});

// Regression: a log record OTLP/JSON sent with a time or observed time that is no uint64 ("-1", "yesterday", a
// fraction, past 2^64 - 1, a bare number past 2^53), or with a trace or span id of the wrong length (from protobuf
// too), was a 400 for the whole request: the records beside it were lost. A severityNumber sent by its name
// ("SEVERITY_NUMBER_WARN", as protobuf's JSON mapping allows) was a 400 too. Each bad record is now refused alone in
// partial_success (rejected_log_records); a severity name is read, an unknown one kept as 0 with a warning.
describe('malformed log records', () => {
  let h: Harness;
  const post = (path: string, body: Buffer | string, type: string) => h.post(path, body, type);
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses each malformed record alone from OTLP/JSON and stores the others', async () => {
    const r = (body: string, more: object = {}) => ({ timeUnixNano: NOW, body: { stringValue: body }, ...more });
    const records = [
      r('kept', { traceId: TRACE, spanId: SPAN, severityNumber: 9 }),
      r('negative', { timeUnixNano: '-1' }),
      r('text', { timeUnixNano: 'yesterday' }),
      r('fraction', { timeUnixNano: `${NOW}.5` }),
      r('past 2^64', { timeUnixNano: '18446744073709551616' }),
      r('bare', { timeUnixNano: 'BARE' }),
      r('observed negative', { observedTimeUnixNano: '-1' }),
      r('observed text', { timeUnixNano: undefined, observedTimeUnixNano: 'x' }),
      r('short trace id', { traceId: 'abc' }),
      r('bad span id', { spanId: 'zz' }),
      r('base64 trace id', { traceId: Buffer.from(TRACE, 'hex').toString('base64') }),
      r('severity name', { severityNumber: 'SEVERITY_NUMBER_WARN' }),
      r('unknown severity name', { severityNumber: 'LOUD' }),
      r('leading zeros', { timeUnixNano: `000${NOW}` }),
      r('observed only', { timeUnixNano: undefined, observedTimeUnixNano: NOW }),
    ];
    const body = JSON.stringify(request('bad-logs-json', records)).replace('"BARE"', '99999999999999999999');
    const res = await post('/v1/logs', body, 'application/json');
    expect(res.status).toBe(200);
    const at = 'resourceLogs[0].scopeLogs[0].logRecords';
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: 10,
        errorMessage: [
          `7 rejected: ${UNREADABLE_TIME} (first at ${at}[1].timeUnixNano)`,
          `2 rejected: ${BAD_IDS} (first at ${at}[8].traceId)`,
          `1 rejected: ${BASE64_IDS} (first at ${at}[10].traceId)`,
          `1 kept: ${UNKNOWN_SEVERITY} (first at ${at}[12].severityNumber)`,
        ].join('; '),
      },
    });
    await h.collector.flush();
    expect(
      await h.rows(
        `SELECT Body, toString(toUnixTimestamp64Nano(Timestamp)) AS time, TraceId, SpanId, SeverityNumber
         FROM otel_logs WHERE ServiceName = 'bad-logs-json' ORDER BY Body`,
      ),
    ).toEqual([
      { Body: 'kept', time: NOW, TraceId: TRACE, SpanId: SPAN, SeverityNumber: 9 },
      { Body: 'leading zeros', time: NOW, TraceId: '', SpanId: '', SeverityNumber: 0 },
      { Body: 'observed only', time: NOW, TraceId: '', SpanId: '', SeverityNumber: 0 },
      { Body: 'severity name', time: NOW, TraceId: '', SpanId: '', SeverityNumber: 13 },
      { Body: 'unknown severity name', time: NOW, TraceId: '', SpanId: '', SeverityNumber: 0 },
    ]);
  });

  it('refuses a record with a trace or span id of the wrong length alone, from protobuf', async () => {
    const hex = (s: string) => Buffer.from(s, 'hex');
    const r = (body: string, more: object = {}) => ({ timeUnixNano: NOW, body: { stringValue: body }, ...more });
    const t = messages.logs.request;
    const req = request('bad-logs-proto', [
      r('kept', { traceId: hex(TRACE), spanId: hex(SPAN) }),
      r('short trace id', { traceId: hex('abcdef') }),
      r('long span id', { spanId: hex(`${SPAN}00`) }),
      r('no ids'),
    ]);
    const res = await post('/v1/logs', Buffer.from(t.encode(t.fromObject(req)).finish()), 'application/x-protobuf');
    expect(res.status).toBe(200);
    expect(decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer()))).toEqual({
      partialSuccess: { rejectedLogRecords: 2, errorMessage: `2 rejected: ${BAD_IDS} (first at resourceLogs[0].scopeLogs[0].logRecords[1].traceId)` },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT Body, TraceId FROM otel_logs WHERE ServiceName = 'bad-logs-proto' ORDER BY Body`)).toEqual([
      { Body: 'kept', TraceId: TRACE },
      { Body: 'no ids', TraceId: '' },
    ]);
  });
});
