import { createHash } from 'node:crypto';
import { fromChTime, toChTime } from '../clickhouse/index.ts';
import type { Finding, FindingKind, FindingStatus, Severity } from '../core/contracts/index.ts';

/** A finding's id: a stable hash of kind + key, so one condition keeps one id across evaluations. */
export function findingId(kind: FindingKind, key: string): string {
  return createHash('sha256').update(`${kind}\u0000${key}`).digest('hex').slice(0, 20);
}

/** The row shape of `weft_findings` (dates as ClickHouse DateTime64 text, UTC). */
export interface FindingRow {
  id: string;
  kind: string;
  key: string;
  severity: string;
  title: string;
  subject_systems: string[];
  subject_flows: string[];
  subject_domains: string[];
  evidence: string;
  hint: string;
  status: string;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  note: string;
  version: number;
}

export function rowToFinding(r: FindingRow): Finding {
  return {
    id: r.id,
    kind: r.kind as FindingKind,
    key: r.key,
    severity: r.severity as Severity,
    title: r.title,
    subject: { systems: r.subject_systems, flows: r.subject_flows, domains: r.subject_domains },
    evidence: JSON.parse(r.evidence || '{}') as Record<string, unknown>,
    hint: r.hint,
    status: r.status as FindingStatus,
    firstSeen: fromChTime(r.first_seen),
    lastSeen: fromChTime(r.last_seen),
    resolvedAt: r.resolved_at ? fromChTime(r.resolved_at) : null,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: r.acknowledged_at ? fromChTime(r.acknowledged_at) : null,
    note: r.note,
  };
}

export function findingToRow(f: Finding, version: number): FindingRow {
  const iso = (s: string) => toChTime(new Date(s));
  return {
    id: f.id,
    kind: f.kind,
    key: f.key,
    severity: f.severity,
    title: f.title,
    subject_systems: f.subject.systems,
    subject_flows: f.subject.flows,
    subject_domains: f.subject.domains,
    evidence: JSON.stringify(f.evidence),
    hint: f.hint,
    status: f.status,
    first_seen: iso(f.firstSeen),
    last_seen: iso(f.lastSeen),
    resolved_at: f.resolvedAt ? iso(f.resolvedAt) : null,
    acknowledged_by: f.acknowledgedBy,
    acknowledged_at: f.acknowledgedAt ? iso(f.acknowledgedAt) : null,
    note: f.note,
    version,
  };
}
