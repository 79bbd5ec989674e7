import type { FindingCandidate } from '../../core/contracts/index.ts';
import type { ReconciliationRun } from './reconciliation-run.ts';
import { count } from '../../core/text/index.ts';

/** A key-drift finding per reconciliation whose latest successful run found differing keys. */
export function keyDriftCandidates(latestRuns: ReconciliationRun[]): FindingCandidate[] {
  return latestRuns
    .filter((r) => r.status === 'ok' && r.missing + r.extra + r.changed > 0)
    .map((r) => {
      const total = r.missing + r.extra + r.changed;
      const share = total / Math.max(1, r.leftRows);
      return {
        kind: 'key-drift' as const,
        key: r.reconcileId,
        severity: share >= 0.01 ? ('high' as const) : ('medium' as const),
        title: `${r.rightSystem} disagrees with ${r.leftSystem}${r.domain ? ` on ${r.domain}` : ''}: ${count(total, 'record')} ${total === 1 ? 'differs' : 'differ'} (${r.missing} missing, ${r.extra} extra, ${r.changed} changed)`,
        subject: { systems: [r.leftSystem, r.rightSystem], flows: [], domains: r.domain ? [r.domain] : [] },
        evidence: {
          reconciliation: r.reconcileId,
          runId: r.runId,
          ranAt: r.startedAt.toISOString(),
          leftRows: r.leftRows,
          rightRows: r.rightRows,
          missing: r.missing,
          extra: r.extra,
          changed: r.changed,
          changedDuringRun: r.changedDuringRun,
          sampleMissing: r.sampleMissing,
          sampleExtra: r.sampleExtra,
          sampleChanged: r.sampleChanged,
          changedColumns: r.details.changedColumns,
        },
        hint: `Replay the sync for the missing and changed keys from ${r.leftSystem} into ${r.rightSystem}, and find out which writer created the extra keys; then run "weft reconcile ${r.reconcileId}" again.`,
      };
    });
}
