import { existsSync, readdirSync } from 'node:fs';
import {
  buildConfig,
  configFlags,
  configSwitches,
  flag,
  switchOn,
  unknownWeftVariables,
  isWeftStore,
  type ParsedArgs,
  type WeftConfig,
} from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { createLogger } from '../../core/log/logger.ts';
import type { Command } from '../command.ts';

/**
 * `args` with its operands read as catalog files (after those given with --catalog). Throws ERR_CONFIG for an
 * operand that is a list of demo faults: `--faults shadow-it` means `--faults=shadow-it`, not a file of that name.
 */
function withCatalogOperands(args: ParsedArgs, faultKinds: readonly string[]): ParsedArgs {
  if (args.positionals.length === 0) return args;
  const faultList = args.positionals.find((p) => p.split(',').every((name) => faultKinds.includes(name) || name === 'all' || name === 'none'));
  if (faultList !== undefined) throw ERR_CONFIG(`"${faultList}" is not a catalog file: a value for --faults goes after "=", as in --faults=${faultList}.`);
  const flags = Object.assign(Object.create(null) as Record<string, string[]>, args.flags, { catalog: [...(args.flags.catalog ?? []), ...args.positionals] });
  return { positionals: [], flags };
}

/** The flags that only shape the demo estate. */
const demoFlags = ['faults', 'no-faults', 'demo-time-scale', 'no-propagation'];

/**
 * Throws ERR_CONFIG when a switch is given with its opposite (`--faults=stale-flow --no-faults`), or a demo flag while the demo is off: `weft start --catalog mine.yaml
 * --faults=stale-flow` would otherwise run the user's estate and silently drop the flag.
 */
function refuseDemoFlagsWithoutDemo(args: ParsedArgs, config: WeftConfig): void {
  for (const [on, off] of [
    ['demo', 'no-demo'],
    ['faults', 'no-faults'],
  ])
    if (flag(args, on) !== undefined && flag(args, on) !== 'false' && switchOn(args, off)) throw ERR_CONFIG(`Give --${on} or --${off}, not both.`);
  if (config.demo.enabled) return;
  const given = demoFlags.filter((name) => flag(args, name) !== undefined);
  if (given.length === 0) return;
  const why =
    config.catalogFiles.length > 0
      ? 'a catalog is given (--catalog or WEFT_CATALOG), so Weft watches that estate'
      : flag(args, 'no-demo') === 'true'
        ? '--no-demo is given'
        : 'it runs only with --demo';
  throw ERR_CONFIG(
    `${given.map((g) => `--${g}`).join(', ')} ${given.length > 1 ? 'shape' : 'shapes'} the demo, which is off here: ${why}. Leave ${given.length > 1 ? 'them' : 'it'} out, or run the demo (weft start --demo, without a catalog).`,
  );
}

export const startCommand: Command = {
  summary: 'Run Weft: collector, probes, analyzer, API and UI in one process',
  usage: [
    'start [--no-demo | --demo [--no-faults | --faults=shadow-it,stale-flow,…] [--demo-time-scale 0.1] [--no-propagation]] [[--catalog] FILE]…',
    '        [--data DIR] [--spool DIR] [--clickhouse URL [--cluster NAME]] [--only collector|probes|analyzer|api]',
    '        [--host 127.0.0.1] [--port 3000] [--otlp-host 127.0.0.1] [--otlp-port 4318] [--public-name NAME[:PORT],…]',
    '        [--trusted-proxies ADDRESS[/PREFIX],…]',
    '        [--late-arrival 2m] [--run-gap 30s] [--window 24h] [--analyze-every 30s] [--no-auto-remediation]',
    '        [--retention-raw-days N] [--retention-rollup-days N] [--retention-record-days N] [--report-exports 1] [--report-queue 4]',
    '        [--secrets-file FILE] [--catalog-env-allow NAME,…] [--catalog-env-deny NAME,…] [--trace-link URL] [--log-level info]',
    '',
    'Tokens: WEFT_API_TOKENS and WEFT_INGEST_TOKENS in the environment (--api-tokens, --ingest-tokens put them in the process list).',
    'Most options can be given as environment variables instead (WEFT_PORT, WEFT_PUBLIC_NAMES, …; see README and docs/security.md).',
  ].join('\n'),
  options: configFlags,
  booleans: configSwitches,
  optional: ['faults'],
  // Catalog files, as for audit and report: `--catalog flows/*.yaml` reaches weft as --catalog a.yaml b.yaml.
  operands: Infinity,
  async run(given, io) {
    // Loaded here, not with the command list: `weft --help` and the other commands do not wait for the whole of Weft.
    const [{ faultKinds, faultSelection }, { startWeft }, { startBanner }] = await Promise.all([
      import('../../demo/index.ts'),
      import('../../runtime/start-weft.ts'),
      import('./start-banner.ts'),
    ]);
    const args = withCatalogOperands(given, faultKinds);
    const config = buildConfig(args, io.env, io.cwd);
    refuseDemoFlagsWithoutDemo(args, config);
    // Before anything starts: an unknown fault name is a usage error, not a failure of the running demo.
    if (config.demo.enabled) faultSelection(config.demo.faults);
    if (config.store.kind === 'embedded') {
      // A new installation starts in an empty (or absent) directory; any other directory without Weft's data is refused.
      const entries = existsSync(config.dataDir) ? readdirSync(config.dataDir) : [];
      const weftEntries = ['data', 'spool', 'demo'];
      if (entries.length > 0 && !isWeftStore(config.store.path) && !entries.some((e) => weftEntries.includes(e))) {
        throw ERR_CONFIG(
          `${config.dataDir} is not a Weft data directory (it holds ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''}): pass --data with an empty or new directory, or the one weft start printed.`,
        );
      }
    }
    const fresh = config.store.kind === 'embedded' && !isWeftStore(config.store.path);
    const logger = createLogger(config.logLevel);
    for (const warning of unknownWeftVariables(io.env)) logger.warn(warning);
    for (const warning of config.warnings ?? []) logger.warn(warning);
    // `npm start -- --catalog mine.yaml` is `weft start --demo --catalog mine.yaml`: the catalog wins, said once.
    if (switchOn(args, 'demo') && !config.demo.enabled && config.catalogFiles.length > 0)
      logger.info('a catalog is given, so Weft watches that estate and the demo does not run (leave the catalog out to run the demo)');
    const weft = await startWeft(config, logger);
    // The log is written asynchronously: let its lines ("listening on …") out first, so the banner comes last.
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    if (fresh) io.err(`No Weft data was in ${config.dataDir}: started a new store there.`);
    io.err(startBanner(weft));
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping: flushing what is held');
        weft.stop().then(
          () => {
            // Said once everything is written and closed: Ctrl-C printed only "stopping", and left it to the reader to
            // guess when Weft had stopped.
            logger.info('stopped: everything held was written');
            resolve();
          },
          (err) => {
            logger.error({ err }, 'error while stopping');
            resolve();
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
