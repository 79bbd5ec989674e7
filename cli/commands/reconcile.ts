import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { Command } from '../command.ts';
import { probeSession, probeSessionFlags } from './probe-session.ts';
import { count } from '../../core/text/index.ts';

export const reconcileCommand: Command = {
  summary: 'Run one key-level reconciliation now (checksum bisection) with a progress line; prints the differences, exits 1 when there are any',
  usage:
    'reconcile ID --catalog FILE… [--data DIR | --clickhouse URL] [--no-record] [--secrets-file FILE] [--catalog-env-allow NAME,…] [--catalog-env-deny NAME,…] [--log-level error]',
  options: probeSessionFlags,
  booleans: ['no-record'],
  operands: 1,
  async run(args, io) {
    const id = args.positionals[0];
    if (!id) throw ERR_CONFIG('Name the reconciliation: weft reconcile ID --catalog FILE.');
    const session = await probeSession(args, io);
    try {
      const run = await session.probes.runReconciliation(id, (p) => io.err(`reconcile ${id}: ${p.message}`));
      await session.audit('reconciliation.run', id, { status: run.status });
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
      if (run.changedDuringRun > 0) io.out(`  ${count(run.changedDuringRun, 'key')} changed while the run went on (not counted)`);
      io.out(
        `  cost     ${count(run.queries, 'query')}, ${count(run.rowsDownloaded, 'row')} downloaded, ${count(run.checksumRows, 'segment checksum')}, ${(run.details.durationMs / 1000).toFixed(2)} s`,
      );
      io.out(`  recorded ${session.recorded ? 'yes' : 'no'}`);
      return run.missing + run.extra + run.changed > 0 ? 1 : 0;
    } finally {
      await session.close();
    }
  },
};
