// Not the probes' index: that loads the store (libchdb), which a report's worker thread must not.
import { diffShapes } from '../../probes/schema-drift/schema-drift.ts';
import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { catalogIndex, findingStatusAtEnd, flowLabel, fmtTime, pct, table } from './helpers.ts';
import { domainDrift } from './integrity-drift.ts';
import { count } from '../../core/text/index.ts';

/** Schema changes in the period: each stored shape that differs from the probe's previous one. */
function schemaChanges(data: ReportData) {
  const out: Array<{ ts: string; probeId: string; system: string; domain: string; change: string }> = [];
  const since = data.period.since;
  for (let i = 1; i < data.schemaObservations.length; i++) {
    const prev = data.schemaObservations[i - 1];
    const cur = data.schemaObservations[i];
    if (prev.probeId !== cur.probeId || cur.ts < since || prev.fingerprint === cur.fingerprint) continue;
    let change: string;
    try {
      const d = diffShapes(prev.shape, cur.shape);
      change = [
        d.added.length ? `added ${d.added.join(', ')}` : '',
        d.removed.length ? `removed ${d.removed.join(', ')}` : '',
        ...d.changed.map((c) => `${c.path}: ${c.before} → ${c.after}`),
      ]
        .filter(Boolean)
        .join('; ');
    } catch {
      change = `fingerprint ${prev.fingerprint.slice(0, 8)} → ${cur.fingerprint.slice(0, 8)}`;
    }
    out.push({ ts: cur.ts, probeId: cur.probeId, system: cur.system, domain: cur.domain, change: change || 'shape changed' });
  }
  return out;
}

/** Records per hop, one row per hop (and per handoff through a messaging system) of every chain, deduplicated. */
function hopRows(data: ReportData) {
  const seen = new Set<string>();
  const rows: Array<Array<string | number | null>> = [];
  const verdict = (c: { judged: boolean; lost: boolean }) => (c.lost ? 'records lost' : c.judged ? 'ok' : 'not compared');
  for (const c of data.hopChains ?? []) {
    c.hops.forEach((h, i) => {
      const key = `${c.domain}|${h.source}|${h.target}|${h.integration}`;
      if (seen.has(key)) return;
      seen.add(key);
      const first = c.firstDivergence?.hop === i ? ' (first divergence)' : '';
      if (h.handoff)
        rows.push([
          c.domain,
          `${c.systemOfRecord} → ${c.end}`,
          `handoff through ${h.handoff.system}`,
          `${h.handoff.writers.join(', ')} → ${h.integration}`,
          h.handoff.read,
          h.handoff.written,
          h.handoff.difference,
          verdict(h.handoff) + (c.firstDivergence?.hop === i && c.firstDivergence.at === 'handoff' ? first : ''),
          h.handoff.traceIds.join(' '),
        ]);
      rows.push([
        c.domain,
        `${c.systemOfRecord} → ${c.end}`,
        `${i + 1}. ${h.source} → ${h.target}`,
        `${h.integration} (${h.via === 'openlineage' ? 'OpenLineage' : 'traces'}, ${h.countedUnits}/${h.units} counted)`,
        h.read,
        h.written,
        h.difference,
        verdict(h) + (c.firstDivergence?.hop === i && c.firstDivergence.at === 'hop' ? first : ''),
        [...h.evidence.runs.map((r) => `run ${r.runId} (${r.read} → ${r.written})`), ...h.evidence.traceIds].join(' '),
      ]);
    });
  }
  return rows;
}

/** SOC 2 processing integrity (PI1.x) evidence: count drift, records per hop, reconciliations, schema drift, failed runs. */
export function processingIntegritySection(data: ReportData): Section {
  const ix = catalogIndex(data.catalog);
  const statusAtEnd = findingStatusAtEnd(data);
  const drift = domainDrift(data.catalog, data.counts);
  const changes = schemaChanges(data);
  const driftFindings = data.findings.filter((f) => f.kind === 'record-count-drift' || f.kind === 'key-drift' || f.kind === 'hop-record-loss');
  const hops = hopRows(data);
  const lossyHops = hops.filter((r) => String(r[7]).startsWith('records lost')).length;
  const schemaFindings = data.findings.filter((f) => f.kind === 'schema-drift');
  const flows = data.inventory.flows.filter((f) => f.stats);
  const traces = flows.reduce((n, f) => n + (f.stats?.traces ?? 0), 0);
  const failed = flows.reduce((n, f) => n + (f.stats?.failedTraces ?? 0), 0);
  const probeRuns = data.probeRuns.reduce((n, p) => n + p.runs, 0);
  const probeFailures = data.probeRuns.reduce((n, p) => n + p.failures, 0);
  const recons = data.reconciliationRuns;
  const outside = drift.rows.filter((r) => r.outOfTolerance > 0).length;
  return {
    id: 'processing-integrity',
    title: 'Processing integrity (SOC 2 PI1.x)',
    summary: [
      'Evidence that processing is complete, accurate and timely: record counts read from each system by probes and compared per domain with the system of record (PI1.4), ' +
        'records per hop from each system of record through every integration to its replicas, with where the count first diverges (PI1.4), ' +
        'key-level reconciliation runs with their sample keys (PI1.4, PI1.5), schema drift of what integrations read (PI1.2), and failed integration runs (PI1.3).',
      `${count(driftFindings.length, 'drift finding')} ${driftFindings.length === 1 ? 'was' : 'were'} open in the period; ${count(outside, 'replica')} ${outside === 1 ? 'was' : 'were'} outside tolerance at some point. ` +
        `${count(hops.length, 'hop')} counted, ${lossyHops} losing records; ${count(recons.length, 'reconciliation run')}; ${count(changes.length, 'schema change')}; ${failed} of ${count(traces, 'integration run')} failed (${traces ? pct(failed / traces) : '0%'}); ${probeFailures} of ${count(probeRuns, 'probe run')} failed.`,
    ],
    figures: [
      { label: 'drift findings', value: driftFindings.length },
      { label: 'hops losing records', value: `${lossyHops} / ${hops.length}` },
      { label: 'reconciliation runs', value: recons.length },
      { label: 'schema changes', value: changes.length },
      { label: 'failed runs', value: `${failed} / ${traces}` },
      { label: 'probe failures', value: `${probeFailures} / ${probeRuns}` },
    ],
    charts: drift.charts.slice(0, 6),
    tables: [
      {
        ...table(
          'count-drift',
          'Record-count drift per domain (replica against system of record)',
          [
            ['domain', 'Domain', 0.9],
            ['sor', 'System of record', 0.9],
            ['sorLast', 'Its count (last)', 0.8],
            ['replica', 'Replica', 0.9],
            ['replicaLast', 'Replica count (last)', 0.8],
            ['end', 'Difference at end', 0.8],
            ['largest', 'Largest difference (bucket average)', 0.8],
            ['largestAt', 'Largest at', 1.2],
            ['out', 'Buckets out of tolerance', 0.8],
            ['tolerance', 'Tolerance', 1.3],
          ],
          drift.rows.map((r) => {
            const d = ix.domains.get(r.domain);
            return [
              r.domain,
              r.systemOfRecord,
              r.sorLast,
              r.replica,
              r.replicaLast,
              r.diffAtEnd,
              r.largestDiff,
              fmtTime(r.largestAt),
              `${r.outOfTolerance} of ${r.compared}`,
              d ? `${d.drift.toleranceAbsolute} records or ${d.drift.tolerancePercent}%, settle ${d.drift.settle}` : '',
            ];
          }),
          'No domain had record counts for both its system of record and a replica in the period (add count probes to the catalog).',
        ),
      },
      table(
        'records-per-hop',
        'Records per hop, system of record to replica (read, written, difference per hop)',
        [
          ['domain', 'Domain', 0.7],
          ['chain', 'Chain', 1.1],
          ['hop', 'Hop', 1.2],
          ['by', 'Integration (counted)', 1.6],
          ['read', 'Read', 0.6],
          ['written', 'Written', 0.6],
          ['difference', 'Difference', 0.6],
          ['verdict', 'Verdict', 0.9],
          ['evidence', 'Evidence (runs, traces)', 1.8],
        ],
        hops,
        'No domain had a hop from its system of record in the period (hops are the observed flows of a domain, traced or reported through OpenLineage).',
      ),
      table(
        'drift-findings',
        'Drift findings in the period',
        [
          ['id', 'Finding', 0.9],
          ['title', 'Title', 2.6],
          ['severity', 'Severity', 0.6],
          ['status', 'Status at the end of the period', 0.8],
          ['first', 'First seen', 1.1],
          ['resolved', 'Resolved', 1.1],
        ],
        [...driftFindings, ...schemaFindings].map((f) => [f.id, f.title, f.severity, statusAtEnd(f), fmtTime(f.firstSeen), fmtTime(f.resolvedAt)]),
        'No record-count, key, hop or schema drift finding was open in the period.',
      ),
      table(
        'reconciliations',
        'Reconciliation runs',
        [
          ['at', 'Started', 1.1],
          ['id', 'Reconciliation', 1],
          ['pair', 'Left → right', 1],
          ['status', 'Result', 0.6],
          ['rows', 'Rows (left / right)', 0.9],
          ['diff', 'Missing / extra / changed', 0.9],
          ['samples', 'Sample keys', 1.8],
        ],
        recons.map((r) => [
          fmtTime(r.startedAt),
          `${r.reconcileId}${r.domain ? ` (${r.domain})` : ''}`,
          `${r.leftSystem} → ${r.rightSystem}`,
          r.status === 'ok' ? (r.missing + r.extra + r.changed === 0 ? 'agree' : 'differ') : `error: ${r.error}`,
          `${r.leftRows} / ${r.rightRows}`,
          `${r.missing} / ${r.extra} / ${r.changed}`,
          [
            r.sampleMissing.length ? `missing ${r.sampleMissing.slice(0, 5).join(' ')}` : '',
            r.sampleExtra.length ? `extra ${r.sampleExtra.slice(0, 5).join(' ')}` : '',
            r.sampleChanged.length ? `changed ${r.sampleChanged.slice(0, 5).join(' ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        ]),
        'No reconciliation ran in the period (reconciliations are configured in the catalog).',
      ),
      table(
        'schema-changes',
        'Schema changes seen by probes',
        [
          ['at', 'When', 1.1],
          ['probe', 'Probe (system)', 1.2],
          ['change', 'Change', 3.5],
        ],
        changes.map((c) => [fmtTime(c.ts), `${c.probeId} (${c.system})`, c.change]),
        'No schema change was seen in the period.',
      ),
      table(
        'failed-runs',
        'Integration runs and failures per flow',
        [
          ['flow', 'Flow', 2.2],
          ['traces', 'Runs (traces)', 0.7],
          ['failed', 'Failed', 0.6],
          ['rate', 'Error rate', 0.7],
          ['allowed', 'Allowed (class)', 0.8],
          ['sample', 'Sample failed trace', 1.6],
        ],
        [...flows]
          .sort((a, b) => (b.stats?.errorRate ?? 0) - (a.stats?.errorRate ?? 0) || a.id.localeCompare(b.id))
          .map((f) => {
            const cls = f.documented ? ix.classes.get(ix.flows.get(f.id)?.class ?? '') : undefined;
            return [
              flowLabel(f),
              f.stats!.traces,
              f.stats!.failedTraces,
              pct(f.stats!.errorRate),
              cls?.errorRate !== undefined ? pct(cls.errorRate) : '',
              f.stats!.sampleErrorTrace,
            ];
          }),
        'No integration run was observed in the period.',
      ),
      table(
        'probe-runs',
        'Probe runs (record counts read from the systems)',
        [
          ['probe', 'Probe', 1.1],
          ['system', 'System / domain', 1.1],
          ['runs', 'Runs', 0.5],
          ['failures', 'Failed', 0.5],
          ['range', 'Count first → last (min–max)', 1.5],
          ['error', 'Last error', 2],
        ],
        data.probeRuns.map((p) => [
          `${p.probeId} (${p.kind})`,
          `${p.system}${p.domain ? ` / ${p.domain}` : ''}`,
          p.runs,
          p.failures,
          p.first === null ? '' : `${p.first} → ${p.last} (${p.min}–${p.max})`,
          p.lastError ? `${p.lastError} (${fmtTime(p.lastErrorAt)})` : '',
        ]),
        'No probe ran in the period.',
      ),
    ],
  };
}
