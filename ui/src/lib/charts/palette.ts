import type { Severity } from '../api/types.ts';

// Colours shared by the charts and the legends beside them.
export const palette = {
  system: '#2456a6',
  group: '#6c8ebf',
  unknown: '#c0392b',
  deprecated: '#d68910',
  documented: '#5d6d7e',
  undocumented: '#c0392b',
  unobserved: '#b3b9c0',
  throughput: '#2456a6',
  records: '#17a589',
  errors: '#c0392b',
  p95: '#8e44ad',
  p50: '#85929e',
};

/** A finding's severity as a colour (graph nodes and flows take their worst open finding's). */
export const severityColor: Record<Severity, string> = {
  critical: '#7b241c',
  high: '#e74c3c',
  medium: '#e67e22',
  low: '#d4ac0d',
  info: '#3498db',
};
