import type { Signal } from '../rows/tables.ts';
import type { Segment } from '../spool/segment.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The collector's own counters, rendered in the Prometheus text format at /metrics. */
export class SelfMetrics {
  readonly accepted: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  /** Items refused inside an accepted request (partial_success). */
  readonly rejectedItems: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  /** Requests answered as accepted without being stored again: the same bytes as a request stored lately (RecentRequests). */
  readonly duplicateRequests: Record<Signal, number> = { traces: 0, metrics: 0, logs: 0 };
  /**
   * Whole requests refused, by HTTP status; the statuses the collector answers start at 0, so an alert on
   * `rejected_requests_total{status="401"}` sees a series before the first refusal (Prometheus's advice for labels known in advance).
   */
  readonly rejectedRequests = new Map<number, number>([400, 401, 403, 408, 413, 415, 429, 503].map((s) => [s, 0]));
  readonly insertedRows = new Map<string, number>();
  insertErrors = 0;
  segmentsQueued = 0;
  /** Segments split because the store refused them whole (too many partitions). */
  segmentsSplit = 0;
  /** Segments (and their rows) set aside after the store kept refusing them, this run and before. */
  quarantinedSegments = 0;
  quarantinedRows = 0;
  private readonly latencyBuckets = BUCKETS.map(() => 0);
  private latencySum = 0;
  private latencyCount = 0;

  rejectRequest(status: number): void {
    this.rejectedRequests.set(status, (this.rejectedRequests.get(status) ?? 0) + 1);
  }

  /** weft_span_touches rows the collector classified and stored (counted under `inserted_rows_total`). */
  observeTouches(rows: number): void {
    this.insertedRows.set('weft_span_touches', (this.insertedRows.get('weft_span_touches') ?? 0) + rows);
  }

  observeInsert(segment: Segment, seconds: number): void {
    this.insertedRows.set(segment.table, (this.insertedRows.get(segment.table) ?? 0) + segment.rows);
    this.latencySum += seconds;
    this.latencyCount++;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.latencyBuckets[i]++;
    });
  }

  render(gauges: { queuedRows: number; spooledBytes: number; spoolMaxBytes: number }): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    metric(
      'weft_collector_accepted_total',
      'counter',
      'Spans, data points and log records accepted and spooled.',
      Object.entries(this.accepted).map(([s, n]) => `weft_collector_accepted_total{signal="${s}"} ${n}`),
    );
    metric(
      'weft_collector_rejected_items_total',
      'counter',
      'Items refused inside accepted requests (partial_success).',
      Object.entries(this.rejectedItems).map(([s, n]) => `weft_collector_rejected_items_total{signal="${s}"} ${n}`),
    );
    metric(
      'weft_collector_duplicate_requests_total',
      'counter',
      'Traces requests identical to one stored in the last 10 minutes (an exporter retrying a request whose answer it did not get): accepted, not stored again.',
      Object.entries(this.duplicateRequests).map(([s, n]) => `weft_collector_duplicate_requests_total{signal="${s}"} ${n}`),
    );
    metric(
      'weft_collector_rejected_requests_total',
      'counter',
      'Requests refused, by HTTP status.',
      [...this.rejectedRequests].map(([c, n]) => `weft_collector_rejected_requests_total{status="${c}"} ${n}`),
    );
    metric('weft_collector_queued_rows', 'gauge', 'Rows in open spool segments, waiting to be sealed.', [`weft_collector_queued_rows ${gauges.queuedRows}`]);
    metric('weft_collector_queued_segments', 'gauge', 'Sealed spool segments waiting to be inserted.', [
      `weft_collector_queued_segments ${this.segmentsQueued}`,
    ]);
    metric('weft_collector_spooled_bytes', 'gauge', 'Bytes on disk in the spool, not yet inserted.', [`weft_collector_spooled_bytes ${gauges.spooledBytes}`]);
    metric('weft_collector_spool_max_bytes', 'gauge', 'Spool size above which ingest answers 503.', [`weft_collector_spool_max_bytes ${gauges.spoolMaxBytes}`]);
    metric(
      'weft_collector_inserted_rows_total',
      'counter',
      'Rows inserted into ClickHouse, by table.',
      [...this.insertedRows].map(([t, n]) => `weft_collector_inserted_rows_total{table="${t}"} ${n}`),
    );
    metric('weft_collector_insert_errors_total', 'counter', 'Failed segment inserts (retried).', [`weft_collector_insert_errors_total ${this.insertErrors}`]);
    metric('weft_collector_segments_split_total', 'counter', 'Spool segments split by day because one insert spanned too many partitions.', [
      `weft_collector_segments_split_total ${this.segmentsSplit}`,
    ]);
    metric('weft_collector_quarantined_segments', 'gauge', 'Spool segments the store refused, set aside on disk (*.quarantine).', [
      `weft_collector_quarantined_segments ${this.quarantinedSegments}`,
    ]);
    metric('weft_collector_quarantined_rows', 'gauge', 'Acknowledged rows in quarantined spool segments (not stored).', [
      `weft_collector_quarantined_rows ${this.quarantinedRows}`,
    ]);
    metric('weft_collector_insert_duration_seconds', 'histogram', 'Time to insert one spool segment.', [
      ...BUCKETS.map((b, i) => `weft_collector_insert_duration_seconds_bucket{le="${b}"} ${this.latencyBuckets[i]}`),
      `weft_collector_insert_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`,
      `weft_collector_insert_duration_seconds_sum ${this.latencySum}`,
      `weft_collector_insert_duration_seconds_count ${this.latencyCount}`,
    ]);
    return `${out.join('\n')}\n`;
  }
}
