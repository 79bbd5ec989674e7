import { createServer, type Server } from 'node:net';
import { parseCatalog, type Catalog } from '../../core/catalog/index.ts';

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A catalog from YAML text through the real loader; fails loudly on any problem. */
export function catalogOf(yaml: string): Catalog {
  const { catalog, problems } = parseCatalog([{ file: 'test.yaml', text: yaml }]);
  if (problems.length > 0) throw new Error(`test catalog has problems:\n${problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n')}`);
  return catalog;
}

/** A unique, lower-case name for tables, queues and streams of one test run. */
export const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

export const SYSTEMS_YAML = `systems:
  - id: crm
    kind: crm
  - id: erp
    kind: erp
  - id: web
    kind: ecommerce
  - id: broker
    kind: broker
domains:
  - id: customer
    systemOfRecord: crm
    replicas: [erp, web]
    drift: { toleranceAbsolute: 2, tolerancePercent: 0, settle: 5m }
`;
