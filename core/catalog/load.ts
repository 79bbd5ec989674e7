import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { isMap, isNode, isScalar, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { defaultEnvPolicy, envPolicyProblems, type EnvPolicy } from './env-refs.ts';
import { validateProbeSections } from './probes.ts';
import { validateAlertingSections } from './alerting.ts';
import { validateReportSchedules } from './reports.ts';
import { ERR_CATALOG, pathText, type CatalogProblem } from './problems.ts';
import { FLOW_THRESHOLDS, referenceProblems, type ReferencedSections, type ReferenceProblem } from './references.ts';
import { regionProblems } from './regions.ts';
import { ruleWarnings } from './rule-warnings.ts';
import { CatalogFileSchema, ControllerSchema, catalogSections, type CatalogSection } from './schema.ts';
import { schemaProblems } from './schema-problems.ts';
import { readCatalogYaml } from './yaml-recovery.ts';
import { didYouMean } from '../text/index.ts';
import type { Catalog, Flow } from './types.ts';

interface Parsed {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/**
 * A duplicate id's message naming where the first entry with that id is, by its own file's index and
 * line: `systems[0] (line 2)` in the same file, `other.yaml:2:11 (systems[0])` in another (the index in the
 * merged list means nothing to a reader of either file). Undefined for any other problem.
 */
function duplicateMessage(
  r: ReferenceProblem,
  file: string,
  checked: Partial<Record<keyof ReferencedSections, Array<{ p: Parsed; index: number }>>>,
): string | undefined {
  const first = r.duplicateOf && checked[r.section as keyof ReferencedSections]?.[r.duplicateOf.index];
  if (!r.duplicateOf || !first) return undefined;
  const { line, column } = locate(first.p, [r.section, first.index, 'id']);
  const where = first.p.file === file ? `${r.section}[${first.index}] (line ${line})` : `${first.p.file}:${line}:${column} (${r.section}[${first.index}])`;
  return `duplicate id "${r.duplicateOf.id}": ${where} already uses it`;
}

/** Largest catalog file read (bytes): a catalog is hand-written YAML; anything larger is refused with a message. */
export const MAX_CATALOG_FILE_BYTES = 4 * 1024 * 1024;
/** Most YAML aliases (`*name`) expanded per file: enough for shared anchors, not for an alias bomb (yaml's maxAliasCount). */
export const MAX_CATALOG_ALIASES = 1000;

const TOO_LARGE = `the file is larger than ${MAX_CATALOG_FILE_BYTES / 1024 / 1024} MiB; split the catalog into several files`;

/** How a catalog is read: which `env:NAME` references it may hold. */
export interface CatalogOptions {
  envPolicy?: EnvPolicy;
}

export function emptyCatalog(): Catalog {
  return {
    owners: [],
    systems: [],
    domains: [],
    flows: [],
    classes: [],
    probes: [],
    reconciliations: [],
    alerts: [],
    receivers: [],
    routes: [],
    remediations: [],
    reports: [],
    sources: [],
  };
}

/** True when `catalog` declares nothing of an estate: every section (`catalogSections`) is empty. */
export function declaresNothing(catalog: Catalog): boolean {
  return catalogSections.every((section) => catalog[section].length === 0);
}

/**
 * Refuses `next`, read again from the catalog files to replace `current`, when it declares nothing while `current`
 * declares something: a file emptied by an editor saving it, a checkout half done. Used, it dropped every system, flow and
 * owner at once — every finding resolved and every flow observed opened again as undocumented, against an estate that had
 * not changed (a reload of a truncated demo catalog: 35 opened, 9 resolved). Throws ERR_CATALOG (with `problems`, one
 * problem per file) saying so; the catalog in use is kept. A catalog emptied on purpose is taken by a restart.
 */
export function checkReplacement(current: Catalog, next: Catalog): void {
  if (!declaresNothing(next) || declaresNothing(current)) return;
  const message =
    'declares nothing now (every section of every catalog file is empty or absent): the catalog in use is kept, as a reload would drop all of it and judge the estate against nothing; if the file is being written, reload once it is saved; to run with an empty catalog, restart Weft with it';
  const problems: CatalogProblem[] = (next.sources.length > 0 ? next.sources : ['(the catalog)']).map((file) => ({
    file,
    line: 0,
    column: 0,
    path: '',
    message,
  }));
  throw Object.assign(ERR_CATALOG(problems), { problems });
}

/** The sections whose references `referenceProblems` checks. */
const referencedSections: Record<keyof ReferencedSections, true> = { owners: true, systems: true, domains: true, flows: true, classes: true };

/** The key/value pair of `segments`' last field in its YAML mapping, when the field is written there. */
function pairOf(p: Parsed, segments: Array<string | number>): Pair | undefined {
  const last = segments.at(-1);
  if (typeof last !== 'string') return undefined;
  const parent = segments.length === 1 ? p.doc.contents : p.doc.getIn(segments.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  return parent.items.find((pair) => (isScalar(pair.key) ? String(pair.key.value) : pair.key) === last);
}

const position = (p: Parsed, node: Node) => {
  const { line, col } = p.lines.linePos(node.range![0]);
  return { line, column: col };
};

/**
 * Line and column of what the author must change on `segments`: the key when `at` is 'key' (an unknown
 * field), else the value; the key too when the value is empty (`owner:` with nothing after it) or is a
 * block that starts on a later line (a mapping where a name was expected), which names no column of its
 * own. A field that is not written (a missing required one) is placed at its nearest parent.
 */
function locate(p: Parsed, segments: Array<string | number>, at?: 'key'): { line: number; column: number } {
  const pair = segments.length > 0 ? pairOf(p, segments) : undefined;
  if (pair && isNode(pair.key) && pair.key.range) {
    const key = position(p, pair.key);
    const value = isNode(pair.value) && pair.value.range ? pair.value : undefined;
    const empty = !value || (isScalar(value) && value.value === null && value.range![0] === value.range![1]);
    if (at === 'key' || empty) return key;
    const where = position(p, value);
    return where.line > key.line ? key : where;
  }
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? p.doc.contents : p.doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) return position(p, node);
  }
  return { line: 1, column: 1 };
}

/**
 * Fills what the catalog leaves implicit: names default to ids; owners are inherited; a flow's `slo`
 * thresholds move onto the flow itself (`latencyP95Ms`, `latencyP99Ms`, `errorRate`, `staleAfter`). A flow without
 * an owner takes its domain's, else its runtime's (the system whose `match.services` lists the flow's
 * `runtime.service`), else the catalog's `defaultOwner`; systems and domains take `defaultOwner`.
 */
function complete(c: Catalog): Catalog {
  // A flow's own thresholds under `slo` are the same as given directly (never both: referenceProblems):
  // folded into the flow, so every reader finds them in one place.
  for (const f of c.flows as Array<Flow & { slo?: Partial<Pick<Flow, (typeof FLOW_THRESHOLDS)[number]>> }>) {
    if (!f.slo) continue;
    for (const key of FLOW_THRESHOLDS) if (f.slo[key] !== undefined) (f as Record<string, unknown>)[key] ??= f.slo[key];
    delete f.slo;
  }
  for (const section of [c.owners, c.systems, c.domains, c.flows] as Array<Array<{ id: string; name?: string }>>) {
    for (const e of section) e.name ??= e.id;
  }
  const domainOwner = new Map(c.domains.filter((d) => d.owner).map((d) => [d.id, d.owner!]));
  const runtimeOwner = new Map<string, string>();
  for (const s of c.systems) for (const svc of s.match?.services ?? []) if (s.owner && !runtimeOwner.has(svc)) runtimeOwner.set(svc, s.owner);
  for (const f of c.flows) {
    f.owner ??= (f.domain ? domainOwner.get(f.domain) : undefined) ?? (f.runtime?.service ? runtimeOwner.get(f.runtime.service) : undefined) ?? c.defaultOwner;
  }
  if (c.defaultOwner) {
    for (const s of c.systems) s.owner ??= c.defaultOwner;
    for (const d of c.domains) d.owner ??= c.defaultOwner;
  }
  return c;
}

/**
 * Parses, validates and merges catalog files given as text. Returns the catalog, or every
 * problem found (file, line, column, field, what is expected); never stops at the first one.
 * `warnings` are located the same way: rules that can never match (the catalog stays valid).
 */
export function parseCatalog(
  files: Array<{ file: string; text: string }>,
  options: CatalogOptions = {},
): { catalog: Catalog; problems: CatalogProblem[]; warnings: CatalogProblem[] } {
  const problems: CatalogProblem[] = [];
  const warnings: CatalogProblem[] = [];
  const catalog = emptyCatalog();
  const origins: Record<string, Array<{ p: Parsed; index: number }>> = {};
  // Every entry the references are checked on, the ones that failed the schema too, and the fields the schema refused per file.
  const checked: Partial<Record<keyof ReferencedSections, Array<{ item: unknown; p: Parsed; index: number }>>> = {};
  const refused = new Map<string, string[]>();
  let defaultOwnerAt: Parsed | null = null;
  const declared: Partial<Record<CatalogSection, Set<string>>> = {};
  const aliases: Partial<Record<CatalogSection, Set<string>>> = {};
  for (const { file, text } of files) {
    catalog.sources.push(file);
    if (Buffer.byteLength(text) > MAX_CATALOG_FILE_BYTES) {
      problems.push({ file, line: 0, column: 0, path: '', message: TOO_LARGE });
      continue;
    }
    // Every YAML mistake, each with its entry set aside; the rest of the file is still validated.
    const yaml = readCatalogYaml(text);
    const yamlProblemsFrom = problems.length;
    for (const e of yaml.problems) problems.push({ file, line: e.line, column: e.column, path: '', message: e.message });
    if (!yaml.readable) continue;
    const { doc, lines } = yaml;
    // Valid, but surely not meant: a file that declares nothing (a wrong file, or one saved before it was written).
    if (doc.contents === null && yaml.problems.length === 0)
      warnings.push({
        file,
        line: 0,
        column: 0,
        path: '',
        message: 'the file is empty (only blank lines or comments): it declares nothing; fill it in, or leave it out',
      });
    const parsed: Parsed = { file, doc, lines };
    const setAside = (line: number) => yaml.setAside.some((r) => line >= r.from && line <= r.to);
    for (const r of yaml.setAside) {
      if (r.section !== undefined && (catalogSections as readonly string[]).includes(r.section))
        for (const id of r.ids) (declared[r.section as CatalogSection] ??= new Set()).add(id);
    }
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: MAX_CATALOG_ALIASES }) ?? {};
    } catch (err) {
      // yaml refuses alias bombs ("Excessive alias count…"); deep nesting can exhaust the stack.
      const why = /alias/i.test(String((err as Error)?.message))
        ? `more than ${MAX_CATALOG_ALIASES} alias expansions (*name): write the values out, or use fewer aliases`
        : 'the document nests too deeply';
      problems.push({ file, line: 1, column: 1, path: '', message: `YAML: ${why}` });
      continue;
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file, line: 1, column: 1, path: '', message: `expected a mapping with the sections ${catalogSections.join(', ')}` });
      continue;
    }
    const value = Value.Default(CatalogFileSchema, raw) as Record<string, unknown[]>;
    const defaultOwner = (raw as Record<string, unknown>).defaultOwner;
    if (typeof defaultOwner === 'string' && defaultOwner !== '') {
      if (catalog.defaultOwner !== undefined && catalog.defaultOwner !== defaultOwner) {
        const { line, column } = locate(parsed, ['defaultOwner']);
        problems.push({
          file,
          line,
          column,
          path: 'defaultOwner',
          message: `another file already sets defaultOwner to "${catalog.defaultOwner}"; set it in one file only`,
        });
      } else {
        catalog.defaultOwner = defaultOwner;
        defaultOwnerAt = parsed;
      }
    }
    const controller = (raw as Record<string, unknown>).controller;
    if (controller !== undefined && controller !== null) {
      if (catalog.controller !== undefined && JSON.stringify(catalog.controller) !== JSON.stringify(controller)) {
        const { line, column } = locate(parsed, ['controller']);
        problems.push({ file, line, column, path: 'controller', message: 'another file already sets the controller; set it in one file only' });
      } else if (Value.Check(ControllerSchema, controller)) catalog.controller = controller;
    }
    const bad = new Set<string>();
    for (const sp of schemaProblems(value)) {
      // A file that is not a catalog (a Kubernetes manifest of several documents) is said once: its YAML mistakes are moot.
      if (sp.notCatalog) problems.splice(yamlProblemsFrom);
      const { line, column } = locate(parsed, sp.segments, sp.at);
      if (sp.segments.length >= 2) bad.add(`${sp.segments[0]}/${sp.segments[1]}`);
      refused.set(file, [...(refused.get(file) ?? []), pathText(sp.segments)]);
      // An entry set aside for a YAML mistake is empty now: what it lacks is no mistake of its own.
      if (!setAside(line)) problems.push({ file, line, column, path: pathText(sp.segments), message: sp.message });
    }
    for (const section of catalogSections) {
      const items = value[section];
      if (!Array.isArray(items)) continue;
      items.forEach((item, index) => {
        if (setAside(locate(parsed, [section, index]).line)) return;
        if (Object.hasOwn(referencedSections, section)) (checked[section as keyof ReferencedSections] ??= []).push({ item, p: parsed, index });
        if (bad.has(`${section}/${index}`)) {
          // The entry is out, but its id still names it; one the schema refused (ids are lower case) most
          // likely meant its lower-case form, so references to that are not a second mistake either.
          const id = (item as { id?: unknown })?.id;
          if (typeof id === 'string') {
            (declared[section] ??= new Set()).add(id);
            (aliases[section] ??= new Set()).add(id.toLowerCase());
          }
          // `{ id crm, … }` is valid YAML: a key "id crm" with no value, and no id. It still names crm.
          const lost = typeof item === 'object' && item !== null ? Object.keys(item).map((k) => /^id\s+([a-z0-9._-]+)$/i.exec(k)?.[1]) : [];
          for (const name of lost) if (name !== undefined) (aliases[section] ??= new Set()).add(name.toLowerCase());
          return;
        }
        (catalog[section] as unknown[]).push(item);
        (origins[section] ??= []).push({ p: parsed, index });
      });
    }
  }
  const at = (section: string, index: number, field: Array<string | number>, message: string, into = problems) => {
    const o = origins[section]?.[index];
    if (!o) return;
    const segments = [section, o.index, ...field];
    const { line, column } = locate(o.p, segments);
    into.push({ file: o.p.file, line, column, path: pathText(segments), message });
  };
  for (const w of ruleWarnings(catalog) as ReferenceProblem[]) at(w.section, w.index, w.field, w.message, warnings);
  // References are checked on every entry, but not where the schema already refused the field (or what holds it).
  const items = (k: keyof ReferencedSections) => (checked[k] ?? []).map((e) => e.item);
  const view: ReferencedSections = {
    owners: items('owners'),
    systems: items('systems'),
    domains: items('domains'),
    flows: items('flows'),
    classes: items('classes'),
  };
  for (const r of referenceProblems(view, declared, aliases)) {
    const o = checked[r.section as keyof ReferencedSections]?.[r.index];
    if (!o) continue;
    const segments = [r.section, o.index, ...r.field];
    const path = pathText(segments);
    if ((refused.get(o.p.file) ?? []).some((q) => path === q || path.startsWith(`${q}.`) || path.startsWith(`${q}[`))) continue;
    const { line, column } = locate(o.p, segments);
    problems.push({ file: o.p.file, line, column, path, message: duplicateMessage(r, o.p.file, checked) ?? r.message });
  }
  const ownerIds = new Set([...catalog.owners.map((o) => o.id), ...(declared.owners ?? [])]);
  if (catalog.defaultOwner !== undefined && defaultOwnerAt && !ownerIds.has(catalog.defaultOwner)) {
    const { line, column } = locate(defaultOwnerAt, ['defaultOwner']);
    problems.push({
      file: defaultOwnerAt.file,
      line,
      column,
      path: 'defaultOwner',
      message: `"${catalog.defaultOwner}" is not an owner${didYouMean(catalog.defaultOwner, ownerIds)}: declare it under owners, or use one of ${[...ownerIds].join(', ') || '(none declared)'}`,
    });
  }
  // Entries left out (set aside for a YAML mistake, or refused by the schema) still declare their ids:
  // the section checks see them as stubs after the real entries, so a probe or a rule naming one is not
  // a second mistake (a stub's own problems have no origin, and are dropped).
  const stubs = <T>(s: CatalogSection) => [...(declared[s] ?? []), ...(aliases[s] ?? [])].map((id) => ({ id }) as T);
  const refs = {
    ...catalog,
    owners: [...catalog.owners, ...stubs<Catalog['owners'][number]>('owners')],
    systems: [...catalog.systems, ...stubs<Catalog['systems'][number]>('systems')],
    domains: [...catalog.domains, ...stubs<Catalog['domains'][number]>('domains')],
    flows: [...catalog.flows, ...stubs<Catalog['flows'][number]>('flows')],
    classes: [...catalog.classes, ...stubs<Catalog['classes'][number]>('classes')],
    // A route, owner or remediation naming a refused receiver, or a remediation naming a refused rule, is no second mistake either.
    receivers: [...catalog.receivers, ...stubs<Catalog['receivers'][number]>('receivers')],
    alerts: [...catalog.alerts, ...stubs<Catalog['alerts'][number]>('alerts')],
    remediations: [...catalog.remediations, ...stubs<Catalog['remediations'][number]>('remediations')],
  };
  for (const r of [
    ...validateProbeSections(refs),
    ...envPolicyProblems(catalog, options.envPolicy ?? defaultEnvPolicy),
    ...validateReportSchedules(catalog),
    ...regionProblems(catalog),
    ...validateAlertingSections(refs),
  ]) {
    const m = /^(\w+)\[(\d+)\]\.?(.*)$/.exec(r.path);
    if (!m) continue;
    const field = m[3]
      ? m[3].split('.').flatMap((s) =>
          s
            .split(/\[(\d+)\]/)
            .filter(Boolean)
            .map((x) => (/^\d+$/.test(x) ? Number(x) : x)),
        )
      : [];
    at(m[1], Number(m[2]), field, r.message);
  }
  problems.sort((a, b) =>
    a.file === b.file ? a.line - b.line || a.column - b.column : files.findIndex((f) => f.file === a.file) - files.findIndex((f) => f.file === b.file),
  );
  return { catalog: complete(catalog), problems, warnings };
}

/** Reads and validates catalog files; throws ERR_CATALOG listing every problem. */
export function loadCatalog(paths: string[], options: CatalogOptions = {}): Catalog {
  return loadCatalogWithWarnings(paths, options).catalog;
}

/** Why a catalog file cannot be read, in words that say what to change (the file's path is printed before it). */
function unreadable(err: NodeJS.ErrnoException, file: string): string {
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      // `catalog/*.yml` where no file matches: the shell passes the pattern as it is, which is no file's name.
      if (/[*?[]/.test(basename(file)))
        return 'no file matches this pattern (the shell passes a pattern that matches nothing as it is): check the directory and the extension (.yaml or .yml)';
      return 'no such file: check the path (a relative path is read from the current directory)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: make the file readable by the user Weft runs as';
    case 'EISDIR':
      return 'is a directory, not a file: name the catalog files in it (e.g. catalog/*.yaml)';
    default:
      return `cannot read the file: ${err.code ?? err.message}`;
  }
}

/** As loadCatalog, and also returns the warnings (rules that can never match). */
export function loadCatalogWithWarnings(paths: string[], options: CatalogOptions = {}): { catalog: Catalog; warnings: CatalogProblem[] } {
  const files: Array<{ file: string; text: string }> = [];
  const problems: CatalogProblem[] = [];
  const twice: CatalogProblem[] = [];
  // A file named twice (`a.yaml a.yaml`, or once through a link or another relative path) is read once:
  // read twice, each of its ids was a duplicate of itself.
  const named = new Map<string, string>();
  for (const file of paths) {
    const real = realPath(file);
    const first = named.get(real);
    if (first !== undefined) {
      twice.push({ file, line: 0, column: 0, path: '', message: `named twice (first as ${first}): read once` });
      continue;
    }
    named.set(real, file);
    try {
      if (statSync(file).size > MAX_CATALOG_FILE_BYTES) {
        problems.push({ file, line: 0, column: 0, path: '', message: TOO_LARGE });
        continue;
      }
      files.push({ file, text: readFileSync(file, 'utf8') });
    } catch (err) {
      problems.push({ file, line: 0, column: 0, path: '', message: unreadable(err as NodeJS.ErrnoException, file) });
    }
  }
  const result = parseCatalog(files, options);
  const all = [...problems, ...result.problems];
  if (all.length > 0) throw Object.assign(ERR_CATALOG(all), { problems: all });
  return { catalog: result.catalog, warnings: [...twice, ...result.warnings] };
}

/** The file's canonical path (links resolved), or its absolute path when it cannot be resolved (then reading it reports why). */
function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}
