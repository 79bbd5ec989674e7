import { validateCronExpression } from 'cron';
import type { CatalogSection } from './schema.ts';
import { didYouMean } from '../text/index.ts';

/** A problem found across the merged catalog; `index` is the position in the merged section. */
export interface ReferenceProblem {
  section: CatalogSection;
  index: number;
  field: Array<string | number>;
  message: string;
  /** For a duplicate id: the index (in the same section) of the entry that declared it first; `id` is the id. */
  duplicateOf?: { index: number; id: string };
}

/** The sections references are checked in, as read: an entry may be any value when it failed the schema. */
export type ReferencedSections = Record<'owners' | 'systems' | 'domains' | 'flows' | 'classes', readonly unknown[]>;

type Entry = Record<string, unknown>;
const isEntry = (v: unknown): v is Entry => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A finite number, else undefined: Infinity and NaN (YAML's 1e400, .inf, .nan) are the schema's to refuse, not compared. */
const number = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A flow's own thresholds, given directly on the flow or under its `slo`. */
export const FLOW_THRESHOLDS = ['latencyP95Ms', 'latencyP99Ms', 'errorRate', 'staleAfter'] as const;
const texts = (v: unknown): Array<string | undefined> => (Array.isArray(v) ? v.map(text) : []);

/**
 * What the schema cannot say: duplicate ids, references to ids that are not declared, and
 * impossible values (p95 above p99, a flow into its own source, a system of record that is its own replica).
 * Entries that failed the schema may be given too: only their fields of the right type are
 * read (the caller drops what falls under a field the schema already refused), so a flow that
 * misses its target still has an unknown source named. `declared` holds ids of entries set aside
 * (a YAML mistake) or refused by the schema, so they do not also show up as unknown; `aliases`, ids
 * a reference is not called unknown for but which are not listed as declared (the lower-case form of
 * an id the schema refused).
 */
export function referenceProblems(
  c: ReferencedSections,
  declared: Partial<Record<CatalogSection, Set<string>>> = {},
  aliases: Partial<Record<CatalogSection, Set<string>>> = {},
): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const ids = (section: keyof ReferencedSections) => {
    const set = new Set(declared[section] ?? []);
    const first = new Map<string, number>();
    c[section].forEach((e, i) => {
      const id = isEntry(e) ? text(e.id) : undefined;
      if (id === undefined) return;
      const earlier = first.get(id);
      if (earlier !== undefined)
        out.push({
          section,
          index: i,
          field: ['id'],
          message: `duplicate id "${id}": ${section}[${earlier}] already uses it`,
          duplicateOf: { index: earlier, id },
        });
      else first.set(id, i);
      set.add(id);
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
    where: keyof ReferencedSections,
  ) => {
    if (value !== undefined && !set.has(value) && !aliases[where]?.has(value)) {
      out.push({
        section,
        index,
        field,
        message: `unknown ${what} "${value}"${didYouMean(value, set)}; expected one of the ids declared under ${where}${set.size ? ` (${[...set].slice(0, 8).join(', ')}${set.size > 8 ? ', …' : ''})` : ' (none declared)'}`,
      });
    }
  };
  const entries = (section: keyof ReferencedSections) => c[section].map((e, i) => [e, i] as const).filter((x): x is readonly [Entry, number] => isEntry(x[0]));
  const classOf = (id: string | undefined) => entries('classes').find(([k]) => text(k.id) === id)?.[0];

  for (const [s, i] of entries('systems')) ref('systems', i, ['owner'], text(s.owner), owners, 'owner', 'owners');
  for (const [d, i] of entries('domains')) {
    const sor = text(d.systemOfRecord);
    ref('domains', i, ['systemOfRecord'], sor, systems, 'system', 'systems');
    texts(d.replicas).forEach((r, j) => {
      ref('domains', i, ['replicas', j], r, systems, 'system', 'systems');
      if (r !== undefined && r === sor)
        out.push({ section: 'domains', index: i, field: ['replicas', j], message: `"${r}" is the domain's system of record and cannot also be its replica` });
    });
    texts(d.allowedWriters).forEach((w, j) => ref('domains', i, ['allowedWriters', j], w, systems, 'system', 'systems'));
    ref('domains', i, ['owner'], text(d.owner), owners, 'owner', 'owners');
  }
  for (const [f, i] of entries('flows')) {
    const [source, target] = [text(f.source), text(f.target)];
    ref('flows', i, ['source'], source, systems, 'system', 'systems');
    ref('flows', i, ['target'], target, systems, 'system', 'systems');
    if (source !== undefined && source === target)
      out.push({ section: 'flows', index: i, field: ['target'], message: `a flow's target must differ from its source ("${source}")` });
    ref('flows', i, ['domain'], text(f.domain), domains, 'domain', 'domains');
    ref('flows', i, ['owner'], text(f.owner), owners, 'owner', 'owners');
    ref('flows', i, ['class'], text(f.class), classes, 'class', 'classes');
    out.push(...roleProblems(f, i, entries('flows')));
    texts(f.lookups).forEach((s, j) => ref('flows', i, ['lookups', j], s, systems, 'system', 'systems'));
    texts(f.stateStores).forEach((s, j) => ref('flows', i, ['stateStores', j], s, systems, 'system', 'systems'));
    const k = classOf(text(f.class));
    // A flow's own thresholds are given directly or under `slo` (one concept, two spellings): never both.
    const slo = isEntry(f.slo) ? f.slo : {};
    for (const key of FLOW_THRESHOLDS)
      if (f[key] !== undefined && slo[key] !== undefined)
        out.push({
          section: 'flows',
          index: i,
          field: ['slo', key],
          message: `${key} is given twice, directly on the flow and under slo; keep one (both mean this flow's own threshold)`,
        });
    const own = (key: 'latencyP95Ms' | 'latencyP99Ms') =>
      f[key] !== undefined ? { value: number(f[key]), field: [key] } : slo[key] !== undefined ? { value: number(slo[key]), field: ['slo', key] } : undefined;
    const [own95, own99] = [own('latencyP95Ms'), own('latencyP99Ms')];
    const p95 = own95 ? own95.value : number(k?.latencyP95Ms);
    const p99 = own99 ? own99.value : number(k?.latencyP99Ms);
    if ((own95 || own99) && p95 !== undefined && p99 !== undefined && p95 > p99) {
      out.push({ section: 'flows', index: i, field: (own95 ?? own99)!.field, message: `p95 (${p95} ms) cannot exceed p99 (${p99} ms)` });
    }
    const schedule = isEntry(f.schedule) ? f.schedule : undefined;
    const cron = text(schedule?.cron);
    if (schedule?.every && cron) out.push({ section: 'flows', index: i, field: ['schedule', 'cron'], message: 'give either every or cron, not both' });
    if (cron && !validateCronExpression(cron).valid) {
      out.push({ section: 'flows', index: i, field: ['schedule', 'cron'], message: `"${cron}" is not a cron expression (five or six fields, UTC)` });
    }
  }
  for (const [k, i] of entries('classes')) {
    const [p95, p99] = [number(k.latencyP95Ms), number(k.latencyP99Ms)];
    if (p95 !== undefined && p99 !== undefined && p95 > p99) {
      out.push({ section: 'classes', index: i, field: ['latencyP95Ms'], message: `p95 (${p95} ms) cannot exceed p99 (${p99} ms)` });
    }
  }
  return out;
}

/** A flow's runtime as read: its `service.name` and `integration.flow`, each when a non-empty string. */
function runtimeOf(f: Entry): { service?: string; flow?: string } {
  const r = isEntry(f.runtime) ? f.runtime : {};
  return { service: text(r.service) || undefined, flow: text(r.flow) || undefined };
}

/** Whether two flows name one runtime (a service or an integration.flow in common): what one runs, the other runs too. */
function sameRuntime(a: Entry, b: Entry): boolean {
  const [x, y] = [runtimeOf(a), runtimeOf(b)];
  return (x.service !== undefined && x.service === y.service) || (x.flow !== undefined && x.flow === y.flow);
}

/**
 * What a flow's `lookups` and `stateStores` cannot say (docs/catalog.md, "Lookups and state stores"): either needs a
 * runtime (they are said of what one integration touches); a lookup is not the flow's source, a state store neither
 * its source nor its target, and a system is not both; a state store of a runtime is no end of another flow of that
 * runtime, and a lookup of a runtime into a target is not the source of another flow of that runtime into that target.
 */
function roleProblems(f: Entry, i: number, flows: ReadonlyArray<readonly [Entry, number]>): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const problem = (field: Array<string | number>, message: string) => out.push({ section: 'flows', index: i, field, message });
  const [lookups, stores] = [texts(f.lookups), texts(f.stateStores)];
  const { service, flow } = runtimeOf(f);
  if ((lookups.length > 0 || stores.length > 0) && service === undefined && flow === undefined)
    problem(
      [lookups.length > 0 ? 'lookups' : 'stateStores'],
      'lookups and stateStores are said of the integration that runs the flow: give the flow a runtime (service or flow) too',
    );
  const [source, target] = [text(f.source), text(f.target)];
  const others = flows.filter(([g, k]) => k !== i && sameRuntime(f, g));
  lookups.forEach((s, j) => {
    if (s === undefined) return;
    if (s === source) problem(['lookups', j], `"${s}" is this flow's source: a lookup is a system read for reference only; remove it from lookups`);
    else if (stores.includes(s)) problem(['lookups', j], `"${s}" is also one of this flow's stateStores: a system is one or the other`);
    const other = others.find(([g]) => text(g.source) === s && text(g.target) === target);
    if (other)
      problem(
        ['lookups', j],
        `"${s}" is the source of flow ${text(other[0].id) ?? `flows[${other[1]}]`} of the same runtime into ${target}: its reads cannot be lookups for that target`,
      );
  });
  stores.forEach((s, j) => {
    if (s === undefined) return;
    if (s === source || s === target)
      problem(['stateStores', j], `"${s}" is this flow's ${s === source ? 'source' : 'target'}: a state store is neither; remove it from stateStores`);
    const other = others.find(([g]) => text(g.source) === s || text(g.target) === s);
    if (other)
      problem(
        ['stateStores', j],
        `"${s}" is the ${text(other[0].source) === s ? 'source' : 'target'} of flow ${text(other[0].id) ?? `flows[${other[1]}]`} of the same runtime: a state store of a runtime is no end of its flows`,
      );
  });
  return out;
}
