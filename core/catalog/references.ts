import { validateCronExpression } from 'cron';
import type { Catalog } from './types.ts';
import type { CatalogSection } from './schema.ts';

/** A problem found across the merged catalog; `index` is the position in the merged section. */
export interface ReferenceProblem {
  section: CatalogSection;
  index: number;
  field: Array<string | number>;
  message: string;
}

/**
 * What the schema cannot say: duplicate ids, references to ids that are not declared, and
 * impossible values (p95 above p99, a flow into its own source, a system of record that is its own replica).
 * `declared` holds ids of entries that failed the schema, so they do not also show up as unknown.
 */
export function referenceProblems(c: Catalog, declared: Partial<Record<CatalogSection, Set<string>>> = {}): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const ids = (section: 'owners' | 'systems' | 'domains' | 'flows' | 'classes') => {
    const set = new Set(declared[section] ?? []);
    const first = new Map<string, number>();
    c[section].forEach((e, i) => {
      if (first.has(e.id)) out.push({ section, index: i, field: ['id'], message: `duplicate id "${e.id}": ${section}[${first.get(e.id)}] already uses it` });
      else first.set(e.id, i);
      set.add(e.id);
    });
    return set;
  };
  const owners = ids('owners');
  const systems = ids('systems');
  const domains = ids('domains');
  ids('flows');
  const classes = ids('classes');
  const ref = (
    section: CatalogSection,
    index: number,
    field: Array<string | number>,
    value: string | undefined,
    set: Set<string>,
    what: string,
    where: string,
  ) => {
    if (value !== undefined && !set.has(value)) {
      out.push({
        section,
        index,
        field,
        message: `unknown ${what} "${value}"; expected one of the ids declared under ${where}${set.size ? ` (${[...set].slice(0, 8).join(', ')}${set.size > 8 ? ', …' : ''})` : ' (none declared)'}`,
      });
    }
  };

  c.systems.forEach((s, i) => ref('systems', i, ['owner'], s.owner, owners, 'owner', 'owners'));
  c.domains.forEach((d, i) => {
    ref('domains', i, ['systemOfRecord'], d.systemOfRecord, systems, 'system', 'systems');
    d.replicas.forEach((r, j) => {
      ref('domains', i, ['replicas', j], r, systems, 'system', 'systems');
      if (r === d.systemOfRecord)
        out.push({ section: 'domains', index: i, field: ['replicas', j], message: `"${r}" is the domain's system of record and cannot also be its replica` });
    });
    d.allowedWriters.forEach((w, j) => ref('domains', i, ['allowedWriters', j], w, systems, 'system', 'systems'));
    ref('domains', i, ['owner'], d.owner, owners, 'owner', 'owners');
  });
  c.flows.forEach((f, i) => {
    ref('flows', i, ['source'], f.source, systems, 'system', 'systems');
    ref('flows', i, ['target'], f.target, systems, 'system', 'systems');
    if (f.source === f.target)
      out.push({ section: 'flows', index: i, field: ['target'], message: `a flow's target must differ from its source ("${f.source}")` });
    ref('flows', i, ['domain'], f.domain, domains, 'domain', 'domains');
    ref('flows', i, ['owner'], f.owner, owners, 'owner', 'owners');
    ref('flows', i, ['class'], f.class, classes, 'class', 'classes');
    const p95 = f.latencyP95Ms ?? c.classes.find((k) => k.id === f.class)?.latencyP95Ms;
    const p99 = f.latencyP99Ms ?? c.classes.find((k) => k.id === f.class)?.latencyP99Ms;
    if ((f.latencyP95Ms !== undefined || f.latencyP99Ms !== undefined) && p95 !== undefined && p99 !== undefined && p95 > p99) {
      const field = f.latencyP95Ms !== undefined ? 'latencyP95Ms' : 'latencyP99Ms';
      out.push({ section: 'flows', index: i, field: [field], message: `p95 (${p95} ms) cannot exceed p99 (${p99} ms)` });
    }
    if (f.schedule?.every && f.schedule.cron)
      out.push({ section: 'flows', index: i, field: ['schedule', 'cron'], message: 'give either every or cron, not both' });
    if (f.schedule?.cron && !validateCronExpression(f.schedule.cron).valid) {
      out.push({ section: 'flows', index: i, field: ['schedule', 'cron'], message: `"${f.schedule.cron}" is not a cron expression (five or six fields, UTC)` });
    }
  });
  c.classes.forEach((k, i) => {
    if (k.latencyP95Ms !== undefined && k.latencyP99Ms !== undefined && k.latencyP95Ms > k.latencyP99Ms) {
      out.push({ section: 'classes', index: i, field: ['latencyP95Ms'], message: `p95 (${k.latencyP95Ms} ms) cannot exceed p99 (${k.latencyP99Ms} ms)` });
    }
  });
  return out;
}
