import type { Store } from '../../clickhouse/index.ts';
import { buildConfig, flag, logLevelOf, notWeftDataProblem, switchOn, type ParsedArgs } from '../../core/config/index.ts';
import { ERR_CONFIG, isWeftError } from '../../core/errors/index.ts';
import { createLogger } from '../../core/log/logger.ts';
import type { ProbesRuntime } from '../../probes/index.ts';
import type { CommandIO } from '../command.ts';
import { refuseDataWithClickhouse } from './store-flags.ts';

/** The flags of the commands that run probes (probe run, reconcile) besides --no-record. */
export const probeSessionFlags: readonly string[] = ['catalog', 'data', 'clickhouse', 'secrets-file', 'catalog-env-allow', 'catalog-env-deny', 'log-level'];

/**
 * Probes for one command run: the catalog from --catalog, credentials from the environment, and
 * the store when it can be opened (results recorded, findings synced); when a running Weft holds
 * the embedded store, results are printed only.
 */
export async function probeSession(
  args: ParsedArgs,
  io: CommandIO,
): Promise<{
  probes: ProbesRuntime;
  recorded: boolean;
  /** Writes the run to the store's audit log (as the API's probe.run and reconciliation.run do), when it was recorded. */
  audit(action: string, subject: string, detail: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}> {
  refuseDataWithClickhouse(args);
  const config = buildConfig({ positionals: [], flags: Object.fromEntries(Object.entries(args.flags).filter(([k]) => k !== 'catalog')) }, io.env, io.cwd);
  const files = (args.flags.catalog ?? []).map((f) => (f.startsWith('/') ? f : `${io.cwd}/${f}`));
  if (files.length === 0) throw ERR_CONFIG('Pass the estate catalog: --catalog FILE (repeatable).');
  const [{ loadCatalog }, { migrate, openStore }, { createFindingStore }, { startProbes }, { createAuditLog }, { cliActor }] = await Promise.all([
    import('../../core/catalog/index.ts'),
    import('../../clickhouse/index.ts'),
    import('../../findings/index.ts'),
    import('../../probes/index.ts'),
    import('../../access/index.ts'),
    import('./access-session.ts'),
  ]);
  const catalog = loadCatalog(files, { envPolicy: config.catalogEnv });
  const logger = createLogger(logLevelOf(flag(args, 'log-level') ?? 'error', '--log-level'));
  let store: Store | null = null;
  const notWeft = config.store.kind === 'embedded' ? notWeftDataProblem(config.dataDir) : null;
  const record = !switchOn(args, 'no-record');
  if (notWeft && record) io.err(`note: results are not recorded (no Weft data: ${notWeft}; pass --data with the directory weft start uses)`);
  if (record && !notWeft) {
    try {
      store = await openStore(config.store);
      await migrate(store, { retention: config.retention });
    } catch (err) {
      if (!isWeftError(err)) throw err;
      io.err(`note: results are not recorded (${err.message})`);
      store = null;
    }
  }
  const probes = startProbes({
    store,
    catalog,
    logger,
    findings: store ? createFindingStore(store) : undefined,
    env: config.env,
    envPolicy: config.catalogEnv,
    scheduled: false,
  });
  return {
    probes,
    recorded: store !== null,
    async audit(action, subject, detail) {
      if (store) await createAuditLog(store, { logger }).append(cliActor(), action, subject, detail);
    },
    async close() {
      await probes.stop();
      await store?.close();
    },
  };
}
