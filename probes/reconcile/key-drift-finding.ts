import type { FindingCandidate, HeldVerdict } from '../../core/contracts/index.ts';
import type { KeyNote, ReconciliationRun } from './reconciliation-run.ts';
import { count } from '../../core/text/index.ts';

/**
 * What to change for each kind of key note (`KeyNote.why`): such pairs are reported as missing and
 * extra (or missing alone, where one side's collation cannot hold the second key), and replaying
 * the sync does not make them agree.
 */
export const keyNoteAdvice: Record<KeyNote['why'], string> = {
  case: 'the keys differ only by letter case: a case-insensitive collation (MariaDB/MySQL *_ci, the default) takes them for one record; if the keys are case-sensitive (Salesforce ids are), give that key column a binary collation (utf8mb4_bin), else have the sync write one case',
  'trailing-space':
    'the keys differ only by trailing spaces: a CHAR column or a PAD SPACE collation takes them for one record; have the sync trim keys, or keep them in VARCHAR columns under a NO PAD or binary collation on both sides',
  'case+trailing-space':
    'the keys differ only by letter case and trailing spaces: give the key column a binary collation (utf8mb4_bin) and have the sync trim keys, or have it write one case',
  'unicode-form':
    'the keys are the same text in two Unicode normalisation forms (precomposed NFC against decomposed NFD): have the sync normalise keys (to NFC) before writing',
  collation:
    "the other side's key column collation compares the two keys equal (case, accents, ß/ss or trailing spaces), so it cannot hold both as records and replaying the sync cannot add the missing one: give that key column a binary collation (utf8mb4_bin) if the keys are distinct in the system of record",
};

/** A key-drift finding per reconciliation whose latest run succeeded and found differing keys. */
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
          ...(r.details.keyNotes ? { keyNotes: r.details.keyNotes } : {}),
          ...(r.details.columnNotes ? { columnNotes: r.details.columnNotes } : {}),
        },
        hint: `${notesHint(r.details.keyNotes)}${columnHint(r.details.columnNotes)}Replay the sync for the missing and changed keys from ${r.leftSystem} into ${r.rightSystem}, and find out which writer created the extra keys; then run "weft reconcile ${r.reconcileId}" again.`,
      };
    });
}

/** The hint's first sentences when some differing keys are pairs one system takes for one record. */
function notesHint(notes: KeyNote[] | undefined): string {
  if (!notes || notes.length === 0) return '';
  const first = notes[0];
  const kinds = [...new Set(notes.map((n) => n.why))];
  return `${count(notes.length, 'differing key pair')} (evidence.keyNotes) cannot be settled by a replay: "${first.left}" against "${first.right}": ${keyNoteAdvice[first.why]}${kinds.length > 1 ? ` (also: ${kinds.slice(1).join(', ')})` : ''}. `;
}

/** The hint's sentence when a compared column could not be compared exactly as configured (`details.columnNotes`). */
function columnHint(notes: ReconciliationRun['details']['columnNotes']): string {
  if (!notes || notes.length === 0) return '';
  return `Column ${notes[0].column} (evidence.columnNotes): ${notes[0].note}${notes.length > 1 ? ` (and ${count(notes.length - 1, 'more column')})` : ''} `;
}

/**
 * The reconciliations whose latest run failed (a side unreachable, a query refused): no verdict on their keys now, so
 * an open key-drift finding stays as it was (`HeldVerdict`) instead of being resolved as if the tables agreed.
 */
export function keyDriftHeld(latestRuns: ReconciliationRun[]): HeldVerdict[] {
  return latestRuns
    .filter((r) => r.status === 'error')
    .map((r) => ({ kind: 'key-drift' as const, key: r.reconcileId, reason: `its latest run (${r.startedAt.toISOString()}) failed: ${r.error}` }));
}
