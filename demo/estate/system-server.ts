import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SystemStore } from './system-store.ts';

/** Extra latency a system adds to some requests (the latency-regression fault uses it). */
export type DelayPolicy = (method: string, collection: string) => number;

export interface SystemServer {
  systemId: string;
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  stop(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the 400 below
  }
  throw new HttpFailure(400, 'The body must be one JSON object.');
}

function nonNegative(value: string | null, name: string, fallback: number): number {
  if (value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new HttpFailure(400, `Query parameter "${name}" must be a whole number, got "${value}".`);
  return n;
}

/**
 * The read/write API of one demo system, under /api: GET /api/{kind}/count,
 * GET /api/{kind}?since=&limit=&field=value, GET|PUT|PATCH /api/{kind}/{id}, POST /api/{kind}
 * (create), PUT /api/{kind} {"items": […]} (bulk upsert).
 */
async function handle(store: SystemStore, req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://demo.local');
  const [prefix, name, id, extra] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (prefix !== 'api' || !name || extra !== undefined) throw new HttpFailure(404, `No route ${req.method} ${url.pathname}; the API is under /api/{kind}.`);
  if (!store.has(name)) throw new HttpFailure(404, `${store.systemId} keeps no "${name}"; it keeps ${store.names().join(', ')}.`);
  const records = store.collection(name);
  const method = req.method ?? 'GET';
  if (method === 'GET' && id === 'count') return { status: 200, body: { count: records.count() } };
  if (method === 'GET' && id === undefined) {
    const since = nonNegative(url.searchParams.get('since'), 'since', 0);
    const limit = nonNegative(url.searchParams.get('limit'), 'limit', 500);
    const filters = [...url.searchParams].filter(([key]) => key !== 'since' && key !== 'limit');
    const matching =
      filters.length === 0 ? records.changedSince(since) : records.changedSince(since).filter((r) => filters.every(([k, v]) => String(r[k]) === v));
    const items = matching.slice(0, limit);
    return { status: 200, body: { items, lastSeq: items.length > 0 ? items[items.length - 1].seq : since } };
  }
  if (method === 'GET') {
    const found = records.get(id);
    if (!found) throw new HttpFailure(404, `${store.systemId} has no ${name} "${id}".`);
    return { status: 200, body: found };
  }
  if (method === 'POST' && id === undefined) return { status: 201, body: records.create(await readJson(req)) };
  if (method === 'PUT' && id === undefined) {
    const { items } = await readJson(req);
    if (!Array.isArray(items)) throw new HttpFailure(400, 'A bulk upsert (PUT /' + name + ') takes {"items": [{"id": …}, …]}.');
    const written = items.map((item: Record<string, unknown>, i) => {
      if (typeof item?.id !== 'string' || !item.id) throw new HttpFailure(400, `items[${i}] has no "id".`);
      return records.put(item.id, item);
    });
    return { status: 200, body: { items: written } };
  }
  if (method === 'PUT' && id !== undefined) return { status: 200, body: records.put(id, await readJson(req)) };
  if (method === 'PATCH' && id !== undefined) {
    const patched = records.patch(id, await readJson(req));
    if (!patched) throw new HttpFailure(404, `${store.systemId} has no ${name} "${id}".`);
    return { status: 200, body: patched };
  }
  throw new HttpFailure(405, `${method} is not allowed on ${url.pathname}.`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Serves one system's records on a port (0: any free port), on loopback unless `host` says otherwise. */
export async function startSystemServer(store: SystemStore, options: { port?: number; host?: string; delay?: DelayPolicy } = {}): Promise<SystemServer> {
  const server: Server = createServer((req, res) => {
    const collection = (req.url ?? '/').split(/[/?]/)[2] ?? '';
    const wait = options.delay?.(req.method ?? 'GET', collection) ?? 0;
    const answer = () =>
      handle(store, req).then(
        (r) => send(res, r.status, r.body),
        (err: unknown) => send(res, err instanceof HttpFailure ? err.status : 500, { error: err instanceof HttpFailure ? err.message : 'internal error' }),
      );
    if (wait > 0) setTimeout(() => void answer(), wait);
    else void answer();
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    systemId: store.systemId,
    url: `http://127.0.0.1:${port}`, // reachable locally whatever the bind address
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
