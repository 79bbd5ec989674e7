import { describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { findingKinds, findingStatuses, severities } from '../../core/contracts/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import * as ui from '../../ui/src/lib/api/types.ts';
import { buildApiApp } from '../index.ts';

type Operation = {
  parameters?: Array<{ name: string; in: string; schema: JsonSchema }>;
  responses: Record<string, { content: Record<string, { schema: JsonSchema }> }>;
};
type JsonSchema = { anyOf?: JsonSchema[]; enum?: unknown[]; const?: unknown; properties?: Record<string, JsonSchema>; items?: JsonSchema };

/**
 * The values a JSON Schema allows when it is an enum: `enum`, or `anyOf` of `const`s (TypeBox's union of
 * literals), which @fastify/swagger writes as `anyOf` of one-value `enum`s for OpenAPI 3.0. Null otherwise.
 */
function enumOf(schema: JsonSchema | undefined): string[] | null {
  if (!schema) return null;
  if (Array.isArray(schema.enum)) return schema.enum.map(String);
  if ('const' in schema) return [String(schema.const)];
  if (!schema.anyOf?.length) return null;
  const parts = schema.anyOf.map(enumOf);
  return parts.every((p) => p !== null) ? parts.flat() : null;
}

const sorted = (list: readonly string[]) => [...list].sort();

describe('finding lists', () => {
  it('OpenAPI enumerates exactly the contract kinds, severities and statuses', async () => {
    // The app is built only to read its OpenAPI document: no route runs, so no store is needed.
    const services = { store: null as unknown as Store };
    const app = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, logger: silentLogger(), services });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json<{ paths: Record<string, Record<string, Operation>> }>();
      const list = doc.paths['/api/v1/findings'].get;
      const finding = list.responses['200'].content['application/json'].schema.properties?.findings.items?.properties ?? {};
      expect(enumOf(finding.kind)).toEqual([...findingKinds]);
      expect(enumOf(finding.severity)).toEqual([...severities]);
      expect(enumOf(finding.status)).toEqual([...findingStatuses]);
      const one = doc.paths['/api/v1/findings/{id}'].get.responses['200'].content['application/json'].schema.properties?.finding.properties ?? {};
      expect(enumOf(one.kind)).toEqual([...findingKinds]);
      const severityParam = list.parameters?.find((p) => p.in === 'query' && p.name === 'severity');
      expect(enumOf(severityParam?.schema)).toEqual([...severities]);
    } finally {
      await app.close();
    }
  });

  it("the UI's filter lists are the contract's", () => {
    expect(sorted(ui.findingKinds)).toEqual(sorted(findingKinds));
    expect(sorted(ui.severities)).toEqual(sorted(severities));
    expect(sorted(ui.findingStatuses)).toEqual(sorted(findingStatuses));
    expect(ui.severities).toEqual([...severities].reverse());
  });
});
