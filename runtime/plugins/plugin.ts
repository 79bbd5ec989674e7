import type { WeftConfig } from '../../core/config/index.ts';
import type { Credentials } from '../../access/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { RunningWeft } from '../start-weft.ts';

/** What the composition root hands a plugin when it starts it. */
export interface PluginContext {
  config: WeftConfig;
  /** Where this process's collector accepts OTLP/HTTP (or where it would listen, when another process runs it). */
  otlpUrl: string;
  logger: Logger;
  /** The running Weft's credential check, for a plugin that calls its listeners (`processToken`). */
  credentials: Credentials;
}

/** A started plugin: stopped by the composition root in reverse order, like the parts. */
export interface StartedPlugin {
  stop(): Promise<void>;
  /** Catalog files the plugin brings; when given, they are read instead of `config.catalogFiles`. */
  catalogFiles?: string[];
  /** Puts what the plugin runs on the running Weft (e.g. `weft.demo`), for the CLI and tests. */
  attach?(weft: RunningWeft): void;
  /** Called once the API listens (it starts after the plugins), with its base URL. */
  apiReady?(url: string): void;
}

/**
 * Something the composition root runs beside Weft's own parts. Plugins start after the collector
 * (so they can export to it) and before the catalog is read (so they can bring one); a plugin that
 * throws stops the start, and everything started so far is stopped again.
 */
export interface WeftPlugin {
  name: string;
  /** Whether this configuration asks for the plugin (the default plugin list is every enabled one). */
  enabled(config: WeftConfig): boolean;
  start(context: PluginContext): Promise<StartedPlugin>;
}
