import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One OTLP request as the exporter sent it. */
interface Held {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * What an OpenTelemetry Collector gateway with a sending queue does between integrations and Weft:
 * it accepts every OTLP/HTTP request at once, queues it, and forwards the queue in order to Weft
 * whenever Weft is there — so spans reach Weft late (history sent after Weft starts, a queue flushed
 * after an outage) exactly as they left the SDK. `hold()` keeps everything queued; `forwardTo(url)`
 * flushes the queue and keeps forwarding; a failed forward leaves the request queued and retries.
 */
export class HoldingGateway {
  private server: Server | null = null;
  private readonly queue: Held[] = [];
  private target: string | null = null;
  /** Where requests to `/api/…` (the ETL jobs' OpenLineage events) go: Weft's API, not its collector. */
  private api: string | null = null;
  private pumping: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** OTLP requests forwarded to Weft and accepted (2xx). */
  forwarded = 0;

  /** Listens on a free loopback port; resolves its base URL (what the estate exports to). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void read(req).then((body) => {
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'content-encoding']) {
          const v = req.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        this.queue.push({ path: req.url ?? '/v1/traces', headers, body });
        // An empty ExportTraceServiceResponse: everything accepted.
        res.writeHead(200, { 'content-type': headers['content-type'] ?? 'application/x-protobuf' }).end();
        this.kick();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.timer = setInterval(() => this.kick(), 500);
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests waiting to be forwarded. */
  get queued(): number {
    return this.queue.length;
  }

  /** Stop forwarding (Weft is gone, or not installed yet): everything is queued. */
  hold(): void {
    this.target = null;
  }

  /** Forward the queue, then everything that comes, to Weft's OTLP base URL (and `/api/…` requests to its API base URL). */
  forwardTo(url: string, apiUrl?: string): void {
    this.target = url.replace(/\/$/, '');
    if (apiUrl) this.api = apiUrl.replace(/\/$/, '');
    this.kick();
  }

  /** Resolves once the queue is empty (while forwarding). */
  async drained(): Promise<void> {
    while (this.queue.length > 0 || this.pumping) {
      this.kick();
      await (this.pumping ?? new Promise((r) => setTimeout(r, 100)));
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.target = null;
    await this.pumping?.catch(() => undefined);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private kick(): void {
    if (this.pumping || !this.target || this.queue.length === 0) return;
    this.pumping = this.pump().finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    while (this.target && this.queue.length > 0) {
      const next = this.queue[0];
      const toApi = next.path.startsWith('/api/');
      const base = toApi ? this.api : this.target;
      if (!base) return; // kept in order until Weft's API is known
      try {
        const res = await fetch(`${base}${next.path}`, { method: 'POST', headers: next.headers, body: next.body });
        await res.arrayBuffer();
        if (!res.ok) return; // retried on the next kick
      } catch {
        return; // Weft is down: keep it queued
      }
      this.queue.shift();
      if (!toApi) this.forwarded++;
    }
  }
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
