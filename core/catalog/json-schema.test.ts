import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogJsonSchema, catalogSchemaFile } from './json-schema.ts';

describe('docs/catalog.schema.json', () => {
  it('is current with the catalog schema (regenerate: npx tsx core/catalog/json-schema.ts)', () => {
    expect(readFileSync(catalogSchemaFile, 'utf8')).toBe(catalogJsonSchema());
  });
});
