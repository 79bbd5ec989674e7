import { defineError } from '../errors/index.ts';
import { count } from '../text/index.ts';

/** One thing wrong with the catalog, where it is and what is expected. */
export interface CatalogProblem {
  file: string;
  /** 1-based; 0 when the problem is about the file as a whole. */
  line: number;
  column: number;
  /** Field path inside the file: "systems[2].match.hosts[0]". */
  path: string;
  message: string;
}

export function formatProblem(p: CatalogProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export const ERR_CATALOG = defineError('WEFT_ERR_CATALOG', 400, (problems: CatalogProblem[]) =>
  [`The estate catalog has ${count(problems.length, 'problem')}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n'),
);

/** ["systems", 2, "match"] → "systems[2].match" */
export function pathText(segments: ReadonlyArray<string | number>): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
