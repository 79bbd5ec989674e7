import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { catalogIndex, flowLabel, list, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';

/**
 * Which flows are watched, and how: alert rules (alerting/), Weft's own SLO checks from the flow's
 * class, count probes on the flow's domain at its source or target, key-level reconciliations.
 */
export function monitoringCoverageSection(data: ReportData): Section {
  const { catalog } = data;
  const ix = catalogIndex(catalog);
  const rules = data.alertRules;
  const rows = data.inventory.flows.map((f) => {
    const flow = f.documented ? ix.flows.get(f.id) : undefined;
    const cls = flow?.class ? ix.classes.get(flow.class) : undefined;
    const checks = cls
      ? [
          cls.latencyP95Ms !== undefined || cls.latencyP99Ms !== undefined ? 'latency' : '',
          cls.errorRate !== undefined ? 'error rate' : '',
          cls.staleAfter || flow?.schedule ? 'staleness' : '',
        ].filter(Boolean)
      : [];
    const systems = [f.source, f.target];
    const probes = f.domain ? catalog.probes.filter((p) => p.domain === f.domain && systems.includes(p.system)).map((p) => p.id) : [];
    const recons = f.domain
      ? catalog.reconciliations.filter((r) => r.domain === f.domain && (systems.includes(r.left.system) || systems.includes(r.right.system))).map((r) => r.id)
      : [];
    const alertRules = rules.recorded ? rules.rows.filter((r) => r.flows.includes(f.id)).map((r) => r.name || r.id) : [];
    const covered = checks.length + probes.length + recons.length + alertRules.length > 0;
    return { f, checks, cls, probes, recons, alertRules, covered };
  });
  const none = rows.filter((r) => !r.covered);
  return {
    id: 'monitoring-coverage',
    title: 'Monitoring coverage',
    summary: [
      "For each flow, what watches it in this installation: alert rules, Weft's SLO checks from the flow's class (latency, error rate, staleness), count probes on its domain at its source or target, and key-level reconciliations.",
      `${rows.length - none.length} of ${count(rows.length, 'flow')} ${rows.length - none.length === 1 ? 'has' : 'have'} at least one kind of monitoring; ${none.length} ${none.length === 1 ? 'has' : 'have'} none.` +
        (rules.recorded ? ` ${count(rules.rows.length, 'alert rule')} ${rules.rows.length === 1 ? 'is' : 'are'} defined.` : ` Alert rules: ${rules.reason}.`),
    ],
    figures: [
      { label: 'flows', value: rows.length },
      { label: 'with SLO checks', value: rows.filter((r) => r.checks.length).length },
      { label: 'with probes', value: rows.filter((r) => r.probes.length).length },
      { label: 'with reconciliations', value: rows.filter((r) => r.recons.length).length },
      { label: 'with alert rules', value: rules.recorded ? rows.filter((r) => r.alertRules.length).length : 'not recorded' },
      { label: 'with none', value: none.length },
    ],
    charts: [],
    tables: [
      table(
        'coverage',
        'Coverage per flow',
        [
          ['flow', 'Flow', 2],
          ['alerts', 'Alert rules', 1.1],
          ['slo', 'SLO checks (class)', 1.3],
          ['probes', 'Probes', 1.2],
          ['recons', 'Reconciliations', 1],
          ['covered', 'Monitored', 0.6],
        ],
        rows.map((r) => [
          `${flowLabel(r.f)}${r.f.documented ? '' : r.f.halfOf ? `, part of ${r.f.halfOf}` : ', undocumented'}`,
          rules.recorded ? list(r.alertRules, 'none') : 'not recorded',
          r.checks.length ? `${list(r.checks)} (${r.cls!.id})` : 'none',
          list(r.probes, 'none'),
          list(r.recons, 'none'),
          r.covered ? 'yes' : 'NO',
        ]),
        'No flow is documented or observed.',
      ),
      table(
        'unmonitored',
        'Flows with no monitoring',
        [
          ['flow', 'Flow', 2],
          ['route', 'Source → target', 1.6],
          ['owner', 'Owner', 1.4],
          ['documented', 'Documented', 0.7],
        ],
        none.map((r) => [
          flowLabel(r.f),
          `${ix.systemName(r.f.source)} → ${ix.systemName(r.f.target)}`,
          ix.ownerText(r.f.owner),
          r.f.documented ? 'yes' : 'no',
        ]),
        'Every flow has at least one kind of monitoring.',
      ),
    ],
  };
}
