import type { RunningWeft } from '../../runtime/start-weft.ts';

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
    // The systems its catalog documents (what the UI and the inventory count), not the demo's servers.
    const documented = weft.analyzer?.catalog().systems.length;
    const systems = documented === undefined ? '' : `${documented} system${documented === 1 ? '' : 's'} in its catalog; `;
    lines.push(`  demo estate  ${systems}faults: ${faults.length > 0 ? faults.join(', ') : 'none (clean)'}`);
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
