import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditFormats, runAudit, type AuditFormat } from '../../analyzer/index.ts';
import { migrate, openStore } from '../../clickhouse/index.ts';
import { probeAuditCandidates } from '../../probes/index.ts';
import { emptyCatalog, loadCatalog } from '../../core/catalog/index.ts';
import { buildConfig, flag } from '../../core/config/index.ts';
import { severities, type Severity } from '../../core/contracts/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { Command } from '../command.ts';

export const auditCommand: Command = {
  summary: 'Audit the estate: inventory summary and findings for a window; exits 1 when findings reach --fail-on',
  usage: 'audit --catalog FILE… [--url CLICKHOUSE_URL | --data DIR] [--since 7d] [--format table|json|markdown] [--fail-on info|low|medium|high|critical]',
  async run(args, io) {
    const format = (flag(args, 'format') ?? 'table') as AuditFormat;
    if (!(format in auditFormats)) throw ERR_CONFIG(`--format takes table, json or markdown, got "${format}".`);
    const failOnText = flag(args, 'fail-on');
    if (failOnText !== undefined && !severities.includes(failOnText as Severity)) throw ERR_CONFIG(`--fail-on takes ${severities.join(', ')}, got "${failOnText}".`);
    const sinceMs = parseDuration(flag(args, 'since') ?? '7d', '--since');
    const url = flag(args, 'url');
    if (url && flag(args, 'data')) throw ERR_CONFIG('Give either --url (a ClickHouse server) or --data (an embedded data directory), not both.');
    const config = buildConfig({ positionals: [], flags: { ...(url ? { clickhouse: [url] } : {}), ...(args.flags.data ? { data: args.flags.data } : {}) } }, io.env, io.cwd);
    const files = [...(args.flags.catalog ?? []), ...args.positionals];
    const catalog = files.length > 0 ? loadCatalog(files.map((f) => resolve(io.cwd, f))) : emptyCatalog();
    if (config.store.kind === 'embedded' && !existsSync(config.store.path)) {
      throw ERR_CONFIG(`No Weft data in ${config.store.path}: pass --data with the directory Weft ran with, or --url for a ClickHouse server.`);
    }
    const store = await openStore(config.store);
    try {
      await migrate(store, { retention: config.retention });
      const report = await runAudit(store, catalog, { sinceMs, now: new Date(), failOn: (failOnText as Severity | undefined) ?? null, pair: store.kind === 'embedded', lateMs: config.analyzer.lateMs, more: [probeAuditCandidates] });
      io.out(auditFormats[format](report));
      return report.failed ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};
