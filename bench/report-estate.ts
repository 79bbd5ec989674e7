/**
 * A large estate for the report benchmarks: `systems` systems owned by 60 teams, 40 data domains (every other one
 * regulated, so most flows are in the record of processing), `flows` documented flows between them (hubs and a long
 * tail, some targets outside the EEA), each with a class and a schedule. No traffic: the analyzer finds every flow
 * never observed, so the exceptions section is as large as the inventory.
 */
export function reportEstateYaml(systems: number, flows: number): string {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const teams = 60;
  const domains = 40;
  const lines = ['owners:'];
  for (let t = 0; t < teams; t++) lines.push(`  - { id: team-${t}, email: team-${t}@example.com }`);
  lines.push('systems:');
  for (let s = 0; s < systems; s++) {
    const region = s % 17 === 0 ? ', region: US' : s % 5 === 0 ? ', region: DE' : '';
    lines.push(
      `  - { id: sys-${s}, name: "System ${s}", kind: ${['crm', 'erp', 'billing', 'shop', 'wms'][s % 5]}, owner: team-${s % teams}${region}, security: [tls], match: { hosts: [sys-${s}.corp] } }`,
    );
  }
  lines.push('domains:');
  for (let d = 0; d < domains; d++) {
    const regulated = d % 2 === 0 ? ', regulated: [pii], dataSubjects: [customers], personalData: [contact details], retention: 10 years' : '';
    lines.push(`  - { id: dom-${d}, systemOfRecord: sys-${d}, owner: team-${d % teams}${regulated} }`);
  }
  lines.push('classes:', '  - { id: std, latencyP95Ms: 2000, latencyP99Ms: 4000, errorRate: 0.05, staleAfter: 1h }', 'flows:');
  const seen = new Set<string>();
  while (seen.size < flows) {
    const s = rnd() < 0.4 ? Math.floor(rnd() * 20) : Math.floor(rnd() * systems);
    const t = Math.floor(rnd() * systems);
    if (s === t || seen.has(`${s}>${t}`)) continue;
    seen.add(`${s}>${t}`);
    const i = seen.size;
    lines.push(
      `  - { id: flow-${i}, name: "Flow ${i}", source: sys-${s}, target: sys-${t}, domain: dom-${i % domains}, owner: team-${i % teams}, class: std, schedule: { every: 15m }, purpose: "Keeps record ${i} in step", runtime: { service: int-${i} } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}
