import type { AuditEntry, ChainVerdict } from '../../access/index.ts';
import { flag } from '../../core/config/index.ts';
import type { Command } from '../command.ts';
import { callApi, withAccessStore } from './access-session.ts';
import { refuseBesideUrl } from './store-flags.ts';
import { count } from '../../core/text/index.ts';

/** Reads a running Weft's audit log page by page and checks the chain here. */
async function verifyFromApi(url: string, io: Parameters<Command['run']>[1]): Promise<ChainVerdict> {
  const { ChainVerifier } = await import('../../access/index.ts');
  const v = new ChainVerifier();
  let after = 0;
  for (;;) {
    const { entries } = await callApi<{ entries: AuditEntry[] }>(url, io, 'GET', `/audit-log?afterSeq=${after}&limit=10000`);
    if (entries.length === 0) break;
    v.add(entries);
    after = entries[entries.length - 1].seq;
    if (entries.length < 10_000) break;
  }
  return v.verdict();
}

export const auditLogVerifyCommand: Command = {
  summary: 'Check the hash chain of the audit log: exits 1 and names each removed or altered row',
  usage: 'audit-log verify [--data DIR | --clickhouse URL | --url http://127.0.0.1:3000 (WEFT_TOKEN of an auditor or admin)]',
  options: ['data', 'clickhouse', 'url'],
  async run(args, io) {
    const url = flag(args, 'url');
    refuseBesideUrl(args, ['data', 'clickhouse'], 'store');
    const verdict = url ? await verifyFromApi(url, io) : await withAccessStore(args, io, { mustExist: true }, ({ auditLog }) => auditLog.verify());
    if (verdict.ok) {
      io.out(verdict.head ? `Audit log intact: ${count(verdict.rows, 'row')}, head seq ${verdict.head.seq} hash ${verdict.head.hash}.` : 'Audit log is empty.');
      return 0;
    }
    io.err(`Audit log FAILED verification (${count(verdict.rows, 'row')} read):`);
    for (const p of verdict.problems) io.err(`  seq ${p.seq}: ${p.problem}`);
    return 1;
  },
};
