import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyse } from 'scslre';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkedRegExps } from '../core/text/checked-regexp.ts';

const root = join(import.meta.dirname, '..');

/** The project's TypeScript sources outside tests, dependencies, the UI (its own checks) and build output. */
function sources(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || ['node_modules', 'ui', 'dist'].includes(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * What makes `re` match in more than linear time, as eslint-plugin-regexp's no-super-linear-backtracking and
 * no-super-linear-move find it in a literal (scslre), strictest reading: a rejecting suffix is assumed to exist.
 * Each as `<kind>: <character to repeat>`; empty when there is none.
 */
function worstCase(re: RegExp): string[] {
  return analyse({ source: re.source, flags: re.flags }, { assumeRejectingSuffix: true }).reports.map(
    (r) => `${r.type}${r.exponential ? ' (exponential)' : ''}: a run of ${JSON.stringify(r.character.pick)}`,
  );
}

/**
 * The string values of `file`'s `const NAME = '…'` declarations, and what each `pattern: …` property holds: a string
 * literal's value, or the name it gives (an identifier, or a property path such as `SinceQuery.properties.since.pattern`).
 * Read with TypeScript's own parser.
 */
function patternsOf(file: string, text: string) {
  const constants = new Map<string, string>();
  const properties: { at: string; value?: string; name?: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isStringLiteralLike(node.initializer)) {
      constants.set(node.name.text, node.initializer.text);
    }
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'pattern') {
      const at = `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
      if (ts.isStringLiteralLike(node.initializer)) properties.push({ at, value: node.initializer.text });
      else properties.push({ at, name: node.initializer.getText(source) });
    }
    ts.forEachChild(node, visit);
  };
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  visit(source);
  return { constants, properties };
}

describe('regular expressions outside the lint rules’ reach have a linear worst case', () => {
  const files = sources();
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

  beforeAll(async () => {
    for (const [file, text] of texts) if (text.includes('checkedRegExp(')) await import(pathToFileURL(file).href);
  });

  it('checks the analysis finds what it should (a nested quantifier, two that trade characters)', () => {
    expect(worstCase(/^(a+)+$/)).toEqual(['Self (exponential): a run of "a"']);
    expect(worstCase(/^a.*b.*c$/).length).toBeGreaterThan(0);
    expect(worstCase(/^[a-z]+$/)).toEqual([]);
  });

  it('every expression built from a string (checkedRegExp), once each module that builds one is loaded', () => {
    const sites = [...texts.values()].reduce((n, t) => n + (t.match(/\bcheckedRegExp\(/g)?.length ?? 0), 0);
    const built = checkedRegExps();
    // The definition's own line is one site; a site may build several (name-verb.ts builds each of its two per list).
    expect(built.length).toBeGreaterThanOrEqual(sites - 1);
    const slow = built.map((re) => ({ re: re.source.slice(0, 120), worst: worstCase(re) })).filter((x) => x.worst.length > 0);
    expect(slow).toEqual([]);
  });

  it('every JSON Schema pattern of the catalog, the API’s requests and OpenLineage events (their validators compile them)', () => {
    const read = [...texts].filter(([, text]) => text.includes('pattern') || text.includes('PATTERN')).map(([file, text]) => patternsOf(file, text));
    const constants = new Map(read.flatMap((r) => [...r.constants]));
    const patterns: { at: string; pattern: string }[] = [];
    const unread: string[] = [];
    for (const { at, value, name } of read.flatMap((r) => r.properties)) {
      if (value !== undefined) patterns.push({ at, pattern: value });
      else if (name !== undefined && constants.has(name)) patterns.push({ at, pattern: constants.get(name)! });
      // A pattern taken from a schema read here already.
      else if (!name?.endsWith('.pattern')) unread.push(`${at}: pattern: ${name}`);
    }
    expect(unread).toEqual([]);
    expect(patterns.length).toBeGreaterThan(20);
    const slow = patterns.map((p) => ({ at: p.at, worst: worstCase(new RegExp(p.pattern, 'u')) })).filter((x) => x.worst.length > 0);
    expect(slow).toEqual([]);
  });
});
