import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BatchSync } from './batch-syncs.ts';

/** The host name the demo catalog uses for the batch-sync-jobs runtime's control API. */
export const runtimeControlHost = 'batch-sync-jobs.demo.local';

export interface RunEndpoint {
  url: string;
  port: number;
  /** Runs requested so far, by flow (duplicates by idempotency key not counted). */
  runs: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * The batch-sync-jobs runtime's control API, as integration platforms offer one: `POST /flows/{flow}/run`
 * runs the scheduled flow now and restarts its schedule if it had stopped (202). A repeated
 * `Idempotency-Key` is answered 200 without running again; an unknown flow is 404.
 */
export async function startRunEndpoint(
  syncs: Map<string, BatchSync>,
  options: { host?: string; port?: number; onRun?: (flow: string) => void } = {},
): Promise<RunEndpoint> {
  const seenKeys = new Map<string, number>();
  const runs = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    const m = /^\/flows\/([^/]+)\/run$/.exec(new URL(req.url ?? '/', 'http://runtime').pathname);
    if (req.method !== 'POST' || !m) return send(404, { error: 'POST /flows/{flow}/run' });
    const flow = decodeURIComponent(m[1]);
    const sync = syncs.get(flow);
    if (!sync) return send(404, { error: `no scheduled flow ${flow} in this runtime; it runs ${[...syncs.keys()].join(', ')}` });
    const key = String(req.headers['idempotency-key'] ?? '');
    const now = Date.now();
    for (const [k, at] of seenKeys) if (now - at > 600_000) seenKeys.delete(k);
    if (key && seenKeys.has(key)) return send(200, { flow, duplicate: true });
    if (key) seenKeys.set(key, now);
    runs.set(flow, (runs.get(flow) ?? 0) + 1);
    options.onRun?.(flow);
    void sync.runNow().catch(() => undefined);
    send(202, { flow, run: 'started', resumed: true });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${options.host ?? '127.0.0.1'}:${port}`, port, runs, stop: () => new Promise((r) => server.close(() => r())) };
}
