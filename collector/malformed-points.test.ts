import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtoResponse, messages } from './otlp/proto-codec.ts';
import { startHarness, type Harness } from './test/harness.ts';

const NOW = String(BigInt(Date.now()) * 1_000_000n);
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const resource = (service: string) => ({ attributes: [str('service.name', service)] });

/** The partial_success message for `counts` refusals per reason, each with the path of its first. */
const message = (...parts: [count: number, reason: string, first: string][]) => parts.map(([n, r, f]) => `${n} rejected: ${r} (first at ${f})`).join('; ');

const UNREADABLE_TIME =
  'data points with a start or time that is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1 (a negative, a fraction, an exponent, text)';
const NO_TIME = 'data points without a time (timeUnixNano unset or 0, which OTLP says a consumer should refuse)';
const BAD_VALUE = 'data points whose asInt is not a 64-bit integer or whose asDouble (or a histogram sum, min or max) is not a number';
const BAD_EXEMPLAR =
  'data points with an exemplar whose time is not nanoseconds since the epoch as a whole number from 0 to 2^64 - 1, whose value is not a number, or whose trace id or span id has the wrong length (a trace id is 16 bytes, in OTLP/JSON 32 hex characters; a span id 8 bytes, 16 hex)';
const BUCKETS = 'histogram data points with bucketCounts that are neither empty nor one more than their explicitBounds';
const BAD_COUNT = 'histogram data points whose count or a bucket count is not a whole number from 0 to 2^64 - 1 (a negative, a fraction, text)';
const COUNT_SUM = 'histogram data points whose count is not the sum of their bucketCounts';
const BOUNDS = 'histogram data points whose explicitBounds are not strictly increasing numbers';

// Regression: a data point OTLP/JSON sent with a time that is no uint64 ("-1", "yesterday", a fraction, past 2^64 - 1,
// a bare number past 2^53), or with a malformed exemplar, was a 400 for the whole request: the points beside it were
// lost. A histogram point with a negative count was a 500 (the row writer threw); one whose bucket counts did not fit
// its bounds, or did not add up to its count, was stored; asInt "twelve" was stored as NaN. Each is now refused alone
// in partial_success (rejected_data_points), from OTLP/JSON and protobuf alike.
describe('malformed data points', () => {
  let h: Harness;
  const post = (path: string, body: Buffer | string, type: string) => h.post(path, body, type);
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses each malformed point alone from OTLP/JSON and stores the others', async () => {
    const g = (more: object) => ({ timeUnixNano: NOW, asDouble: 1, ...more });
    const gauge = [
      g({ attributes: [str('p', 'kept')] }),
      g({ timeUnixNano: '-1' }),
      g({ timeUnixNano: 'yesterday' }),
      g({ startTimeUnixNano: `${NOW}.5` }),
      g({ timeUnixNano: '18446744073709551616' }),
      g({ timeUnixNano: 'BARE' }),
      g({ timeUnixNano: undefined }),
      { timeUnixNano: NOW, asInt: 'twelve' },
      g({ asDouble: 'abc' }),
      g({ exemplars: [{ timeUnixNano: '-1', asDouble: 1 }] }),
      g({ exemplars: [{ timeUnixNano: NOW, asDouble: 1, spanId: 'abc' }] }),
      g({ timeUnixNano: `00${NOW}`, attributes: [str('p', 'leading zeros')], exemplars: [{ timeUnixNano: NOW, asInt: '7', spanId: 'eee19b7ec3c1b174' }] }),
    ];
    const sum = [
      { timeUnixNano: NOW, asInt: '5' },
      { timeUnixNano: NOW, asInt: '99999999999999999999' },
    ];
    const hp = (more: object) => ({ timeUnixNano: NOW, count: '3', sum: 6, bucketCounts: ['1', '2'], explicitBounds: [10], ...more });
    const histogram = [
      hp({ attributes: [str('p', 'kept')] }),
      hp({ bucketCounts: ['1', '1', '1'] }),
      hp({ count: '-3' }),
      hp({ bucketCounts: ['-1', '4'] }),
      hp({ count: '5' }),
      hp({ bucketCounts: ['1', '1', '1'], explicitBounds: [10, 5] }),
      { timeUnixNano: NOW, count: '7', sum: 12, attributes: [str('p', 'no buckets')] },
      hp({ sum: 'abc' }),
    ];
    const body = {
      resourceMetrics: [
        {
          resource: resource('bad-points-json'),
          scopeMetrics: [
            {
              metrics: [
                { name: 'g', gauge: { dataPoints: gauge } },
                { name: 's', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: sum } },
                { name: 'h', histogram: { aggregationTemporality: 2, dataPoints: histogram } },
              ],
            },
          ],
        },
      ],
    };
    // A bare JSON number past 2^53 (and past 2^64 - 1), as a hand-written exporter may send it.
    const res = await post('/v1/metrics', JSON.stringify(body).replace('"BARE"', '99999999999999999999'), 'application/json');
    expect(res.status).toBe(200);
    const at = 'resourceMetrics[0].scopeMetrics[0].metrics';
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: 17,
        errorMessage: message(
          [5, UNREADABLE_TIME, `${at}[0].gauge.dataPoints[1].timeUnixNano`],
          [1, NO_TIME, `${at}[0].gauge.dataPoints[6].timeUnixNano`],
          [4, BAD_VALUE, `${at}[0].gauge.dataPoints[7].asInt`],
          [2, BAD_EXEMPLAR, `${at}[0].gauge.dataPoints[9].exemplars[0].timeUnixNano`],
          [1, BUCKETS, `${at}[2].histogram.dataPoints[1].bucketCounts`],
          [2, BAD_COUNT, `${at}[2].histogram.dataPoints[2].count`],
          [1, COUNT_SUM, `${at}[2].histogram.dataPoints[4].count`],
          [1, BOUNDS, `${at}[2].histogram.dataPoints[5].explicitBounds[1]`],
        ),
      },
    });
    await h.collector.flush();
    const where = `WHERE ServiceName = 'bad-points-json' ORDER BY Attributes['p']`;
    expect(
      await h.rows(
        `SELECT Attributes['p'] AS p, toString(toUnixTimestamp64Nano(TimeUnix)) AS time, Value, Exemplars.SpanId AS ex FROM otel_metrics_gauge ${where}`,
      ),
    ).toEqual([
      { p: 'kept', time: NOW, Value: 1, ex: [] },
      { p: 'leading zeros', time: NOW, Value: 1, ex: ['eee19b7ec3c1b174'] },
    ]);
    expect(await h.rows(`SELECT Value FROM otel_metrics_sum ${where}`)).toEqual([{ Value: 5 }]);
    expect(await h.rows(`SELECT Attributes['p'] AS p, Count, BucketCounts, ExplicitBounds FROM otel_metrics_histogram ${where}`)).toEqual([
      { p: 'kept', Count: 3, BucketCounts: [1, 2], ExplicitBounds: [10] },
      { p: 'no buckets', Count: 7, BucketCounts: [], ExplicitBounds: [] },
    ]);
  });

  // Regression: an aggregationTemporality name the collector does not know was stored as -1 without a word.
  it('keeps the points of a metric whose aggregationTemporality name is unknown, as unspecified, and says so', async () => {
    const body = {
      resourceMetrics: [
        {
          resource: resource('weekly-json'),
          scopeMetrics: [
            { metrics: [{ name: 'w', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_WEEKLY', dataPoints: [{ timeUnixNano: NOW, asInt: '4' }] } }] },
          ],
        },
      ],
    };
    const res = await post('/v1/metrics', JSON.stringify(body), 'application/json');
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedDataPoints: 0,
        errorMessage:
          '1 kept: metrics with an unknown aggregationTemporality name (stored as 0, unspecified) (first at resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality)',
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT Value, AggregationTemporality FROM otel_metrics_sum WHERE ServiceName = 'weekly-json'`)).toEqual([
      { Value: 4, AggregationTemporality: 0 },
    ]);
  });

  it('refuses a point without a time, with an exemplar id of the wrong length, or with buckets that do not fit, from protobuf', async () => {
    const request = {
      resourceMetrics: [
        {
          resource: resource('bad-points-proto'),
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'g',
                  gauge: {
                    dataPoints: [
                      { timeUnixNano: NOW, asDouble: 1 },
                      { asDouble: 2 },
                      { timeUnixNano: NOW, asDouble: 3, exemplars: [{ timeUnixNano: NOW, asDouble: 1, traceId: Buffer.from('abcdef', 'hex') }] },
                    ],
                  },
                },
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      { timeUnixNano: NOW, count: 3, bucketCounts: [1, 2], explicitBounds: [10] },
                      { timeUnixNano: NOW, count: 3, bucketCounts: [3], explicitBounds: [10] },
                      { timeUnixNano: NOW, count: 4, bucketCounts: [1, 2], explicitBounds: [10] },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const t = messages.metrics.request;
    const res = await post('/v1/metrics', Buffer.from(t.encode(t.fromObject(request)).finish()), 'application/x-protobuf');
    expect(res.status).toBe(200);
    const at = 'resourceMetrics[0].scopeMetrics[0].metrics';
    expect(decodeProtoResponse('metrics', Buffer.from(await res.arrayBuffer()))).toEqual({
      partialSuccess: {
        rejectedDataPoints: 4,
        errorMessage: message(
          [1, NO_TIME, `${at}[0].gauge.dataPoints[1].timeUnixNano`],
          [1, BAD_EXEMPLAR, `${at}[0].gauge.dataPoints[2].exemplars[0].traceId`],
          [1, BUCKETS, `${at}[1].histogram.dataPoints[1].bucketCounts`],
          [1, COUNT_SUM, `${at}[1].histogram.dataPoints[2].count`],
        ),
      },
    });
    await h.collector.flush();
    expect(await h.rows(`SELECT Value FROM otel_metrics_gauge WHERE ServiceName = 'bad-points-proto'`)).toEqual([{ Value: 1 }]);
    expect(await h.rows(`SELECT Count FROM otel_metrics_histogram WHERE ServiceName = 'bad-points-proto'`)).toEqual([{ Count: 3 }]);
  });
});
