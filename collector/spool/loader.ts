import { createReadStream, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Store } from '../../clickhouse/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import { loadStatement, tables } from '../rows/tables.ts';
import type { SelfMetrics } from '../http/self-metrics.ts';
import { dedupToken, type Segment } from './segment.ts';

/** Errors that retrying cannot fix: the segment is set aside (renamed `.failed`) and reported. */
const POISON = /Cannot parse|CANNOT_PARSE|INCORRECT_DATA|Syntax error|TYPE_MISMATCH|Unknown (column|identifier)/i;

/**
 * Loads sealed segments into ClickHouse one at a time, in order. The embedded engine reads the
 * segment file itself (`INSERT … SELECT FROM file(…)`); a server gets the file streamed as the
 * body of `INSERT … SELECT FROM input(…)`. Each load carries the segment's deduplication token,
 * so a segment loaded again after a crash stores nothing twice. A store outage is retried with
 * backoff; the segment stays on disk meanwhile.
 */
export class Loader {
  private readonly queue: Segment[] = [];
  private running = false;
  private stopped = false;
  private waiters: (() => void)[] = [];
  private wake?: () => void;
  lastError?: string;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly metrics: SelfMetrics,
    private readonly onLoaded: (segment: Segment) => void,
  ) {}

  enqueue(segment: Segment): void {
    this.queue.push(segment);
    this.metrics.segmentsQueued = this.queue.length;
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
    let failures = 0;
    while (this.queue.length > 0 && !this.stopped) {
      const segment = this.queue[0];
      const started = performance.now();
      try {
        await this.load(segment);
        this.metrics.observeInsert(segment, (performance.now() - started) / 1000);
        failures = 0;
        this.lastError = undefined;
        // Freeing a large file takes a while: off the event loop.
        await rm(segment.path, { force: true });
        this.queue.shift();
        this.onLoaded(segment);
      } catch (err) {
        const message = (err as Error).message ?? String(err);
        this.lastError = message;
        this.metrics.insertErrors++;
        if (POISON.test(message)) {
          this.logger.error({ segment: segment.path, err: message }, 'spool segment cannot be loaded; set aside as .failed');
          renameSync(segment.path, segment.path.replace(/\.ready$/, '.failed'));
          this.queue.shift();
          this.onLoaded(segment);
          continue;
        }
        failures++;
        const delay = Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
        this.logger.warn({ segment: segment.path, err: message, retryInMs: delay }, 'loading a spool segment failed; will retry');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      this.metrics.segmentsQueued = this.queue.length;
    }
    this.running = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async load(segment: Segment): Promise<void> {
    const spec = tables[segment.table];
    const clickhouse_settings = {
      insert_deduplicate: 1,
      insert_deduplication_token: dedupToken(segment),
      deduplicate_blocks_in_dependent_materialized_views: 1,
    } as const;
    if (this.store.kind === 'embedded') {
      await this.store.client.command({ query: loadStatement(spec, { file: segment.path }), clickhouse_settings });
      return;
    }
    const result = await this.store.client.exec({
      query: loadStatement(spec, 'input', this.store.database),
      values: createReadStream(segment.path),
      clickhouse_settings: { ...clickhouse_settings, insert_distributed_sync: 1 },
    });
    result.stream.resume();
    await new Promise<void>((resolve, reject) => {
      result.stream.on('end', resolve);
      result.stream.on('error', reject);
    });
  }
}
