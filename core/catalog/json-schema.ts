/**
 * docs/catalog.schema.json, for editors (yaml-language-server: $schema=…), generated from the
 * TypeBox schema. Regenerate with: npx tsx core/catalog/json-schema.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CatalogFileSchema } from './schema.ts';

export const catalogSchemaFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'catalog.schema.json');

export function catalogJsonSchema(): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(CatalogFileSchema)) }, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(catalogSchemaFile, catalogJsonSchema());
  console.log(`wrote ${catalogSchemaFile}`);
}
