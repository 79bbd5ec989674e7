import type { Catalog } from '../../core/catalog/index.ts';
import { severities, type Finding } from '../../core/contracts/index.ts';
import type { Observations } from '../evaluate/observations.ts';
import type { Alert } from '../model/alert.ts';
import type { ReceiverHealth } from '../store/alert-store.ts';

/** Flows exported per-flow gauges at most (catalog flows only: cardinality bounded by the catalog). */
export const MAX_FLOW_SERIES = 500;

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;
const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : 'NaN');

function gauge(name: string, help: string, samples: Array<[Record<string, string>, number]>): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([l, v]) => `${name}${Object.keys(l).length ? labelText(l) : ''} ${num(v)}`)].join(
    '\n',
  );
}

/**
 * Weft's gauges in the Prometheus text format (0.0.4), so users can alert from their own Prometheus:
 * open findings by kind and severity, firing alerts by severity, per catalog flow its p95 latency and
 * error rate over the last 5 minutes, per catalog receiver whether its deliveries succeed, and the pairing watermark. Labels come from the catalog only, never from telemetry, so the
 * number of series is bounded by the catalog (and MAX_FLOW_SERIES).
 */
export function renderMetrics(input: {
  findings: Finding[];
  alerts: Alert[];
  catalog: Catalog;
  observations: Observations | null;
  receivers?: ReceiverHealth[];
}): string {
  const byKind = new Map<string, number>();
  for (const f of input.findings) {
    const k = `${f.kind}\u0000${f.severity}`;
    byKind.set(k, (byKind.get(k) ?? 0) + 1);
  }
  const firing = severities.map((s): [Record<string, string>, number] => [
    { severity: s },
    input.alerts.filter((a) => a.state === 'firing' && a.severity === s).length,
  ]);
  const window = input.observations?.windows.get(300_000);
  const flows = input.catalog.flows.filter((f) => f.lifecycle === 'active').slice(0, MAX_FLOW_SERIES);
  const p95: Array<[Record<string, string>, number]> = [];
  const err: Array<[Record<string, string>, number]> = [];
  for (const f of flows) {
    const s = window?.get(f.id);
    if (!s || s.traces === 0) continue;
    // No sample for a flow whose runs carry no duration (OpenLineage without START): absent, not 0 s.
    if (s.p95Ms !== null) p95.push([{ flow: f.id }, s.p95Ms / 1000]);
    err.push([{ flow: f.id }, s.failedTraces / s.traces]);
  }
  // Receivers of the catalog only (bounded labels): one whose latest attempt failed is down until one succeeds.
  const declared = new Set((input.catalog.receivers ?? []).map((r) => r.id));
  const receivers = (input.receivers ?? []).filter((r) => declared.has(r.receiver));
  return [
    gauge(
      'weft_findings_open',
      'Open and acknowledged findings by kind and severity.',
      [...byKind].map(([k, v]) => [{ kind: k.split('\u0000')[0], severity: k.split('\u0000')[1] }, v]),
    ),
    gauge('weft_alerts_firing', 'Firing alerts by severity.', firing),
    gauge('weft_flow_latency_p95_seconds', 'p95 latency of each catalog flow over the last 5 minutes, seconds.', p95),
    gauge('weft_flow_error_ratio', 'Share of failed runs of each catalog flow over the last 5 minutes (0..1).', err),
    // Findings about silence (stale-flow) count only up to what is paired: a pairing that stopped hides them, so its
    // watermark is exported for an operator's own rule (time() - this > a few late-arrival windows: Weft is behind).
    gauge(
      'weft_pairing_paired_until_timestamp_seconds',
      'Flow edges are known up to this moment (the pairing watermark at the last alert evaluation; Unix time, seconds); absent before the first evaluation.',
      input.observations ? [[{}, Date.parse(input.observations.pairedUntil) / 1000]] : [],
    ),
    gauge(
      'weft_alert_receiver_up',
      '1 when the latest notification delivery attempt to the receiver (last 7 days) succeeded, 0 when it failed; absent when there was none.',
      receivers.map((r) => [{ receiver: r.receiver }, r.ok ? 1 : 0]),
    ),
    gauge(
      'weft_alert_receiver_last_success_timestamp_seconds',
      'When a notification was last delivered to the receiver (Unix time, seconds; last 7 days).',
      receivers.flatMap((r): Array<[Record<string, string>, number]> =>
        r.lastSuccessAt ? [[{ receiver: r.receiver }, Date.parse(r.lastSuccessAt) / 1000]] : [],
      ),
    ),
    '',
  ].join('\n');
}
