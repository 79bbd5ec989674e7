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

  it('makes no finding for a run that found no difference', () => {
    expect(keyDriftCandidates([run({})])).toEqual([]);
  });
});
