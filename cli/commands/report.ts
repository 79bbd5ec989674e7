import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatDuration } from '../../core/time/index.ts';
import { flag } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { givenPairingWindows, localStoreConfig, openLocalStore, refuseBesideUrl } from './store-flags.ts';
import type { Command, CommandIO } from '../command.ts';
import { weftApi } from './weft-api.ts';
import type { ReportRun } from '../../reports/index.ts';
import { count } from '../../core/text/index.ts';
import { cliActor } from './access-session.ts';

interface RunView {
  id: string;
  status: 'running' | 'done' | 'failed';
  error: string;
  bundle: string | null;
}

/** `--url`: the running Weft assembles and signs the report (it holds the store and the key); this downloads it. */
async function reportFromApi(url: string, body: { since: string; until?: string }, io: CommandIO): Promise<Uint8Array> {
  const api = weftApi(url, io.env.WEFT_TOKEN, 'an auditor or admin token');
  let { report } = await api.json<{ report: RunView }>('/api/v1/reports', { method: 'POST', body });
  io.err(`Report ${report.id} started on ${url}…`);
  const deadline = Date.now() + 10 * 60_000;
  while (report.status === 'running') {
    if (Date.now() > deadline)
      throw ERR_CONFIG(`Report ${report.id} is still running after 10 minutes; fetch it later from ${url}/api/v1/reports/${report.id}.`);
    await new Promise((r) => setTimeout(r, 500));
    ({ report } = await api.json<{ report: RunView }>(`/api/v1/reports/${report.id}`));
  }
  if (report.status === 'failed') throw ERR_CONFIG(`Weft could not assemble report ${report.id}: ${report.error}`);
  return api.bytes(report.bundle!);
}

/**
 * Writes a bundle to a file that must not exist yet (checked again at the write, not only before the work), readable by
 * its owner only (0600, as the bundles kept in the data directory): it holds the estate's regulated flows and its
 * exceptions, and the umask (0644 often) gave it to every user of the machine.
 */
export function writeExclusive(out: string, zip: Uint8Array): void {
  try {
    writeFileSync(out, zip, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw ERR_CONFIG(
        `--out ${out} was created by something else while the report was assembled: it was left as it is and this report not written; write it to another file.`,
      );
    throw err;
  }
}

export const reportCommand: Command = {
  summary: 'Compliance report for a period: a signed evidence bundle (PDF, CSV per table, JSON, manifest)',
  usage:
    'report [--url http://127.0.0.1:3000 | [--data DIR [--late-arrival DURATION] [--run-gap DURATION] | --clickhouse URL] [--catalog FILE…]] [--since 24h] [--until now] [--out report.zip]',
  options: ['url', 'data', 'clickhouse', 'late-arrival', 'run-gap', 'catalog', 'since', 'until', 'out'],
  operands: Infinity,
  async run(args, io) {
    const now = new Date();
    const since = flag(args, 'since') ?? '24h';
    const until = flag(args, 'until');
    const { createReportService, resolvePeriod, verifyBundle } = await import('../../reports/index.ts');
    const period = resolvePeriod({ since, until }, now, { since: '--since', until: '--until' });
    const out = resolve(io.cwd, flag(args, 'out') ?? `weft-report-${period.until.slice(0, 19).replace(/[-:]/g, '')}Z.zip`);
    // Where the bundle goes is checked before any work: a report assembled (and recorded) for a path that cannot take it is wasted.
    const checkOut = () => {
      if (existsSync(out) && statSync(out).isDirectory())
        throw ERR_CONFIG(`--out ${out} is a directory: give a file name, such as ${join(out, 'report.zip')}.`);
      // A signed bundle already written (one an auditor may have been given) is not replaced without a word.
      if (existsSync(out)) throw ERR_CONFIG(`--out ${out} exists: write the report to another file, or remove that one first.`);
      if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory())
        throw ERR_CONFIG(`--out ${out}: the directory ${dirname(out)} does not exist; create it, or write the report elsewhere.`);
    };
    const url = flag(args, 'url');
    const files = [...(args.flags.catalog ?? []), ...args.positionals];
    let zip: Uint8Array;
    // Where Weft's signing key is, for the check printed at the end (verify takes the key from Weft, not the bundle).
    let localDataDir = '';
    if (url) {
      refuseBesideUrl(args, ['data', 'clickhouse', 'late-arrival', 'run-gap'], 'store, catalog and pairing', files.length);
      checkOut();
      zip = await reportFromApi(url, { since, ...(until === undefined ? {} : { until }) }, io);
    } else {
      const config = localStoreConfig(args, io);
      localDataDir = config.dataDir;
      if (config.store.kind === 'embedded' && !existsSync(config.store.path)) {
        throw ERR_CONFIG(
          `No Weft data in ${config.store.path}: pass --data with the directory Weft ran with, --url for a running Weft, or --clickhouse for a ClickHouse server.`,
        );
      }
      const [{ loadCatalog }, { migrate }, { describeStoppedPairing, pairStoppedStore, statedPairing }, { createAuditLog }] = await Promise.all([
        import('../../core/catalog/index.ts'),
        import('../../clickhouse/index.ts'),
        import('../../analyzer/index.ts'),
        import('../../access/index.ts'),
      ]);
      const catalog = files.length
        ? loadCatalog(
            files.map((f) => resolve(io.cwd, f)),
            { envPolicy: config.catalogEnv },
          )
        : undefined;
      checkOut();
      const pairing = givenPairingWindows(args, io, config);
      const store = await openLocalStore(config);
      try {
        await migrate(store, { retention: config.retention });
        // A stopped Weft's embedded store: paired first, with the windows given, else those it last ran with (a running
        // analyzer does it on a server).
        const pairedWith = store.kind === 'embedded' ? statedPairing(await pairStoppedStore(store, now, pairing)) : undefined;
        if (pairedWith) io.err(describeStoppedPairing(pairedWith, formatDuration));
        const service = createReportService({ store, dataDir: config.dataDir, logger: silentLogger() });
        const actor = cliActor();
        let run: ReportRun;
        ({ zip, run } = await service.generate({
          period,
          actor: actor.name,
          trigger: 'cli',
          catalog,
          file: out,
          // The bundle says so too (report.json, the PDF's first page), not only this terminal.
          pairing: pairedWith && { pairedWith },
        }));
        // The store's audit log records the export as the API records a download: who wrote which report, for which
        // period, where, with which manifest (its hash chain continued, never rewritten).
        await createAuditLog(store).append(actor, 'report.export', run.id, {
          since: run.since,
          until: run.until,
          format: 'bundle',
          files: ['report.pdf', 'report.json', 'csv'],
          file: out,
          manifestSha256: run.manifestSha256,
          bytes: zip.length,
        });
      } finally {
        await store.close();
      }
    }
    // Created exclusively: another export that wrote the same --out while this one was assembled keeps its bundle.
    if (url) writeExclusive(out, zip);
    const check = verifyBundle(zip);
    if (!check.ok) throw ERR_CONFIG(`The bundle written to ${out} does not verify: ${check.problems.join('; ')}`);
    // The period the bundle states (a running Weft resolves --since against its own clock, not this one).
    const stated = check.manifest?.period ?? period;
    io.out(
      [
        `Wrote ${out} (${count(zip.length, 'byte')}): the report for ${stated.since} to ${stated.until}.`,
        `  ${count(check.checked.length, 'file')} (report.pdf, report.json, ${check.checked.filter((f) => f.endsWith('.csv')).length} CSV), listed with their SHA-256 in manifest.json`,
        `  signed with Ed25519 key ${check.fingerprint}`,
        `Check it: weft report verify ${out} ${url ? `--url ${url}` : `--data ${localDataDir}`}`,
      ].join('\n'),
    );
    return 0;
  },
};
