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
  };
}

export interface ReconcileProgress {
  phase: 'connect' | 'bisect' | 'recheck' | 'done';
  message: string;
  level?: number;
  segments?: number;
  differing?: number;
}
