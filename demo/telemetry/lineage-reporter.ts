/**
 * How the demo's ETL jobs report: OpenLineage RunEvents POSTed as JSON to Weft's `/api/v1/lineage`
 * (the OpenLineage HTTP transport's default endpoint) over a real socket, with the ingest token as
 * `Authorization: Bearer` (the transport's api_key auth). Events wait in order while Weft is not
 * reachable (not started yet, restarting) and go out when it is, as a client with a retrying
 * transport does; the oldest are dropped beyond `MAX_QUEUED`.
 */

/** Events kept while Weft cannot be reached. */
export const MAX_QUEUED = 5000;
const RETRY_MS = 1000;

export interface LineageReporterOptions {
  /** Weft's API base URL (http://127.0.0.1:3000); unknown until `setUrl` when Weft has not started yet. */
  url?: string;
  token?: string;
  onError(message: string): void;
}

export class LineageReporter {
  private readonly queue: object[] = [];
  private url: string | undefined;
  private sending: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: LineageReporterOptions) {
    this.url = options.url?.replace(/\/$/, '');
    this.timer = setInterval(() => void this.flush(), RETRY_MS);
    this.timer.unref();
  }

  /** Where Weft's API listens, once it does. */
  setUrl(url: string): void {
    this.url = url.replace(/\/$/, '');
    void this.flush();
  }

  /** Queues one RunEvent and sends what is queued. */
  emit(event: object): void {
    this.queue.push(event);
    if (this.queue.length > MAX_QUEUED) this.queue.shift();
    void this.flush();
  }

  /** Sends the queue in order, one event per request; stops at the first failure (retried later). */
  flush(): Promise<void> {
    this.sending ??= this.send().finally(() => (this.sending = null));
    return this.sending;
  }

  private async send(): Promise<void> {
    while (this.url && this.queue.length > 0) {
      const res = await fetch(`${this.url}/api/v1/lineage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        body: JSON.stringify(this.queue[0]),
      }).catch(() => null);
      if (!res || res.status >= 500 || res.status === 401 || res.status === 403) return;
      if (!res.ok) this.options.onError(`Weft refused a lineage event (${res.status}): ${await res.text()}`);
      this.queue.shift();
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
