import { resolve } from 'node:path';
import { buildConfig, flag, type ParsedArgs } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { createLogger } from '../../core/log/logger.ts';
import type { InProcessDemo } from '../../demo/index.ts';
import type { Command, CommandIO } from '../command.ts';

/**
 * Runs the demo estate on its own, exporting to a Weft (or an OpenTelemetry Collector) elsewhere,
 * until `until` resolves. Writes the catalog Weft should load (`weft start --catalog FILE`).
 */
export async function runDemo(args: ParsedArgs, io: CommandIO, until: (demo: InProcessDemo) => Promise<void>): Promise<number> {
  const config = buildConfig(args, io.env, io.cwd);
  const otlpUrl = flag(args, 'otlp') ?? io.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
  if (!/^https?:\/\//.test(otlpUrl)) throw ERR_CONFIG(`--otlp must be Weft's OTLP/HTTP base URL like http://weft:4318, got "${otlpUrl}".`);
  const lineageUrl = flag(args, 'lineage') ?? 'http://127.0.0.1:3000';
  if (!/^https?:\/\//.test(lineageUrl)) throw ERR_CONFIG(`--lineage must be Weft's API base URL like http://weft:3000, got "${lineageUrl}".`);
  const bindHost = flag(args, 'bind') ?? '127.0.0.1';
  const advertiseHost = flag(args, 'advertise') ?? (bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost);
  const { faultSelection, startDemo } = await import('../../demo/index.ts');
  const demo = await startDemo({
    otlpUrl,
    otlpToken: flag(args, 'otlp-token') ?? io.env.WEFT_INGEST_TOKEN,
    lineageUrl,
    workDir: resolve(io.cwd, flag(args, 'out') ?? `${config.dataDir}/demo`),
    faults: faultSelection(config.demo.faults),
    timeScale: config.demo.timeScale,
    bindHost,
    advertiseHost,
    logger: createLogger(config.logLevel),
  });
  io.out(`demo estate exporting to ${otlpUrl} (OpenLineage to ${lineageUrl}/api/v1/lineage); faults: ${demo.activeFaults().join(', ') || 'none'}`);
  io.out(`catalog: ${demo.catalogFile} (weft start --catalog ${demo.catalogFile})`);
  try {
    await until(demo);
  } finally {
    await demo.stop();
  }
  return 0;
}

export const demoCommand: Command = {
  summary: 'Run only the demo estate, exporting OTLP to a Weft elsewhere, and write the catalog that documents it',
  usage: [
    'demo [--otlp http://127.0.0.1:4318] [--otlp-token TOKEN] [--lineage http://127.0.0.1:3000] [--no-faults | --faults=LIST] [--demo-time-scale 1] [--out DIR] [--bind 127.0.0.1] [--advertise HOST] [--log-level info]',
    '',
    'Token: WEFT_INGEST_TOKEN in the environment (--otlp-token puts it in the process list).',
  ].join('\n'),
  options: ['otlp', 'otlp-token', 'lineage', 'demo-time-scale', 'out', 'bind', 'advertise', 'log-level'],
  booleans: ['no-faults'],
  optional: ['faults'],
  run: (args, io) =>
    runDemo(
      args,
      io,
      () =>
        new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        }),
    ),
};
