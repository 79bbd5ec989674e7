import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog } from './index.ts';

describe('docs/catalog.md', () => {
  it('has a complete example that validates', () => {
    const md = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'catalog.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(md)![1];
    const { catalog, problems } = parseCatalog([{ file: 'docs/catalog.md', text: yaml }]);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(catalog.flows).toHaveLength(4);
  });
});
