import type { TableName } from '../rows/tables.ts';

/** One spool file: rows for one table, written in order, loaded in one INSERT. */
export interface Segment {
  table: TableName;
  /** Unique across runs: `<run>.<seq>`; the insert deduplication token derives from it. */
  id: string;
  path: string;
  rows: number;
  bytes: number;
  /**
   * otel_traces segments whose spans the collector classified (collector/touches/): their
   * weft_span_touches rows are stored by the collector, so the load marks the spans as classified
   * and the SQL classification skips them. `touches` is the companion file holding those rows,
   * absent once they are stored (the parts of a segment split after its touches were loaded).
   */
  classified?: boolean;
  touches?: { path: string; rows: number; bytes: number };
}

/** `otel_traces.<run>.<seq>.ready`: file names sort in load order within a table. */
export const segmentName = (table: TableName, id: string, state: 'open' | 'ready' | 'quarantine') => `${table}.${id}.${state}`;

/**
 * The sidecar that records how much of a segment is committed (acknowledged): `<bytes> <rows>`, and for
 * a classified segment `<bytes> <rows> <touch bytes> <touch rows>`.
 */
export const commitPath = (segmentPath: string) => segmentPath.replace(/\.(open|ready|quarantine)$/, '.commit');

/** The companion file of a classified segment: its weft_span_touches rows (RowBinary), whatever the segment's state. */
export const touchesPath = (segmentPath: string) => segmentPath.replace(/\.(open|ready|quarantine)$/, '.touches');

export function parseSegmentName(file: string): { table: string; id: string; state: string } | undefined {
  // Ids of the parts a refused segment was split into carry a suffix: `<run>.<seq>-<part>`.
  const m = /^([a-z_]+)\.([0-9a-z]+\.[0-9]+(?:-[0-9]+)*)\.(open|ready|commit|touches|quarantine)$/.exec(file);
  return m ? { table: m[1], id: m[2], state: m[3] } : undefined;
}

/** The token that makes loading the same segment twice store its rows once. */
export const dedupToken = (segment: Segment) => `weft-spool-${segment.table}-${segment.id}`;

/** The token of a segment's touches (see `dedupToken`). */
export const touchesDedupToken = (segment: Segment) => `weft-spool-weft_span_touches-${segment.id}`;
