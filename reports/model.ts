/**
 * A compliance report as plain data: sections of tables and charts, built by pure functions from
 * what the report source read. Every rendering (PDF, CSV, JSON) reads this and nothing else.
 */

import type { StoppedPairing } from '../analyzer/index.ts';

/** A table cell: text, a number, or nothing (rendered as an empty cell / "—"). */
export type Cell = string | number | null;

export interface Column {
  key: string;
  label: string;
  /** Relative width in the PDF (default 1). */
  width?: number;
}

export interface Table {
  /** File-name-safe id, unique within the section: the CSV is `csv/<section>-<table>.csv`. */
  id: string;
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** Said instead of an empty table. */
  empty: string;
  /** Column keys left out of the PDF (too wide for a page); the CSV and JSON keep every column. */
  pdfOmit?: string[];
  /** Printed on landscape pages in the PDF (wide tables). */
  landscape?: boolean;
}

/** A chart: an ECharts option (plain JSON), rendered server-side to SVG. */
export interface Chart {
  id: string;
  title: string;
  option: Record<string, unknown>;
  height?: number;
}

export type SectionId = 'inventory' | 'processing-record' | 'processing-integrity' | 'monitoring-coverage' | 'exceptions' | 'catalog-history' | 'audit-log';

export interface Section {
  id: SectionId;
  title: string;
  /** Paragraphs before the tables: what the section shows and its key figures. */
  summary: string[];
  /** Figures shown as a strip of key numbers. */
  figures: Array<{ label: string; value: string | number }>;
  tables: Table[];
  charts: Chart[];
  /** Set when the data behind the section is not recorded in this installation (and why). */
  notRecorded?: string;
}

/** The period a report covers, ISO 8601 UTC. */
export interface Period {
  since: string;
  until: string;
}

/**
 * The windows a stopped Weft's embedded store was paired with before the report read it (`weft report --data`), and
 * where each came from (`pairStoppedStore`): the flow figures include the runs this pairing found.
 */
export interface ReportPairing {
  pairedWith: Omit<StoppedPairing, 'result'>;
}

export interface Report {
  version: 1;
  id: string;
  title: string;
  generatedAt: string;
  period: Period;
  /**
   * The exact window flow figures (runs, records, errors, last seen) cover: the period's whole minutes, both
   * ends rounded down ([since, until); equal when the period holds no whole minute, and no flow is counted).
   */
  flowWindow: Period;
  /**
   * What the figures are as of (`dataAsOfText`): what Weft had stored when the report was made, and that data about the
   * period stored later is counted only by a report made later (added within version 1).
   */
  dataAsOf: string;
  /** Who asked for it (token name, "weft report", a schedule id). */
  requestedBy: string;
  catalog: { sha256: string | null; loadedAt: string | null; sources: string[]; note: string };
  /** Present only when the report paired a stopped Weft's store first (added within version 1). */
  pairing?: ReportPairing;
  sections: Section[];
}

/** Wraps a data set a section needs that another part may not record in this installation. */
export type Recorded<T> = { recorded: true; rows: T[] } | { recorded: false; reason: string };

export const NOT_RECORDED = 'not recorded in this installation';
