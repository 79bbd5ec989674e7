#!/usr/bin/env node
// `npm run typecheck` and `eslint .` over one TypeScript program: the root tsconfig.json's program is
// built once, its diagnostics are printed as `tsc --noEmit` prints them, and ESLint's typed rules get
// the same program (parserOptions.programs) instead of building their own — the type checker's work,
// most of either check's time, is done once. Exit code 1 if either found an error.
import ts from 'typescript';
import { ESLint } from 'eslint';

const cwd = process.cwd();
const configFile = ts.findConfigFile(cwd, ts.sys.fileExists, 'tsconfig.json');
if (!configFile) {
  process.stderr.write(`typecheck-lint: no tsconfig.json in ${cwd} or above it; run it from the repository root.\n`);
  process.exit(1);
}

const configProblems = [];
const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configProblems.push(d) });
const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => ts.sys.newLine };
if (!parsed) {
  process.stdout.write(ts.formatDiagnostics(configProblems, formatHost));
  process.exit(1);
}
const program = ts.createProgram({
  rootNames: parsed.fileNames,
  options: parsed.options,
  projectReferences: parsed.projectReferences,
  configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
});

// ESLint first: its typed rules fill the checker's caches, which the full type check then reuses.
const eslint = new ESLint({ cwd, overrideConfig: { languageOptions: { parserOptions: { programs: [program] } } } });
const results = await eslint.lintFiles(['.']);
const lintErrors = results.reduce((n, r) => n + r.errorCount + r.fatalErrorCount, 0);
const lintText = await (await eslint.loadFormatter('stylish')).format(results);

const diagnostics = ts.getPreEmitDiagnostics(program);
const typeErrors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;

if (diagnostics.length > 0) process.stdout.write(`tsc --noEmit:\n${ts.formatDiagnostics(diagnostics, formatHost)}`);
if (lintText) process.stdout.write(`eslint .:${lintText}`);
process.exit(typeErrors > 0 || lintErrors > 0 ? 1 : 0);
