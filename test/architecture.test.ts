import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Which top-level part may import which (production code; tests, fixtures and benchmarks may reach
 * anywhere). The README's Architecture section says the same in words. The table must stay a DAG:
 * a part that needs something of a part above it needs that thing moved down, not a new arrow.
 */
export const allowedImports: Record<string, readonly string[]> = {
  core: [],
  clickhouse: ['core'],
  access: ['core', 'clickhouse'],
  findings: ['core', 'clickhouse'],
  collector: ['core', 'clickhouse', 'access'],
  probes: ['core', 'clickhouse', 'findings'],
  analyzer: ['core', 'clickhouse', 'findings'],
  alerting: ['core', 'clickhouse', 'findings', 'analyzer', 'probes', 'access'],
  reports: ['core', 'clickhouse', 'findings', 'analyzer', 'probes', 'alerting', 'access'],
  lineage: ['core', 'clickhouse', 'access'],
  ui: ['api'],
  api: ['core', 'clickhouse', 'access', 'findings', 'analyzer', 'probes', 'alerting', 'reports', 'lineage', 'collector'],
  demo: ['core'],
  runtime: ['core', 'clickhouse', 'access', 'findings', 'collector', 'probes', 'analyzer', 'alerting', 'reports', 'lineage', 'api', 'ui', 'demo'],
  cli: ['core', 'clickhouse', 'access', 'findings', 'collector', 'probes', 'analyzer', 'alerting', 'reports', 'lineage', 'api', 'demo', 'runtime'],
};

/** Files that are not production code: tests and what only tests and benchmarks use. */
const isTestOnly = (file: string) => /\.test\.ts$/.test(file) || /(^|\/)(test|testing|e2e)\//.test(file) || /^(bench|test|scripts)\//.test(file);

const root = join(import.meta.dirname, '..');

function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', '*.ts', '*.svelte'], { cwd: root, encoding: 'utf8' });
  return out.split('\n').filter((f) => f && !f.includes('node_modules/') && !f.startsWith('ui/.svelte-kit/') && !f.startsWith('ui/build/'));
}

/** Relative module specifiers a file imports (static imports, re-exports, dynamic import() of literals). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const code = file.endsWith('.svelte') ? [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n') : text;
  return ts
    .preProcessFile(code, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((f) => f.startsWith('.'));
}

/** Every import that crosses from one top-level part to another: `from` file, `to` part. */
function crossings(): { file: string; from: string; to: string }[] {
  const edges: { file: string; from: string; to: string }[] = [];
  for (const file of sourceFiles()) {
    const from = file.split('/')[0];
    for (const spec of importsOf(file)) {
      const to = normalize(join(dirname(file), spec)).split('/')[0];
      if (to !== from) edges.push({ file, from, to });
    }
  }
  return edges;
}

function cycleIn(graph: Record<string, readonly string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    path.push(n);
    for (const m of graph[n] ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of Object.keys(graph)) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('architecture', () => {
  it('the table of allowed imports between parts has no loop', () => {
    expect(cycleIn(allowedImports)).toBeNull();
  });

  it('production code imports only what its part may import', () => {
    const parts = new Set(Object.keys(allowedImports));
    const bad = crossings()
      .filter((e) => !isTestOnly(e.file) && parts.has(e.from))
      .filter((e) => !allowedImports[e.from].includes(e.to))
      .map((e) => `${e.file} imports ${e.to}/ (${e.from}/ may import: ${allowedImports[e.from].join(', ') || 'nothing'})`);
    expect(bad).toEqual([]);
  });

  it('every top-level part with code is in the table and has a README', () => {
    const codeParts = new Set(
      sourceFiles()
        .filter((f) => f.includes('/') && !isTestOnly(f))
        .map((f) => f.split('/')[0]),
    );
    const missing = [...codeParts].filter((p) => !(p in allowedImports));
    expect(missing).toEqual([]);
    const tracked = new Set(execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', '*/README.md'], { cwd: root, encoding: 'utf8' }).split('\n'));
    expect([...codeParts].filter((p) => !tracked.has(`${p}/README.md`))).toEqual([]);
  });

  it("the README's Architecture table says what this table says, for every part with code", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = /^## Architecture\n[\s\S]*?(?=^## |(?![\s\S]))/m.exec(readme)?.[0] ?? '';
    const rows = new Map<string, string[]>();
    for (const m of section.matchAll(/^\| `([a-z-]+)\/` \|.*\| ([a-z, -]+) \|$/gm)) rows.set(m[1], m[2] === 'nothing' ? [] : m[2].split(', '));
    const codeParts = new Set(
      sourceFiles()
        .filter((f) => f.includes('/') && !isTestOnly(f))
        .map((f) => f.split('/')[0]),
    );
    expect([...codeParts].filter((p) => !rows.has(p))).toEqual([]);
    const differ = [...rows].filter(([part, may]) => JSON.stringify(may) !== JSON.stringify(allowedImports[part] ?? null)).map(([part]) => part);
    expect(differ).toEqual([]);
  });
});
