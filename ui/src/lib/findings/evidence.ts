import { duration, isIsoTime, when } from '../format.ts';

/**
 * A finding's evidence as something to read: nested objects become labelled fields, lists of records
 * (runs of a hop, recent counts, changed columns) become tables, durations and counts are written out,
 * times are written as everywhere else in the UI (format.ts `when`). Never raw JSON: every finding
 * kind's evidence is plain data of these shapes.
 */
export type EvidenceValue =
  | {
      type: 'text';
      text: string;
      mono?: boolean;
      /** The text is this ISO 8601 time written for people; the view keeps the exact value (datetime, title). */
      time?: string;
    }
  | { type: 'fields'; fields: EvidenceField[] }
  | { type: 'table'; columns: string[]; rows: EvidenceValue[][] };

/** One labelled piece of evidence ("silent for", "hop", "runs"). */
export interface EvidenceField {
  key: string;
  value: EvidenceValue;
}

const nf = new Intl.NumberFormat('en');
/** Keys holding a share from 0 to 1 (errorRate, thresholdRate): written as a percentage. */
const RATE = /Rate$/;
const rate = (v: number) => `${new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(v * 100)}%`;
/** Nesting past this depth is written on one line ("a: 1, b: 2"). */
const MAX_DEPTH = 4;

/**
 * A finding's evidence as rows to show: sample trace ids apart (they become links), the rest as label +
 * value. Shares (keys ending in `Rate`, and a `threshold` beside one) are written as percentages.
 */
export function evidenceRows(evidence: Record<string, unknown>): { traces: string[]; rows: EvidenceField[] } {
  const traces: string[] = [];
  const rows: EvidenceField[] = [];
  const rated = Object.keys(evidence).some((k) => RATE.test(k));
  for (const [key, value] of Object.entries(evidence)) {
    if (/trace/i.test(key) && (Array.isArray(value) || typeof value === 'string')) {
      for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string' && id) traces.push(id);
      continue;
    }
    rows.push(rated && key === 'threshold' ? { key: spaced(key), value: toValue(value, 0, 'thresholdRate') } : field(key, value, 0));
  }
  return { traces: [...new Set(traces)], rows };
}

/** "silentForMs" → "silent for", "sorCount" → "sor count". */
export function spaced(key: string): string {
  return key
    .replace(/Ms$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMono = (key: string) => /Id$|^id$|fingerprint|^endpoint$/.test(key);

function field(key: string, value: unknown, depth: number): EvidenceField {
  return { key: spaced(key), value: toValue(value, depth, key) };
}

function toValue(value: unknown, depth: number, key = ''): EvidenceValue {
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    if (depth >= MAX_DEPTH) return { type: 'text', text: value.map((v) => oneLine(v)).join('; ') };
    const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
    return {
      type: 'table',
      columns: columns.map(spaced),
      rows: value.map((v) => columns.map((c) => toValue(v[c], depth + 1, c === 'threshold' && columns.some((k) => RATE.test(k)) ? 'thresholdRate' : c))),
    };
  }
  if (isRecord(value)) {
    if (Object.keys(value).length === 0) return { type: 'text', text: '–' };
    if (depth >= MAX_DEPTH) return { type: 'text', text: oneLine(value) };
    // A rate's threshold is a rate too (as at the top: errorRate 1, threshold 0.05 → 100%, 5%).
    const rated = Object.keys(value).some((k) => RATE.test(k));
    return {
      type: 'fields',
      fields: Object.entries(value).map(([k, v]) =>
        rated && k === 'threshold' ? { key: spaced(k), value: toValue(v, depth + 1, 'thresholdRate') } : field(k, v, depth + 1),
      ),
    };
  }
  if (isIsoTime(value)) return { type: 'text', text: when(value), time: value };
  return { type: 'text', text: scalar(value, key), ...(isMono(key) ? { mono: true } : {}) };
}

function scalar(value: unknown, key: string): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value))
    return value.length ? value.map((v) => (isRecord(v) || Array.isArray(v) ? oneLine(v) : scalar(v, ''))).join(key === 'chain' ? ' → ' : ', ') : '–';
  if (typeof value === 'number')
    return /Ms$/.test(key) ? duration(value) : /percent/i.test(key) ? `${nf.format(value)}%` : RATE.test(key) ? rate(value) : nf.format(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (isIsoTime(value)) return when(value);
  return String(value);
}

/** A nested value on one line, without JSON punctuation: "since: …, until: …". */
function oneLine(value: unknown): string {
  if (isRecord(value))
    return Object.entries(value)
      .map(([k, v]) => `${spaced(k)}: ${isRecord(v) || Array.isArray(v) ? `(${oneLine(v)})` : scalar(v, k)}`)
      .join(', ');
  if (Array.isArray(value)) return value.map(oneLine).join(', ');
  return scalar(value, '');
}
