import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { StatementSettings, Store } from '../../clickhouse/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import { segmentRows } from '../rows/row-binary-reader.ts';
import { loadStatement, tables } from '../rows/tables.ts';
import type { SelfMetrics } from '../http/self-metrics.ts';
import { touchesSpec } from '../touches/touch-rows.ts';
import { dedupToken, touchesDedupToken, type Segment } from './segment.ts';
import type { Spool } from './spool.ts';

/** Errors that retrying cannot fix: the segment is set aside at once. */
const POISON = /Cannot parse|CANNOT_PARSE|INCORRECT_DATA|Syntax error|TYPE_MISMATCH|Unknown (column|identifier)/i;
/** The store refuses one insert spanning more partitions than `max_partitions_per_insert_block`. */
const TOO_MANY_PARTITIONS = /too many partitions|TOO_MANY_PARTS/i;
/** Days (partitions) per part when a segment is split for spanning too many. */
const DAYS_PER_PART = 50;
/**
 * The mark of spans whose touches the collector stored: an INSERT into otel_traces carrying it is not
 * classified again in SQL (migration 033's weft_spans_unclassified_mv compares `log_comment` with it).
 */
export const CLASSIFIED_MARK = 'weft:classified';

/**
 * The settings of an insert into otel_traces whose spans the views classify (migration 033's weft_span_touches_mv and
 * those restating it): every insert of a ClickHouse server's collector, an embedded segment without touches, and any
 * other writer that can set them (docs/scaling.md says how for an OpenTelemetry Collector's user). The classification
 * is ten layers of `SELECT *, … AS alias` over one span whose last columns pick among many branches (`multiIf`); the
 * engine's short-circuit evaluation computes a branch's arguments only for its rows, and computes again, for each such
 * branch, every alias of the layers below it that the branch reads. On spans with varied attributes (3,000 of
 * collector/touches/parity-corpus.ts) that was 1.9–2.3 ms of CPU a span; evaluated once for all rows, 0.12–0.21 ms, the
 * same rows; on the bench's SDK spans (49,152 in one insert) 28–33 µs against 42–55. Evaluating every branch is safe
 * because no function of the views on otel_traces can throw on a value (numeric conversions of numbers, constant
 * divisors, `OrZero` parsing): a view that adds one must keep that so, and the parity test runs every branch on
 * thousands of spans with these settings.
 */
export const SQL_CLASSIFICATION_SETTINGS: StatementSettings = { short_circuit_function_evaluation: 'disable' };

export interface LoaderOptions {
  store: Store;
  logger: Logger;
  metrics: SelfMetrics;
  spool: Pick<Spool, 'loaded' | 'quarantine' | 'replaceWithParts'>;
  /** Failed loads of one segment while the store answers before the segment is set aside. */
  maxAttempts: number;
}

/** The settings a segment's insert takes for the views to classify its spans: a segment of spans, SQL_CLASSIFICATION_SETTINGS. */
const classifying = (segment: Segment): StatementSettings => (segment.table === 'otel_traces' ? SQL_CLASSIFICATION_SETTINGS : {});

/**
 * Loads sealed segments into ClickHouse one at a time, in order. The embedded engine reads the
 * segment file itself (`INSERT … SELECT FROM file(…)`); a server gets the file streamed as the
 * body of `INSERT … SELECT FROM input(…)`. Each load carries the segment's deduplication token,
 * so a segment loaded again after a crash stores nothing twice. A classified segment (embedded)
 * loads its touches file into weft_span_touches first, with a token of its own, then its spans
 * marked `CLASSIFIED_MARK`: a pairing run that sees the spans sees their touches.
 *
 * No segment may block the ones behind it. A store outage (the table does not answer even a
 * trivial query) is retried with backoff for as long as it lasts. A segment the store refuses
 * while it answers is handled by kind: one spanning too many partitions is split by day into
 * parts the store accepts; any other is retried `maxAttempts` times and then set aside
 * (`*.quarantine`, with the error beside it), counted in /metrics and /readyz, and logged.
 */
export class Loader {
  private readonly queue: Segment[] = [];
  /** Classified segments whose touches were stored by this run (their spans not yet). */
  private readonly touchesStored = new WeakSet<Segment>();
  private running = false;
  private stopped = false;
  private waiters: (() => void)[] = [];
  private wake?: () => void;
  lastError?: string;

  constructor(private readonly o: LoaderOptions) {}

  enqueue(segment: Segment): void {
    this.queue.push(segment);
    this.o.metrics.segmentsQueued = this.queue.length;
    if (!this.running) void this.drain();
  }

  /** Resolves once every segment enqueued so far is stored (or set aside). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async drain(): Promise<void> {
    this.running = true;
    let outages = 0;
    let attempts = 0;
    while (this.queue.length > 0 && !this.stopped) {
      const segment = this.queue[0];
      const started = performance.now();
      try {
        await this.load(segment);
        this.o.metrics.observeInsert(segment, (performance.now() - started) / 1000);
        outages = attempts = 0;
        this.lastError = undefined;
        // Freeing a large file takes a while: off the event loop.
        await rm(segment.path, { force: true });
        if (segment.touches) await rm(segment.touches.path, { force: true });
        this.queue.shift();
        this.o.spool.loaded(segment);
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        this.lastError = message;
        this.o.metrics.insertErrors++;
        const handled = await this.refused(segment, message, () => ++attempts).catch((e: Error) => {
          this.o.logger.error({ segment: segment.path, err: e.message }, 'handling a refused spool segment failed; will retry');
          return false;
        });
        if (handled) {
          attempts = 0;
          this.lastError = undefined;
        } else {
          outages++;
          const delay = Math.min(30_000, 250 * 2 ** Math.min(outages, 7));
          this.o.logger.warn({ segment: segment.path, err: message, retryInMs: delay }, 'loading a spool segment failed; will retry');
          await this.sleep(delay);
        }
      }
      this.o.metrics.segmentsQueued = this.queue.length;
    }
    this.running = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Deals with a segment the store refused: true when it was split or set aside (the queue moved
   * on), false to retry it after a delay (an outage, or attempts left).
   */
  private async refused(segment: Segment, message: string, attempt: () => number): Promise<boolean> {
    if (TOO_MANY_PARTITIONS.test(message) && (await this.split(segment))) return true;
    if (POISON.test(message) || ((await this.storeAnswers(segment)) && attempt() >= this.o.maxAttempts)) {
      this.setAside(segment, message);
      return true;
    }
    return false;
  }

  /** Splits a segment by day into parts of at most DAYS_PER_PART days (halving again for a part); false when it cannot be split. */
  private async split(segment: Segment): Promise<boolean> {
    const data = await readFile(segment.path);
    const rows = segmentRows(tables[segment.table], data);
    const days = [...new Set(rows.map((r) => r.day))].sort((a, b) => a - b);
    if (days.length < 2) return false;
    const perPart = segment.id.includes('-') ? Math.ceil(days.length / 2) : DAYS_PER_PART;
    const partOf = new Map(days.map((d, i) => [d, Math.floor(i / perPart)]));
    const parts = Array.from({ length: Math.ceil(days.length / perPart) }, () => ({ ranges: [] as Buffer[], rows: 0 }));
    for (const r of rows) {
      const part = parts[partOf.get(r.day) ?? 0];
      part.ranges.push(data.subarray(r.start, r.end));
      part.rows++;
    }
    // The parts of a segment whose touches are stored are classified spans; otherwise SQL classifies them.
    const replaced = this.o.spool.replaceWithParts(
      segment,
      parts.map((p) => ({ data: Buffer.concat(p.ranges), rows: p.rows })),
      this.touchesAreStored(segment),
    );
    this.queue.splice(0, 1, ...replaced);
    this.o.metrics.segmentsSplit++;
    this.o.logger.warn(
      { segment: segment.path, days: days.length, parts: replaced.length },
      'spool segment spans too many partitions for one insert; split by day',
    );
    return true;
  }

  /**
   * Loads a classified segment's touches (none left: stored before a split); true when they are
   * stored. The engine refusing them as unreadable leaves the spans to the SQL classification
   * (false, logged) rather than setting the spans aside; any other error is thrown (retried).
   */
  private async loadTouches(segment: Segment): Promise<boolean> {
    if (this.touchesAreStored(segment)) return true;
    if (!segment.touches) return false;
    const settings = {
      insert_deduplicate: 1,
      insert_deduplication_token: touchesDedupToken(segment),
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // Spans of many days are split by day below; their touches go to monthly rollups in one insert.
      max_partitions_per_insert_block: 0,
    } as const;
    try {
      await this.o.store.client.command({ query: loadStatement(touchesSpec, { file: segment.touches.path }, undefined, settings) });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (!POISON.test(message)) throw err;
      this.o.logger.error(
        { segment: segment.touches.path, err: message },
        'the store refuses the touches of a spool segment; its spans are classified in SQL instead',
      );
      return false;
    }
    this.touchesStored.add(segment);
    this.o.metrics.observeTouches(segment.touches.rows);
    return true;
  }

  /** A classified segment whose touches are in the store: stored by this run, or before it was split (no touches file left). */
  private touchesAreStored(segment: Segment): boolean {
    return Boolean(segment.classified) && (!segment.touches || this.touchesStored.has(segment));
  }

  private setAside(segment: Segment, message: string): void {
    const path = this.o.spool.quarantine(segment, message);
    this.queue.shift();
    this.o.metrics.quarantinedSegments++;
    this.o.metrics.quarantinedRows += segment.rows;
    this.o.logger.error(
      { segment: path, rows: segment.rows, err: message },
      'the store refuses this spool segment; set aside (quarantined) so later data keeps loading — rename it to .ready to retry at the next start',
    );
  }

  /** Whether the store answers a trivial query on the segment's table (if not, this is an outage). */
  private async storeAnswers(segment: Segment): Promise<boolean> {
    try {
      const r = await this.o.store.client.query({ query: `SELECT 1 FROM \`${segment.table}\` LIMIT 0`, format: 'JSONEachRow' });
      await r.json();
      return true;
    } catch {
      return false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async load(segment: Segment): Promise<void> {
    const spec = tables[segment.table];
    // Embedded: in the statement, so that they hold for this insert only (the embedded engine keeps
    // settings given beside a query for its session: every later insert would carry this token).
    // Server: as the request's parameters, which hold for that request.
    const settings = {
      insert_deduplicate: 1,
      insert_deduplication_token: dedupToken(segment),
      deduplicate_blocks_in_dependent_materialized_views: 1,
    } as const;
    if (this.o.store.kind === 'embedded') {
      const classified = segment.classified && (await this.loadTouches(segment));
      const marked: StatementSettings = classified ? { ...settings, log_comment: CLASSIFIED_MARK } : { ...settings, ...classifying(segment) };
      await this.o.store.client.command({ query: loadStatement(spec, { file: segment.path }, undefined, marked) });
      return;
    }
    const result = await this.o.store.client.exec({
      query: loadStatement(spec, 'input', this.o.store.database),
      values: createReadStream(segment.path),
      clickhouse_settings: { ...settings, ...classifying(segment), insert_distributed_sync: 1 },
    });
    result.stream.resume();
    await new Promise<void>((resolve, reject) => {
      result.stream.on('end', resolve);
      result.stream.on('error', reject);
    });
  }
}
