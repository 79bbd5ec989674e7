import { describe, expect, it } from 'vitest';
import { when } from '../format.ts';
import { evidenceRows, type EvidenceValue } from './evidence.ts';

const text = (t: string, mono = false): EvidenceValue => ({ type: 'text', text: t, ...(mono ? { mono: true } : {}) });
/** A time as the evidence shows it: written as every time in the UI, the ISO value kept for the title. */
const time = (iso: string): EvidenceValue => ({ type: 'text', text: when(iso), time: iso });
/** An ISO 8601 date-time anywhere in a text. */
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Everything a value would show, to check no JSON punctuation reaches the page. */
const shown = (v: EvidenceValue): string =>
  v.type === 'text'
    ? v.text
    : v.type === 'fields'
      ? v.fields.map((f) => `${f.key} ${shown(f.value)}`).join(' ')
      : [...v.columns, ...v.rows.flat().map(shown)].join(' ');

describe('finding evidence', () => {
  it('pulls sample trace ids apart and shows the rest as readable rows', () => {
    const { traces, rows } = evidenceRows({
      sampleTraceIds: ['a1', 'b2'],
      sampleErrorTrace: 'a1',
      p95Ms: 1234,
      integrations: ['x', 'y'],
      documented: false,
      note: '',
    });
    expect(traces).toEqual(['a1', 'b2']);
    expect(rows).toEqual([
      { key: 'p95', value: text('1.23 s') },
      { key: 'integrations', value: text('x, y') },
      { key: 'documented', value: text('no') },
      { key: 'note', value: text('–') },
    ]);
  });

  // Regression: hop-record-loss showed its hop, window and runs as JSON.stringify output.
  it("shows a hop-record-loss finding's hop as fields and its runs as a table", () => {
    const { rows } = evidenceRows({
      domain: 'order',
      chain: ['orders-db', 'lake', 'warehouse'],
      hop: { index: 0, at: 'hop', source: 'orders-db', target: 'lake', integration: 'airflow/load', via: 'openlineage', flowId: null },
      read: 1200,
      lost: 200,
      window: { since: '2026-01-01T00:00:00.000Z', until: '2026-01-02T00:00:00.000Z' },
      runs: [
        { runId: '01934b7e-1111-7000-8000-0000000e0001', read: 1200, written: 1000, ended: '2026-01-01T02:00:00.000Z' },
        { runId: '01934b7e-1111-7000-8000-0000000e0002', read: 5, written: 4, ended: '2026-01-01T03:00:00.000Z' },
      ],
      sampleTraceIds: [],
    });
    const by = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    expect(by.chain).toEqual(text('orders-db → lake → warehouse'));
    expect(by.read).toEqual(text('1,200'));
    expect(by.hop).toMatchObject({ type: 'fields' });
    expect(by.hop.type === 'fields' && by.hop.fields.map((f) => [f.key, shown(f.value)])).toEqual([
      ['index', '0'],
      ['at', 'hop'],
      ['source', 'orders-db'],
      ['target', 'lake'],
      ['integration', 'airflow/load'],
      ['via', 'openlineage'],
      ['flow id', '–'],
    ]);
    expect(by.runs).toEqual({
      type: 'table',
      columns: ['run id', 'read', 'written', 'ended'],
      rows: [
        [text('01934b7e-1111-7000-8000-0000000e0001', true), text('1,200'), text('1,000'), time('2026-01-01T02:00:00.000Z')],
        [text('01934b7e-1111-7000-8000-0000000e0002', true), text('5'), text('4'), time('2026-01-01T03:00:00.000Z')],
      ],
    });
    expect(by.window).toEqual({
      type: 'fields',
      fields: [
        { key: 'since', value: time('2026-01-01T00:00:00.000Z') },
        { key: 'until', value: time('2026-01-02T00:00:00.000Z') },
      ],
    });
  });

  it('shows the nested evidence of every other kind without JSON (drift, reconciliation, schema, staleness)', () => {
    const evidence = {
      // record-count-drift
      recent: [{ ts: '2026-01-01T00:00:00.000Z', sor: 100, replica: 98 }],
      differencePercent: 2,
      // key-drift
      changedColumns: [{ key: 'c-1', columns: [{ column: 'email', left: 'a@x', right: null }] }],
      sampleMissing: ['c-7', 'c-9'],
      // schema-drift
      before: {
        fingerprint: 'ab12',
        seen: '2026-01-01T00:00:00.000Z',
        shape: { customers: { id: 'int', email: { type: 'varchar', length: { max: 80, min: 0 } } } },
      },
      changed: [{ path: 'customers.email', before: 'varchar(80)', after: 'varchar(200)' }],
      // stale-flow and flow-never-observed
      silentForMs: 90_000_000,
      schedule: { every: '1h' },
      runtime: {},
      // catalog-rule-overlap
      rules: ['hosts'],
    };
    const { rows } = evidenceRows(evidence);
    const all = rows.map((r) => `${r.key} ${shown(r.value)}`).join('\n');
    expect(all).not.toMatch(/[{}"[\]]/);
    const by = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    expect(by.recent).toMatchObject({ type: 'table', columns: ['ts', 'sor', 'replica'] });
    expect(by['difference percent']).toEqual(text('2%'));
    expect(by['changed columns']).toMatchObject({ type: 'table', columns: ['key', 'columns'] });
    expect(by['changed columns'].type === 'table' && by['changed columns'].rows[0][1]).toEqual({
      type: 'table',
      columns: ['column', 'left', 'right'],
      rows: [[text('email'), text('a@x'), text('–')]],
    });
    expect(by['silent for']).toEqual(text('1 d 1 h'));
    expect(by.runtime).toEqual(text('–'));
    expect(shown(by.before)).toContain('length max: 80, min: 0');
  });

  // Regression: evidence showed times as ISO strings (2026-11-30T06:57:28.094Z) where the page's header showed local time.
  it('writes every time of every kind as the rest of the UI does, keeping the ISO value, at any depth', () => {
    const evidence = {
      // undocumented-flow, unknown-system, sor-violation, deprecated-in-use, regulated-data-exposure
      firstSeen: '2026-11-30T06:57:37.691Z',
      lastSeen: '2026-11-30T07:07:18.548Z',
      // record-count-drift
      divergingSince: '2026-11-30T06:57:28.094Z',
      recent: [{ ts: '2026-11-30T07:06:49.344Z', sor: 100, replica: 98 }],
      // hop-record-loss
      window: { since: '2026-11-29T07:07:21.889Z', until: '2026-11-30T07:07:21.889Z' },
      // past the nesting depth written on one line
      deep: { a: { b: { c: { d: { at: '2026-11-30T07:00:00.000Z' } } } } },
      // text that merely holds a date stays as it is
      note: 'renamed 2026-11-30',
    };
    const { rows } = evidenceRows(evidence);
    const by = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    expect(by['first seen']).toEqual(time('2026-11-30T06:57:37.691Z'));
    expect(by['last seen']).toEqual(time('2026-11-30T07:07:18.548Z'));
    expect(by['diverging since']).toEqual(time('2026-11-30T06:57:28.094Z'));
    expect(by.recent.type === 'table' && by.recent.rows[0][0]).toEqual(time('2026-11-30T07:06:49.344Z'));
    expect(by.window).toEqual({
      type: 'fields',
      fields: [
        { key: 'since', value: time('2026-11-29T07:07:21.889Z') },
        { key: 'until', value: time('2026-11-30T07:07:21.889Z') },
      ],
    });
    expect(shown(by.deep)).toContain(`at: ${when('2026-11-30T07:00:00.000Z')}`);
    expect(by.note).toEqual(text('renamed 2026-11-30'));
    expect(rows.map((r) => shown(r.value)).join('\n')).not.toMatch(ISO);
    expect(when('2026-11-30T06:57:37.691Z')).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2}$/);
  });

  it('writes durations as everywhere in the UI (format.ts duration)', () => {
    const by = Object.fromEntries(evidenceRows({ silentForMs: 12_000_000, p95Ms: 850, thresholdMs: 2517 }).rows.map((r) => [r.key, r.value]));
    expect(by).toEqual({ 'silent for': text('3 h 20 min'), p95: text('850 ms'), threshold: text('2.52 s') });
  });

  // Regression: an error-rate finding's evidence said "error rate 1" and "threshold 0.05" under a title of 100.0% and 5.0%.
  it('writes shares as percentages, and a threshold beside a rate as one', () => {
    const by = (e: Record<string, unknown>) => Object.fromEntries(evidenceRows(e).rows.map((r) => [r.key, r.value]));
    const rated = by({ traces: 4, failedTraces: 4, errorRate: 1, threshold: 0.05 });
    expect([rated['error rate'], rated.threshold, rated.traces]).toEqual([text('100%'), text('5%'), text('4')]);
    expect(by({ errorRate: 0.1234 })['error rate']).toEqual(text('12.3%'));
    // A threshold beside no rate keeps its own unit (here ms).
    expect(by({ p95Ms: 900, thresholdMs: 500, threshold: 3 }).threshold).toEqual(text('3'));
    expect(by({ flows: [{ errorRate: 0.5, threshold: 0.25 }] }).flows).toMatchObject({ rows: [[text('50%'), text('25%')]] });
  });
});
