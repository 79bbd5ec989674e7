import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { validateProbeSections } from './probes.ts';
import { ERR_CATALOG, pathText, type CatalogProblem } from './problems.ts';
import { referenceProblems } from './references.ts';
import { CatalogFileSchema, catalogSections, type CatalogSection } from './schema.ts';
import { schemaProblems } from './schema-problems.ts';
import { explainYamlErrors } from './yaml-errors.ts';
import type { Catalog } from './types.ts';

interface Parsed {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export function emptyCatalog(): Catalog {
  return { owners: [], systems: [], domains: [], flows: [], classes: [], probes: [], reconciliations: [], sources: [] };
}

/** Line and column of the deepest YAML node on `segments` (the field itself, or its nearest parent). */
function locate(p: Parsed, segments: Array<string | number>): { line: number; column: number } {
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? p.doc.contents : p.doc.getIn(segments.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = p.lines.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

/** Fills what the catalog leaves implicit: names default to ids. */
function complete(c: Catalog): Catalog {
  for (const section of [c.owners, c.systems, c.domains, c.flows] as Array<Array<{ id: string; name?: string }>>) {
    for (const e of section) e.name ??= e.id;
  }
  return c;
}

/**
 * Parses, validates and merges catalog files given as text. Returns the catalog, or every
 * problem found (file, line, column, field, what is expected); never stops at the first one.
 */
export function parseCatalog(files: Array<{ file: string; text: string }>): { catalog: Catalog; problems: CatalogProblem[] } {
  const problems: CatalogProblem[] = [];
  const catalog = emptyCatalog();
  const origins: Record<string, Array<{ p: Parsed; index: number }>> = {};
  const declared: Partial<Record<CatalogSection, Set<string>>> = {};
  for (const { file, text } of files) {
    catalog.sources.push(file);
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const parsed: Parsed = { file, doc, lines };
    if (doc.errors.length > 0) {
      for (const e of explainYamlErrors(text, doc.errors, lines)) problems.push({ file, line: e.line, column: e.column, path: '', message: e.message });
      continue;
    }
    const raw: unknown = doc.toJS() ?? {};
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ file, line: 1, column: 1, path: '', message: `expected a mapping with the sections ${catalogSections.join(', ')}` });
      continue;
    }
    const value = Value.Default(CatalogFileSchema, raw) as Record<string, unknown[]>;
    const bad = new Set<string>();
    for (const sp of schemaProblems(value)) {
      const { line, column } = locate(parsed, sp.segments);
      problems.push({ file, line, column, path: pathText(sp.segments), message: sp.message });
      if (sp.segments.length >= 2) bad.add(`${sp.segments[0]}/${sp.segments[1]}`);
    }
    for (const section of catalogSections) {
      const items = value[section];
      if (!Array.isArray(items)) continue;
      items.forEach((item, index) => {
        if (bad.has(`${section}/${index}`)) {
          const id = (item as { id?: unknown })?.id;
          if (typeof id === 'string') (declared[section] ??= new Set()).add(id);
          return;
        }
        (catalog[section] as unknown[]).push(item);
        (origins[section] ??= []).push({ p: parsed, index });
      });
    }
  }
  const at = (section: string, index: number, field: Array<string | number>, message: string) => {
    const o = origins[section]?.[index];
    if (!o) return;
    const segments = [section, o.index, ...field];
    const { line, column } = locate(o.p, segments);
    problems.push({ file: o.p.file, line, column, path: pathText(segments), message });
  };
  for (const r of referenceProblems(catalog, declared)) at(r.section, r.index, r.field, r.message);
  for (const r of validateProbeSections(catalog)) {
    const m = /^(\w+)\[(\d+)\]\.?(.*)$/.exec(r.path);
    if (!m) continue;
    const field = m[3] ? m[3].split('.').flatMap((s) => s.split(/\[(\d+)\]/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x))) : [];
    at(m[1], Number(m[2]), field, r.message);
  }
  problems.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : files.findIndex((f) => f.file === a.file) - files.findIndex((f) => f.file === b.file)));
  return { catalog: complete(catalog), problems };
}

/** Reads and validates catalog files; throws ERR_CATALOG listing every problem. */
export function loadCatalog(paths: string[]): Catalog {
  const files: Array<{ file: string; text: string }> = [];
  const problems: CatalogProblem[] = [];
  for (const file of paths) {
    try {
      files.push({ file, text: readFileSync(file, 'utf8') });
    } catch (err) {
      problems.push({ file, line: 0, column: 0, path: '', message: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  const result = parseCatalog(files);
  const all = [...problems, ...result.problems];
  if (all.length > 0) throw Object.assign(ERR_CATALOG(all), { problems: all });
  return result.catalog;
}
