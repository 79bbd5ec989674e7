import type { FindingCandidate } from '../../core/contracts/index.ts';

/** The shape a probe read: a fingerprint and its JSON description. */
export interface ShapeSnapshot {
  ts: Date;
  fingerprint: string;
  shape: string;
}

/** Who reported a shape that came from OpenLineage (the `schema` dataset facet) instead of a probe. */
export interface ReportedBy {
  /** The dataset's partition-free key (`namespace/name`). */
  dataset: string;
  /** The job (`namespace/name`) and run that reported the current shape, and the run of the baseline. */
  job: string;
  runId: string;
  baselineRunId: string;
}

export interface SchemaState {
  /** The probe id, or `lineage:<dataset>` for a shape an OpenLineage producer reported (then `reportedBy` says who). */
  probeId: string;
  system: string;
  domain: string;
  /** The first shape seen: what the integrations were built against. */
  baseline: ShapeSnapshot;
  current: ShapeSnapshot;
  reportedBy?: ReportedBy;
}

export interface ShapeDiff {
  added: string[];
  removed: string[];
  changed: Array<{ path: string; before: string; after: string }>;
}

/** Flattens a shape to path → type: SQL columns as "table.column", JSON as "$.a.b[]". */
export function flattenShape(shapeText: string): Map<string, string> {
  const out = new Map<string, string>();
  const shape = JSON.parse(shapeText) as unknown;
  if (Array.isArray(shape) && shape.every((c) => c && typeof c === 'object' && 'column' in c)) {
    for (const c of shape as Array<{ table: string; column: string; type: string; nullable: boolean }>) {
      out.set(`${c.table}.${c.column}`, `${c.type}${c.nullable ? '' : ' not null'}`);
    }
    return out;
  }
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      if (node.length === 0) out.set(`${path}[]`, 'empty');
      for (const item of node) walk(item, `${path}[]`);
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
    } else {
      const prev = out.get(path);
      out.set(path, prev && prev !== node ? `${prev}|${String(node)}` : String(node));
    }
  };
  walk(shape, '$');
  return out;
}

export function diffShapes(before: string, after: string): ShapeDiff {
  const a = flattenShape(before);
  const b = flattenShape(after);
  const diff: ShapeDiff = { added: [], removed: [], changed: [] };
  for (const [path, type] of b) {
    if (!a.has(path)) diff.added.push(`${path}: ${type}`);
    else if (a.get(path) !== type) diff.changed.push({ path, before: a.get(path)!, after: type });
  }
  for (const [path, type] of a) if (!b.has(path)) diff.removed.push(`${path}: ${type}`);
  return diff;
}

/** A schema-drift finding for each probe whose current shape differs from its baseline; back to the baseline, none. */
export function schemaDriftCandidates(states: SchemaState[]): FindingCandidate[] {
  return states
    .filter((s) => s.current.fingerprint !== s.baseline.fingerprint)
    .map((s) => {
      const diff = diffShapes(s.baseline.shape, s.current.shape);
      const summary = [
        diff.added.length ? `${diff.added.length} added` : '',
        diff.removed.length ? `${diff.removed.length} removed` : '',
        diff.changed.length ? `${diff.changed.length} changed` : '',
      ].filter(Boolean);
      const by = s.reportedBy;
      return {
        kind: 'schema-drift' as const,
        key: s.probeId,
        severity: diff.removed.length > 0 || diff.changed.length > 0 ? ('high' as const) : ('medium' as const),
        title: by
          ? `The schema of dataset ${by.dataset} on ${s.system}, as job ${by.job} reported it, changed: ${summary.join(', ') || 'reordered'}`
          : `The shape read by probe ${s.probeId} on ${s.system} changed: ${summary.join(', ') || 'reordered'}`,
        subject: { systems: [s.system], flows: [], domains: s.domain ? [s.domain] : [] },
        evidence: {
          probe: s.probeId,
          ...(by ? { source: 'openlineage', dataset: by.dataset, job: by.job, runId: by.runId, baselineRunId: by.baselineRunId } : {}),
          since: s.current.ts.toISOString(),
          before: { fingerprint: s.baseline.fingerprint, seen: s.baseline.ts.toISOString(), shape: JSON.parse(s.baseline.shape) as unknown },
          after: { fingerprint: s.current.fingerprint, shape: JSON.parse(s.current.shape) as unknown },
          added: diff.added,
          removed: diff.removed,
          changed: diff.changed,
        },
        hint: by
          ? `Run ${by.runId} of ${by.job} reported the new schema of ${by.dataset}: check the jobs and integrations reading it against the new shape; revert the change, or update those that depend on the removed or changed columns.`
          : `Check the integrations reading ${s.system} against the new shape; revert the change, or update the integrations that depend on the removed or changed fields.`,
      };
    });
}
