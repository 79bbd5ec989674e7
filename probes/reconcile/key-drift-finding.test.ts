import { describe, expect, it } from 'vitest';
import { keyDriftCandidates } from './key-drift-finding.ts';
import type { ReconciliationRun } from './reconciliation-run.ts';

const run = (over: Partial<ReconciliationRun>) =>
  ({
    runId: 'r1',
    reconcileId: 'names',
    domain: 'customer',
    leftSystem: 'crm',
    rightSystem: 'erp',
    status: 'ok',
    leftRows: 100,
    rightRows: 100,
    missing: 0,
    extra: 0,
    changed: 0,
    startedAt: new Date(0),
    details: { changedColumns: [] },
    ...over,
  }) as ReconciliationRun;

describe('keyDriftCandidates', () => {
  it('titles one differing record in the singular (it said "0 missing, 0 extra, 1 changed records")', () => {
    expect(keyDriftCandidates([run({ changed: 1 })])[0].title).toBe('erp disagrees with crm on customer: 1 record differs (0 missing, 0 extra, 1 changed)');
    expect(keyDriftCandidates([run({ missing: 2, extra: 1 })])[0].title).toBe(
      'erp disagrees with crm on customer: 3 records differ (2 missing, 1 extra, 0 changed)',
    );
  });

  it('says what to change when keys are one record to a collation (a replay was advised, which cannot add a key the collation takes for another)', () => {
    const [f] = keyDriftCandidates([
      run({
        missing: 1,
        details: { levels: 1, durationMs: 1, changedColumns: [], keyNotes: [{ left: 'a0B5g00000XYZ12AAB', right: 'a0B5g00000XyZ12AAB', why: 'collation' }] },
      }),
    ]);
    expect(f.hint).toMatch(
      /^1 differing key pair \(evidence\.keyNotes\) cannot be settled by a replay: "a0B5g00000XYZ12AAB" against "a0B5g00000XyZ12AAB": .*binary collation \(utf8mb4_bin\)/,
    );
    expect(f.evidence.keyNotes).toEqual([{ left: 'a0B5g00000XYZ12AAB', right: 'a0B5g00000XyZ12AAB', why: 'collation' }]);
    expect(keyDriftCandidates([run({ missing: 1 })])[0].hint).toMatch(/^Replay the sync/);
  });

  it('says which zone to set when a wall-clock column was compared with instants as if it were UTC (the changed rows were all it said)', () => {
    const note =
      'right orders.placed_at (datetime) holds wall-clock times without a zone … Set timeZone on the right side of this reconciliation to the zone they are written in';
    const [f] = keyDriftCandidates([
      run({ changed: 3, details: { levels: 1, durationMs: 1, changedColumns: [], columnNotes: [{ column: 'placed_at', note }] } }),
    ]);
    expect(f.hint).toBe(
      `Column placed_at (evidence.columnNotes): ${note} Replay the sync for the missing and changed keys from crm into erp, and find out which writer created the extra keys; then run "weft reconcile names" again.`,
    );
    expect(f.evidence.columnNotes).toEqual([{ column: 'placed_at', note }]);
  });

  it('makes no finding for a run that found no difference', () => {
    expect(keyDriftCandidates([run({})])).toEqual([]);
  });
});
