import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { probeSession, probeSessionFlags, runThroughWeft } from './probe-session.ts';
import type { ReconciliationRun } from '../../probes/index.ts';
import { count } from '../../core/text/index.ts';

export const reconcileCommand: Command = {
  summary: 'Run one key-level reconciliation now (checksum bisection) with a progress line; prints the differences, exits 1 when there are any',
  usage:
    'reconcile ID (--url http://127.0.0.1:3000 | --catalog FILE… [--data DIR | --clickhouse URL] [--no-record] [--secrets-file FILE] [--catalog-env-allow NAME,…] [--catalog-env-deny NAME,…]) [--log-level error]',
  options: probeSessionFlags,
  booleans: ['no-record'],
  operands: 1,
  async run(args, io) {
    const id = args.positionals[0];
    if (!id) throw ERR_CONFIG('Name the reconciliation: weft reconcile ID --catalog FILE (or --url for a running Weft).');
    // Loaded when it runs: every command loads this file (cli/startup-imports.test.ts).
    const { keyNoteAdvice } = await import('../../probes/reconcile/key-drift-finding.ts');
    const printRun = (run: RunText, recorded: string) => printRunWith(io, id, run, recorded, keyNoteAdvice);
    // A running Weft runs it with its catalog and credentials and records it in its store (token in WEFT_TOKEN).
    const remote = await runThroughWeft<{ run: RunText }>(args, io, `/api/v1/reconciliations/${encodeURIComponent(id)}/run`, 'reconciliations');
    if (remote) return printRun(remote.answer.run, `yes, by the Weft at ${remote.url} (in its store)`);
    const session = await probeSession(args, io);
    try {
      const run = await session.probes.runReconciliation(id, (p) => io.err(`reconcile ${id}: ${p.message}`));
      await session.audit('reconciliation.run', id, { status: run.status });
      return printRun(run, session.recorded);
    } finally {
      await session.close();
    }
  },
};

/** A run as this process made it or as the API answers it (times as text there). */
type RunText = Omit<ReconciliationRun, 'startedAt' | 'finishedAt'>;

/**
 * Prints a run's differences, its key notes with `advice` (what to change, by `KeyNote.why`) and where it was recorded;
 * returns the exit code: 2 failed, 1 differences, 0 none.
 */
function printRunWith(io: CommandIO, id: string, run: RunText, recorded: string, advice: Readonly<Record<string, string>>): number {
  if (run.status === 'error') {
    io.out(`reconcile ${id}: FAILED: ${run.error}`);
    return 2;
  }
  io.out(`reconcile ${id}: ${run.leftSystem} (${count(run.leftRows, 'row')}) against ${run.rightSystem} (${count(run.rightRows, 'row')})`);
  io.out(`  missing  ${run.missing}${run.sampleMissing.length ? `  e.g. ${run.sampleMissing.join(', ')}` : ''}`);
  io.out(`  extra    ${run.extra}${run.sampleExtra.length ? `  e.g. ${run.sampleExtra.join(', ')}` : ''}`);
  io.out(`  changed  ${run.changed}${run.sampleChanged.length ? `  e.g. ${run.sampleChanged.join(', ')}` : ''}`);
  for (const c of run.details.changedColumns) {
    io.out(`    key ${c.key}: ${c.columns.map((col) => `${col.column} ${JSON.stringify(col.left)} → ${JSON.stringify(col.right)}`).join('; ')}`);
  }
  for (const n of run.details.keyNotes ?? [])
    io.out(`  note     ${JSON.stringify(n.left)} / ${JSON.stringify(n.right)}: ${Object.hasOwn(advice, n.why) ? advice[n.why] : n.why}`);
  for (const n of run.details.columnNotes ?? []) io.out(`  note     column ${n.column}: ${n.note}`);
  if (run.changedDuringRun > 0) io.out(`  ${count(run.changedDuringRun, 'key')} changed while the run went on (not counted)`);
  io.out(
    `  cost     ${count(run.queries, 'query')}, ${count(run.rowsDownloaded, 'row')} downloaded, ${count(run.checksumRows, 'segment checksum')}, ${(run.details.durationMs / 1000).toFixed(2)} s`,
  );
  io.out(`  recorded ${recorded}`);
  return run.missing + run.extra + run.changed > 0 ? 1 : 0;
}
