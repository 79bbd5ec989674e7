import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/**
 * What loading `file` loads before any of its code runs: the files (relative to the repository) and packages its
 * static imports and re-exports reach, transitively. `import type` and `export type` load nothing; an import with a
 * value binding, or none (`import {} from`, kept by verbatimModuleSyntax), loads its module; `import()` is left out,
 * as it loads only when the code reaches it.
 */
function staticClosure(file: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    const rel = relative(root, path);
    if (files.has(rel)) return;
    files.add(rel);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, false);
    for (const node of source.statements) {
      let spec: ts.Expression | undefined;
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) spec = node.moduleSpecifier;
      if (ts.isExportDeclaration(node) && !node.isTypeOnly) spec = node.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const name = spec.text;
      if (name.startsWith('.')) visit(join(dirname(path), name));
      else if (!name.startsWith('node:')) packages.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]);
    }
  };
  visit(join(root, file));
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe('what `weft` loads before it knows the command', () => {
  // `weft --help`, `weft token list` and every other command waited 3–4 s for the whole of Weft (the runtime, the API,
  // the PDF renderer, the engine's client) because the command list imported every command's dependencies. Each
  // command now loads what it needs when it runs (`import()` in its `run`).
  it('is the command line itself and the small core modules: no part of Weft, no catalog parser, no engine', () => {
    const { files, packages } = staticClosure('cli/main.ts');
    const outside = files.filter((f) => !/^(cli|core)\//.test(f) || /^core\/(catalog|contracts)\/index\.ts$/.test(f));
    expect(outside, 'files loaded by every weft command').toEqual([]);
    // The logger, the edit distance behind "did you mean", the RFC 3339 date-time check (core/time).
    expect(packages, 'packages loaded by every weft command').toEqual(['ajv-formats', 'fastest-levenshtein', 'pino']);
  });
});

describe('what `weft start` loads before it listens', () => {
  // The PDF renderer and chart library (reports), the demo estate's OpenTelemetry SDK, the probes' database, broker
  // and SMTP clients loaded with every Weft: about 1.5 s of a start. Each loads with its first use now.
  it('leaves out what only a report, the demo, a probe kind or an e-mail needs', () => {
    const { packages } = staticClosure('runtime/start-weft.ts');
    const onFirstUse = /^(pdfkit|svg-to-pdfkit|echarts|@opentelemetry\/|pg$|mysql2|amqplib|@nats-io\/|nodemailer)/;
    expect(packages.filter((p) => onFirstUse.test(p))).toEqual([]);
  });
});
