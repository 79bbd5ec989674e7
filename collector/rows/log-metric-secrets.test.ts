import { describe, expect, it } from 'vitest';
import { defaultIngestLimits, IngestReport } from '../otlp/limits.ts';
import { logRows } from './log-rows.ts';
import { metricRows } from './metric-rows.ts';
import { tables, type TableName } from './tables.ts';

/** [key, value as sent, value as stored]: the secrets span attributes lose, in a log record's and a data point's attributes. */
const ATTRS: [string, string, string][] = [
  [
    'url.full',
    'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/XyZ123abcDEF456ghiJKL789',
    'https://hooks.slack.com/services/T0001ABCD/B0002EFGH/REDACTED',
  ],
  ['url.path', '/api/keys/ak_live_2x9QmZ8pLk3', '/api/keys/REDACTED'],
  ['app.download_url', 'https://b.s3.amazonaws.com/o?X-Amz-Signature=ab12cd34ef', 'https://b.s3.amazonaws.com/o?X-Amz-Signature=REDACTED'],
  ['upstream.auth', 'NTLM TlRMTVNTUAADAAAAGAAYAEgAAAAYABgAYAAAAA==', 'NTLM REDACTED'],
  ['llm.config', 'key sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-AA', 'key REDACTED'],
  ['http.request.header.x-api-key', '["K3yK3y"]', '["REDACTED"]'],
  ['order.id', 'ORD-2026-000042', 'ORD-2026-000042'],
];
const SECRETS = ['YIIGhgYG', 'XyZ123abc', 'ak_live_2x9QmZ8pLk3', 'ab12cd34ef', 'TlRMTVNT', 'Ab1Cd2Ef3Gh4', 'K3yK3y', 'T0k3nT0k3n'];
/** A recorded header as semantic conventions give it, a string array. */
const HEADER = { key: 'http.request.header.authorization', value: { arrayValue: { values: [{ stringValue: 'Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag' }] } } };
const attributes = () => [...ATTRS.map(([key, value]) => ({ key, value: { stringValue: value } })), HEADER];
const stored = () => ({ ...Object.fromEntries(ATTRS.map(([k, , v]) => [k, v])), 'http.request.header.authorization': '["REDACTED"]' });
const ctx = () => ({ limits: defaultIngestLimits(20 << 20), report: new IngestReport() });
const column = (table: TableName, row: unknown[], name: string) => row[tables[table].fields.findIndex((f) => f.column === name)];
const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'orders-sync' } }] };

describe('secrets in log records and data points are redacted as in spans', () => {
  it("a log record's attributes, its scope's, and its body", () => {
    const body = 'GET https://api.example.com/v1/export?token=T0k3nT0k3n failed: NTLM TlRMTVNTUAADAAAAGAAYAEgAAAAYABgAYAAAAA==.';
    const { rows } = logRows(
      {
        resourceLogs: [
          {
            resource,
            scopeLogs: [
              {
                scope: { attributes: attributes() },
                logRecords: [{ timeUnixNano: '1764230400000000000', body: { stringValue: body }, attributes: attributes() }],
              },
            ],
          },
        ],
      },
      ctx(),
    );
    expect({ ...(column('otel_logs', rows[0], 'LogAttributes') as object) }).toEqual(stored());
    expect({ ...(column('otel_logs', rows[0], 'ScopeAttributes') as object) }).toEqual(stored());
    expect(column('otel_logs', rows[0], 'Body')).toBe('GET https://api.example.com/v1/export?token=REDACTED failed: NTLM REDACTED.');
    for (const s of SECRETS) expect(JSON.stringify(rows)).not.toContain(s);
  });

  it("a data point's attributes and its exemplar's", () => {
    const { gauge } = metricRows(
      {
        resourceMetrics: [
          {
            resource,
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'webhook.calls',
                    gauge: {
                      dataPoints: [
                        {
                          timeUnixNano: '1764230400000000000',
                          asInt: '3',
                          attributes: attributes(),
                          exemplars: [{ timeUnixNano: '1764230400000000000', asInt: '1', filteredAttributes: attributes() }],
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
      ctx(),
    );
    expect({ ...(column('otel_metrics_gauge', gauge[0], 'Attributes') as object) }).toEqual(stored());
    const exemplars = column('otel_metrics_gauge', gauge[0], 'Exemplars.FilteredAttributes') as object[];
    expect({ ...exemplars[0] }).toEqual(stored());
    for (const s of SECRETS) expect(JSON.stringify(gauge)).not.toContain(s);
  });
});
