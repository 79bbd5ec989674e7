import { LineCounter, parseDocument, type Document } from 'yaml';
import { catalogSections } from './schema.ts';
import { explainYamlErrors, type YamlProblem } from './yaml-errors.ts';

/** Most YAML mistakes reported in one file; past them, one more problem says to fix these first. */
export const MAX_YAML_MISTAKES = 20;
/** Most text parsed again in search of further mistakes (bytes, all rounds together): a large file gets fewer rounds. */
export const MAX_YAML_REPARSE_BYTES = 8 * 1024 * 1024;

/** Lines (1-based, inclusive) set aside for a YAML mistake: one entry of a section, or a whole section. */
export interface SetAside {
  from: number;
  to: number;
  /** The top-level key the lines are under (`systems`), when there is one. */
  section: string | undefined;
  /** The ids (`id:`) the lines held, so that references to the entries are not reported as unknown too. */
  ids: string[];
}

/** A catalog file's YAML, read past its syntax mistakes. */
export interface CatalogYaml {
  /** The document parsed from the text with every set-aside entry replaced by an empty one (`- {}`). */
  doc: Document;
  lines: LineCounter;
  /** One problem per independent mistake, in the order found (line order within a round). */
  problems: YamlProblem[];
  setAside: SetAside[];
  /** False when the text could not be repaired (the document still has errors): its values must not be read. */
  readable: boolean;
}

const hasContent = (line: string | undefined) => line !== undefined && line.trim() !== '' && !line.trimStart().startsWith('#');
const indentOf = (line: string) => line.length - line.replace(/^[ \t]*/, '').length;
/** A top-level key: a content line at column 1 that is not a list item nor a document marker. */
const isTopKey = (line: string | undefined) => hasContent(line) && indentOf(line!) === 0 && !/^(-(\s|$)|---|\.\.\.)/.test(line!);

interface Region {
  from: number;
  to: number;
  section: string | undefined;
  /** Where the empty entry goes (its column), when the region starts a list item; none when it is a whole section. */
  placeholder?: number;
}

/**
 * The entry holding lines `first`..`last` (1-based), by indentation: from the line of the list item
 * they belong to, under their section, to the line before the next item or section. A mistake on a
 * section's own line, or in a section that is not a list, takes the whole section.
 */
function entryRegion(lines: readonly string[], first: number, last: number, wholeSection = false): Region {
  const at = (n: number) => lines[n - 1];
  let s = first;
  while (s >= 1 && !isTopKey(at(s))) s--;
  const nextTop = (after: number) => {
    let n = after + 1;
    while (n <= lines.length && !isTopKey(at(n))) n++;
    return n;
  };
  const section = s >= 1 ? /^[^:#\s]+/.exec(at(s))?.[0] : undefined;
  if (s < 1 || s === first) return { from: Math.max(1, first), to: nextTop(last) - 1, section };
  if (wholeSection) return { from: s, to: nextTop(last) - 1, section };
  let f = s + 1;
  while (f < first && !hasContent(at(f))) f++;
  if (!/^-(\s|$)/.test(at(f).trimStart())) return { from: s, to: nextTop(last) - 1, section };
  const itemIndent = indentOf(at(f));
  // A section's key indented (` classes:`, `\tclasses:`) starts that section, misplaced: it and its entries are set aside.
  const misplaced = /^(\w+):\s*(#.*)?$/.exec(at(first).trim())?.[1];
  if (misplaced !== undefined && indentOf(at(first)) < itemIndent && (catalogSections as readonly string[]).includes(misplaced))
    return { from: first, to: nextTop(last) - 1, section: misplaced };
  const startsItem = (n: number) => hasContent(at(n)) && indentOf(at(n)) <= itemIndent;
  let from = first;
  while (from > f && !startsItem(from)) from--;
  let to = last + 1;
  while (to <= lines.length && !startsItem(to) && !isTopKey(at(to))) to++;
  return { from, to: to - 1, section, placeholder: /^-(\s|$)/.test(at(from).trimStart()) ? itemIndent : undefined };
}

/** The ids written in lines `from`..`to` (`id: x`, quoted or not, and `id x`, a key that lost its colon). */
function idsIn(lines: readonly string[], from: number, to: number): string[] {
  return [
    ...lines
      .slice(from - 1, to)
      .join('\n')
      .matchAll(/(?:^|[\s{,])id(?::|\s)\s*["'[]?([a-zA-Z0-9._-]+)/g),
  ].map((m) => m[1]);
}

/**
 * Parses a catalog file's YAML and finds every independent syntax mistake in one pass: the first
 * mistake the parser reports (said by `explainYamlErrors`) is recorded, the entry it is in is set
 * aside (replaced by an empty list item, so later entries keep their positions and indices), and the
 * text is parsed again, until it parses, or `MAX_YAML_MISTAKES` are found, or `MAX_YAML_REPARSE_BYTES`
 * were parsed again (a last problem, at line 0, then says more follow). Errors that only follow
 * from a mistake already set aside (inside its entry, or caused by it) disappear with it instead of
 * being reported as mistakes of their own. Line numbers are the file's: set-aside lines are blanked,
 * not removed. Each entry is reported once, for its first mistake.
 */
export function readCatalogYaml(text: string): CatalogYaml {
  const original = text.split('\n');
  const problems: YamlProblem[] = [];
  const setAside: SetAside[] = [];
  let current = text;
  let reparsed = -Buffer.byteLength(text);
  for (;;) {
    const lines = new LineCounter();
    const doc = parseDocument(current, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    reparsed += Buffer.byteLength(current);
    if (doc.errors.length === 0) return { doc, lines, problems, setAside, readable: true };
    if (problems.length >= MAX_YAML_MISTAKES || reparsed >= MAX_YAML_REPARSE_BYTES) {
      const message = `more YAML mistakes follow these ${problems.length} (or follow from them): fix these and validate again`;
      return { doc, lines, problems: [...problems, { line: 0, column: 0, message }], setAside, readable: false };
    }
    const [first] = explainYamlErrors(current, doc.errors, lines);
    const last = first.endLine ?? first.line;
    // An error where an entry was already set aside follows from that mistake (or from the empty entry
    // standing in for it): not reported, and the whole section is set aside instead.
    const followOn = setAside.some((r) => first.line >= r.from && first.line <= r.to);
    if (!followOn) problems.push(first);
    const currentLines = current.split('\n');
    const region = entryRegion(currentLines, first.line, last, followOn);
    const next = currentLines
      .map((line, i) => {
        const n = i + 1;
        if (n < region.from || n > region.to) return line;
        return n === region.from && region.placeholder !== undefined ? `${' '.repeat(region.placeholder)}- {}` : '';
      })
      .join('\n');
    if (next === current) return { doc, lines, problems, setAside, readable: false };
    setAside.push({ from: region.from, to: region.to, section: region.section, ids: idsIn(original, region.from, region.to) });
    current = next;
  }
}
