import { demoCensus, unknownHostsOf, type DemoCensus } from '../../demo/index.ts';
import type { RunningWeft } from '../../runtime/start-weft.ts';
import { count } from '../../core/text/index.ts';

/**
 * The demo's systems, each count named for what it counts, as the UI and the API count them: the
 * systems its catalog documents (of which the demo runs some as applications; the lake, the warehouse
 * and the topics have no server), and the unknown systems its faults will show (hosts in no catalog,
 * seen only in traffic). The start log's `applications` is the second figure, never "systems".
 */
function demoLines(documented: number | undefined, unknownHosts: DemoCensus['unknownHosts']): string[] {
  const apps = demoCensus.applications.length;
  const lines = [
    documented === undefined
      ? `  demo estate  ${count(apps, 'application')}`
      : `  demo estate  ${count(documented, 'documented system')} (its catalog's; ${apps} of them are the demo's applications)`,
  ];
  if (unknownHosts.length > 0) {
    const hosts = unknownHosts.map((u) => `${u.host} (${u.fault})`).join(', ');
    lines.push(
      `               + ${count(unknownHosts.length, 'unknown system')}, seen only in traffic once ${unknownHosts.length === 1 ? "its fault's job runs" : "their faults' jobs run"}: ${hosts}`,
    );
  }
  return lines;
}

/** The few lines a person reads after `weft start`: where to look and what to run next. */
export function startBanner(weft: RunningWeft): string {
  const { config } = weft;
  const store = config.store.kind === 'embedded' ? `embedded store in ${config.store.path}` : `ClickHouse at ${config.store.url}/${config.store.database}`;
  const lines = [`Weft is running (${store}).`];
  if (weft.api) {
    lines.push(`  UI and API   ${weft.api.url}   (OpenAPI: ${weft.api.url}/api/v1/openapi.json)`);
  }
  if (weft.collector) lines.push(`  OTLP/HTTP    ${weft.collector.url}   (set OTEL_EXPORTER_OTLP_ENDPOINT to this)`);
  if (weft.demo) {
    const faults = weft.demo.activeFaults();
    lines.push(...demoLines(weft.analyzer?.catalog().systems.length, unknownHostsOf(demoCensus, faults)));
    lines.push(`  faults       ${faults.length > 0 ? faults.join(', ') : 'none (clean)'}`);
    lines.push(`  catalog      ${weft.demo.catalogFile}`);
  } else if (config.catalogFiles.length > 0) {
    lines.push(`  catalog      ${config.catalogFiles.join(', ')}`);
  } else {
    lines.push('  catalog      none: everything observed is undocumented (pass --catalog FILE)');
  }
  if (weft.api) lines.push(`  audit        npm run weft -- audit --url ${weft.api.url} --since 1h`);
  lines.push('Stop with Ctrl-C (what is held is flushed first).');
  return lines.join('\n');
}
