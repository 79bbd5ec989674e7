/** Rows ready for one table, plus what was rejected (for OTLP partial_success). */
export interface Mapped {
  rows: unknown[][];
  rejected: number;
  message: string;
}
