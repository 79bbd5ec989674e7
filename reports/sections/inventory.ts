import type { ReportData } from '../source/report-data.ts';
import type { Section } from '../model.ts';
import { catalogIndex, flowLabel, fmtTime, list, pct, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';
import { flowWindowText } from '../period.ts';

/** Flow status against the catalog: what an auditor compares the register with. */
function flowStatus(f: ReportData['inventory']['flows'][number]): string {
  // A half of a documented flow: that flow's runs whose read and write were paired apart (no trace context across a restart).
  if (!f.documented && f.halfOf) return `observed, part of ${f.halfOf} (runs paired in halves)`;
  if (!f.documented) return 'observed, not documented';
  if (!f.stats) return f.lifecycle === 'active' ? 'documented, not observed' : `documented (${f.lifecycle}), not observed`;
  return f.lifecycle === 'active' ? 'documented and observed' : `${f.lifecycle}, still observed`;
}

/** A documented system's status in the period: seen in its spans, only as an end of a flow seen (OpenLineage runs), or not. */
function systemStatus(s: ReportData['inventory']['systems'][number]): string {
  if (s.spans > 0) return 'documented, observed';
  return s.observed ? 'documented, observed (flows, no spans)' : 'documented';
}

/** Estate inventory: systems, flows, owners and contacts, lifecycle, documented against observed. */
export function inventorySection(data: ReportData): Section {
  const { inventory, catalog } = data;
  const ix = catalogIndex(catalog);
  const statuses = inventory.flows.map(flowStatus);
  const withStatus = (s: string) => statuses.filter((x) => x === s).length;
  // Seen in the period: its spans, or an end of a flow seen (a dataset OpenLineage runs read or write has no span).
  const observedSystems = inventory.systems.filter((s) => s.observed);
  const unknown = inventory.systems.filter((s) => !s.documented);
  const byStatus = ['documented and observed', 'documented, not observed', 'observed, not documented'].map((s) => ({ s, n: withStatus(s) }));
  const undocumented = withStatus('observed, not documented');
  const retiredInUse = statuses.filter((s) => s.endsWith('still observed')).length;
  return {
    id: 'inventory',
    title: 'Estate inventory',
    summary: [
      `The estate as documented in the catalog and as observed in telemetry in the period ${fmtTime(data.period.since)} to ${fmtTime(data.period.until)}. ${flowWindowText(data.period)}`,
      `${count(catalog.systems.length, 'system')} and ${count(catalog.flows.length, 'flow')} are documented; ${count(observedSystems.length, 'system')} and ${count(inventory.flows.filter((f) => f.stats).length, 'flow')} were observed. ` +
        `${count(undocumented, 'observed flow')} ${undocumented === 1 ? 'is' : 'are'} not documented and ${count(unknown.length, 'observed system')} ${unknown.length === 1 ? 'is' : 'are'} not in the catalog.`,
    ],
    figures: [
      { label: 'systems documented', value: catalog.systems.length },
      { label: 'unknown systems observed', value: unknown.length },
      { label: 'flows documented', value: catalog.flows.length },
      { label: 'flows observed', value: inventory.flows.filter((f) => f.stats).length },
      { label: 'undocumented flows', value: undocumented },
      { label: 'deprecated or retired in use', value: retiredInUse },
    ],
    charts: [
      {
        id: 'flow-status',
        title: 'Flows: documented against observed',
        height: 170,
        option: {
          grid: { left: 170, right: 40, top: 10, bottom: 25 },
          xAxis: { type: 'value', minInterval: 1 },
          yAxis: { type: 'category', data: [...byStatus.map((b) => b.s), 'deprecated/retired in use'], inverse: true },
          series: [
            { type: 'bar', data: [...byStatus.map((b) => b.n), retiredInUse], label: { show: true, position: 'right' }, itemStyle: { color: '#3b6ea5' } },
          ],
        },
      },
    ],
    tables: [
      table(
        'systems',
        'Systems',
        [
          ['id', 'System', 1.3],
          ['kind', 'Kind', 0.8],
          ['owner', 'Owner', 1.6],
          ['lifecycle', 'Lifecycle', 0.8],
          ['region', 'Region', 0.6],
          ['status', 'Status', 1.1],
          ['spans', 'Spans', 0.7],
          ['lastSeen', 'Last seen', 1.3],
        ],
        inventory.systems.map((s) => [
          s.documented ? `${s.name} (${s.id})` : s.name,
          s.kind,
          s.documented ? ix.ownerText(s.owner) : 'not in the catalog',
          s.lifecycle ?? 'unknown',
          ix.systems.get(s.id)?.region ?? '',
          s.documented ? systemStatus(s) : 'unknown (shadow IT?)',
          s.spans,
          s.lastSeen ? fmtTime(s.lastSeen) : 'not seen in the period',
        ]),
        'No system is documented or observed.',
      ),
      table(
        'flows',
        'Flows',
        [
          ['id', 'Flow', 2],
          ['route', 'Source → target', 1.5],
          ['domain', 'Domain', 0.8],
          ['owner', 'Owner', 1.3],
          ['status', 'Status', 1.3],
          ['traces', 'Traces', 0.6],
          ['errors', 'Error rate', 0.6],
          ['lastSeen', 'Last seen', 1.2],
        ],
        inventory.flows.map((f, i) => [
          flowLabel(f),
          `${ix.systemName(f.source)} → ${ix.systemName(f.target)}`,
          f.domain ?? '',
          f.documented ? ix.ownerText(f.owner) : 'no owner',
          statuses[i],
          f.stats?.traces ?? 0,
          f.stats ? pct(f.stats.errorRate) : '',
          f.lastSeen ? fmtTime(f.lastSeen) : 'not seen in the period',
        ]),
        'No flow is documented or observed.',
      ),
      table(
        'owners',
        'Owners and contacts',
        [
          ['id', 'Owner', 1.4],
          ['email', 'E-mail', 1.5],
          ['chat', 'Chat / on-call', 1.2],
          ['systems', 'Systems', 1.6],
          ['flows', 'Flows', 0.6],
          ['domains', 'Domains', 1.2],
        ],
        catalog.owners.map((o) => [
          `${o.name} (${o.id})`,
          o.email ?? '',
          [o.slack, o.oncall].filter(Boolean).join(' / '),
          list(catalog.systems.filter((s) => s.owner === o.id).map((s) => s.id)),
          catalog.flows.filter((f) => f.owner === o.id).length,
          list(catalog.domains.filter((d) => d.owner === o.id).map((d) => d.id)),
        ]),
        'The catalog names no owners.',
      ),
    ],
  };
}
