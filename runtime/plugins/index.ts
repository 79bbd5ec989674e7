import type { WeftConfig } from '../../core/config/index.ts';
import { demoPlugin } from './demo-plugin.ts';
import type { WeftPlugin } from './plugin.ts';

export type { PluginContext, StartedPlugin, WeftPlugin } from './plugin.ts';
export { demoPlugin } from './demo-plugin.ts';

/** Every plugin the composition root knows, in start order. Adding one adds an entry. */
export const weftPlugins: readonly WeftPlugin[] = [demoPlugin];

/** The plugins a configuration asks for (`--demo` → the demo estate). */
export function enabledPlugins(config: WeftConfig): WeftPlugin[] {
  return weftPlugins.filter((p) => p.enabled(config));
}
