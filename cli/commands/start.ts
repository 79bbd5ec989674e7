import { buildConfig } from '../../core/config/index.ts';
import { createLogger } from '../../core/log/logger.ts';
import { startWeft } from '../../runtime/start-weft.ts';
import type { Command } from '../command.ts';
import { startBanner } from './start-banner.ts';

export const startCommand: Command = {
  summary: 'Run Weft: collector, probes, analyzer, API and UI in one process',
  usage:
    'start [--demo [--no-faults | --faults=shadow-it,stale-flow,…] [--demo-time-scale 0.1]] [--catalog FILE]… [--data DIR] [--clickhouse URL [--cluster NAME]] [--only collector|probes|analyzer|api] [--port 3000] [--otlp-port 4318] [--no-auto-remediation]',
  async run(args, io) {
    const config = buildConfig(args, io.env, io.cwd);
    const logger = createLogger(config.logLevel);
    const weft = await startWeft(config, logger);
    // The log is written asynchronously: let its lines ("listening on …") out first, so the banner comes last.
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    io.err(startBanner(weft));
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping: flushing what is held');
        weft.stop().then(resolve, (err) => {
          logger.error({ err }, 'error while stopping');
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
