import { ERR_OTLP_EXPANDS_TOO_MUCH } from '../otlp/limits.ts';
import { count } from '../../core/text/index.ts';

/**
 * The row bytes one request may expand to (`IngestLimits.maxExpandedBytes`). Whatever a
 * request repeats per row (its resource, its scope) is charged before the rows are built, so
 * a small request that would copy megabytes into thousands of rows is refused with 413 before
 * any memory is spent on it; the row writer's own cap bounds the rest.
 */
export class ExpansionBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Charges `rows` rows that each carry `bytesPerRow` repeated bytes; `what` names them for the message. */
  charge(rows: number, bytesPerRow: number, what: string): void {
    this.used += rows * bytesPerRow;
    if (this.used > this.limit) {
      throw ERR_OTLP_EXPANDS_TOO_MUCH(this.limit, `${what}: ${count(bytesPerRow, 'byte')} repeated in each of ${count(rows, 'row')}`);
    }
  }
}
