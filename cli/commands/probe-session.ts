import type { Store } from '../../clickhouse/index.ts';
import { buildConfig, flag, logLevelOf, notWeftDataProblem, switchOn, type ParsedArgs, type WeftConfig } from '../../core/config/index.ts';
import { ERR_CONFIG, isWeftError } from '../../core/errors/index.ts';
import { createLogger } from '../../core/log/logger.ts';
import type { ProbesRuntime } from '../../probes/index.ts';
import type { CommandIO } from '../command.ts';
import { openLocalStore, refuseBesideUrl, refuseDataWithClickhouse } from './store-flags.ts';
import { weftApi } from './weft-api.ts';

/** The flags of the commands that run probes (probe run, reconcile) besides --no-record. */
export const probeSessionFlags: readonly string[] = [
  'url',
  'catalog',
  'data',
  'clickhouse',
  'secrets-file',
  'catalog-env-allow',
  'catalog-env-deny',
  'log-level',
];

/**
 * `--url`: the running Weft at that address (its API) runs the probe or reconciliation with its own catalog and
 * credentials and records the result in its own store. `path` is the API path of the run (`/api/v1/probes/ID/run`),
 * sent as POST with WEFT_TOKEN (the API's `run` access: an sre, icoe or admin token); `what` names what it runs in the
 * token hint of a refusal ('probes', 'reconciliations'). Returns null without --url. Throws ERR_CONFIG for the local
 * flags given beside --url (they would be left unused) and for every failed call.
 */
export async function runThroughWeft<T>(
  args: ParsedArgs,
  io: CommandIO,
  path: string,
  what: 'probes' | 'reconciliations',
): Promise<{ url: string; answer: T } | null> {
  const url = flag(args, 'url');
  if (url === undefined) return null;
  refuseBesideUrl(
    args,
    ['data', 'clickhouse', 'secrets-file', 'catalog-env-allow', 'catalog-env-deny'],
    'catalog, credentials and store',
    (args.flags.catalog ?? []).length,
  );
  if (switchOn(args, 'no-record'))
    throw ERR_CONFIG(
      '--url runs it in a running Weft, which records every run in its store; leave out --no-record (or run it here with --catalog and --no-record).',
    );
  const answer = await weftApi(url, io.env.WEFT_TOKEN, `an sre, icoe or admin token runs ${what}`).json<T>(path, { method: 'POST', body: {} });
  return { url, answer };
}

/** Where a run was recorded, for the command's `recorded` line. */
const storeText = (store: WeftConfig['store']) =>
  store.kind === 'embedded' ? `the embedded store ${store.path}` : `ClickHouse at ${store.url}/${store.database}`;

/**
 * Probes for one command run: the catalog from --catalog, credentials from the environment, and
 * the store when it can be opened (results recorded, findings synced); when a running Weft holds
 * the embedded store, results are printed only and `recorded` says why, naming that Weft's --url.
 */
export async function probeSession(
  args: ParsedArgs,
  io: CommandIO,
): Promise<{
  probes: ProbesRuntime;
  /** The `recorded` line's text: `yes, in <store>` or `no (<why>)`. */
  recorded: string;
  /** Writes the run to the store's audit log (as the API's probe.run and reconciliation.run do), when it was recorded. */
  audit(action: string, subject: string, detail: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}> {
  refuseDataWithClickhouse(args);
  const config = buildConfig(
    { positionals: [], flags: Object.fromEntries(Object.entries(args.flags).filter(([k]) => k !== 'catalog' && k !== 'url')) },
    io.env,
    io.cwd,
  );
  const files = (args.flags.catalog ?? []).map((f) => (f.startsWith('/') ? f : `${io.cwd}/${f}`));
  if (files.length === 0) throw ERR_CONFIG('Pass the estate catalog: --catalog FILE (repeatable).');
  const [{ loadCatalog }, { migrate }, { createFindingStore }, { startProbes }, { createAuditLog }, { cliActor }] = await Promise.all([
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
  let notRecorded = switchOn(args, 'no-record') ? '--no-record' : '';
  if (!notRecorded && notWeft) notRecorded = `no Weft data: ${notWeft}; pass --data with the directory weft start uses, or --url for a running Weft`;
  if (!notRecorded) {
    try {
      // A directory a running Weft holds: the message names its --url.
      store = await openLocalStore(config);
      await migrate(store, { retention: config.retention });
    } catch (err) {
      if (!isWeftError(err)) throw err;
      notRecorded = err.message;
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
    recorded: store ? `yes, in ${storeText(config.store)}` : `no (${notRecorded})`,
    async audit(action, subject, detail) {
      if (store) await createAuditLog(store, { logger }).append(cliActor(), action, subject, detail);
    },
    async close() {
      await probes.stop();
      await store?.close();
    },
  };
}
