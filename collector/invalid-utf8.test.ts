import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages, WARN_INVALID_UTF8 } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

/** `body` with each `marker` (ASCII, 2 bytes) replaced by the bytes 0xff 0xfe, which no UTF-8 text holds. */
function spoil(body: Buffer, marker: string): Buffer {
  for (let i = body.indexOf(marker); i >= 0; i = body.indexOf(marker, i + 2)) body.set([0xff, 0xfe], i);
  return body;
}

// Regression: a log record or a metric whose protobuf string held bytes that are not UTF-8 (proto3 requires it; a
// sender copying bytes from a Latin-1 source writes them) failed the whole request with 400 ("The encoded data was not
// valid for encoding utf-8"): the request's good records and points were lost. The text is now kept with U+FFFD in place
// of the invalid bytes, and said in partial_success with the string's place in the body.
describe('protobuf strings that are not UTF-8', () => {
  let h: Harness;
  const post = (path: string, body: Buffer) => h.post(path, body, 'application/x-protobuf');
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps log records and data points with U+FFFD in place of the bytes, with a warning', async () => {
    const logs = messages.logs.request;
    const rec = (body: string, more: object = {}) => ({ timeUnixNano: NOW, body: { stringValue: body }, ...more });
    const logBody = Buffer.from(
      logs
        .encode(
          logs.fromObject({
            resourceLogs: [{ resource: resource('utf8-logs'), scopeLogs: [{ logRecords: [rec('good'), rec('b~~d', { severityText: 'W~~N' })] }] }],
          }),
        )
        .finish(),
    );
    const res = await post('/v1/logs', spoil(logBody, '~~'));
    expect(res.status).toBe(200);
    const answer = decodeProtoResponse('logs', Buffer.from(await res.arrayBuffer())) as { partialSuccess: { errorMessage: string } };
    // The first spoiled string (the second record's body) starts at byte 66 of this body.
    expect(answer.partialSuccess.errorMessage).toBe(`2 kept: ${WARN_INVALID_UTF8} (first at byte 66 of the body)`);
    const metrics = messages.metrics.request;
    const metricBody = Buffer.from(
      metrics
        .encode(
          metrics.fromObject({
            resourceMetrics: [
              {
                resource: resource('utf8-metrics'),
                scopeMetrics: [{ metrics: [{ name: 'q~~ue', gauge: { dataPoints: [{ timeUnixNano: NOW, asDouble: 1 }] } }] }],
              },
            ],
          }),
        )
        .finish(),
    );
    const mres = await post('/v1/metrics', spoil(metricBody, '~~'));
    expect(mres.status).toBe(200);
    await h.collector.flush();
    expect(await h.rows(`SELECT Body, SeverityText FROM otel_logs WHERE ServiceName = 'utf8-logs' ORDER BY Body`)).toEqual([
      { Body: 'b\ufffd\ufffdd', SeverityText: 'W\ufffd\ufffdN' },
      { Body: 'good', SeverityText: '' },
    ]);
    expect(await h.rows(`SELECT MetricName FROM otel_metrics_gauge WHERE ServiceName = 'utf8-metrics'`)).toEqual([{ MetricName: 'q\ufffd\ufffdue' }]);
  });
});
