/**
 * A pair of keys that one system may take for one record: they differ only by letter case, trailing
 * spaces or Unicode normalisation form (found among the missing and extra keys), or the `collation`
 * of one side's key column compares them equal (that side's database found the other key when asked
 * for this one). Reported as missing / extra, never matched; `keyNoteAdvice` says what to change.
 */
export interface KeyNote {
  left: string;
  right: string;
  why: 'case' | 'trailing-space' | 'case+trailing-space' | 'unicode-form' | 'collation';
}

/** One key-level reconciliation run, as stored and shown. */
export interface ChangedSample {
  key: string;
  columns: Array<{ column: string; left: string | null; right: string | null }>;
}

export interface ReconciliationRun {
  runId: string;
  reconcileId: string;
  domain: string;
  leftSystem: string;
  rightSystem: string;
  startedAt: Date;
  finishedAt: Date;
  status: 'ok' | 'error';
  error: string;
  leftRows: number;
  rightRows: number;
  /** Keys in the left side (system of record) missing from the right. */
  missing: number;
  /** Keys in the right side that the left does not have. */
  extra: number;
  /** Keys in both whose compared columns differ. */
  changed: number;
  /** Keys that differed in the snapshot but had changed again by the recheck (writes during the run). */
  changedDuringRun: number;
  sampleMissing: string[];
  sampleExtra: string[];
  sampleChanged: string[];
  queries: number;
  rowsDownloaded: number;
  checksumRows: number;
  details: {
    levels: number;
    durationMs: number;
    changedColumns: ChangedSample[];
    /** Rows whose hashes differed only in JSON columns holding equal JSON (key order, spacing, 1.0 against 1): not counted as changed. */
    jsonFormatOnly?: number;
    /** integer: one integer key bisected by its ranges; hashed: string, UUID, decimal or composite keys bisected by key hash. */
    keyMode?: 'integer' | 'hashed';
    /**
     * A missing key and an extra key that differ only by letter case or trailing spaces: a
     * collation or padding difference between the databases (e.g. MariaDB's PAD SPACE, _ci),
     * reported here and counted as missing + extra, never matched.
     */
    keyNotes?: KeyNote[];
    /** Compared columns whose values cannot be compared exactly as configured (an instant against a wall-clock time of unknown zone): what was assumed and what to set. */
    columnNotes?: Array<{ column: string; note: string }>;
  };
}

export interface ReconcileProgress {
  phase: 'connect' | 'bisect' | 'recheck' | 'done';
  message: string;
  level?: number;
  segments?: number;
  differing?: number;
}
