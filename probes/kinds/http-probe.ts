import type { HttpProbeSpec } from '../../core/catalog/index.ts';
import { countAt } from '../json-path.ts';
import { networkCause, ProbeError } from '../probe-error.ts';
import { fingerprintOf, jsonShape } from '../shape.ts';
import type { ProbeFactory } from './probe-kind.ts';

/** GET a URL: status and latency always; a count by JSON path when `count` is set; the JSON shape for schema drift. */
export const httpProbe: ProbeFactory<HttpProbeSpec> = (spec, secrets) => ({
  async run(timeoutMs) {
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name] = secrets.resolveEmbedded(value, `probe ${spec.id} header ${name}`);
    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(spec.url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new ProbeError('timeout', `GET ${spec.url} did not answer within ${timeoutMs} ms`);
      const net = networkCause(err);
      throw new ProbeError('down', `GET ${spec.url} failed: ${net ?? e.message}`);
    }
    const latency = performance.now() - started;
    const metrics: Record<string, number> = { status: res.status, latency_ms: Math.round(latency * 10) / 10 };
    const expected = spec.expectStatus;
    if (expected ? res.status !== expected : res.status < 200 || res.status > 299) {
      if (res.status === 401 || res.status === 403) throw new ProbeError('auth', `GET ${spec.url} answered ${res.status}: the credentials were refused`, metrics);
      throw new ProbeError('status', `GET ${spec.url} answered ${res.status}${expected ? `, expected ${expected}` : ''}`, metrics);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      if (!spec.count) return { value: res.status, metrics };
      throw new ProbeError('response', `GET ${spec.url} answered ${res.status} with a body that is not JSON (${JSON.stringify(text.slice(0, 40))}…)`, metrics);
    }
    const shape = fingerprintOf(jsonShape(doc));
    if (!spec.count) return { value: res.status, metrics, shape };
    const count = countAt(doc, spec.count);
    if (!count.ok) throw new ProbeError('response', `GET ${spec.url}: ${count.reason}`, metrics);
    return { value: count.value, metrics, shape };
  },
  async close() {},
});
