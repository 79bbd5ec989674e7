import type { HttpProbeSpec } from '../../core/catalog/index.ts';
import { countAt } from '../json-path.ts';
import { networkCause, ProbeError } from '../probe-error.ts';
import type { Secrets } from '../secrets.ts';
import { fingerprintOf, jsonShape } from '../shape.ts';
import type { ProbeFactory } from './probe-kind.ts';

/** Redirects followed before a probe fails with a `response` error. */
export const MAX_REDIRECTS = 5;
/** Headers never sent to another origin, whatever the catalog says (plus every header the catalog sets). */
const ALWAYS_CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * The request as the catalog describes it, references resolved: `?key=env:NAME` query values,
 * `Bearer env:NAME` headers, and `password: env:NAME` sent as basic auth with the URL's user.
 * Every value is remembered for redaction; messages keep naming `spec.url`, which holds references only.
 */
export function httpRequest(spec: HttpProbeSpec, secrets: Secrets): { url: URL; headers: Headers; credentialHeaders: Set<string> } {
  const url = new URL(secrets.resolveUrl(spec.url, `probe ${spec.id}`));
  const headers = new Headers({ accept: 'application/json' });
  const credentialHeaders = new Set(ALWAYS_CREDENTIALS);
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    headers.set(name, secrets.resolveEmbedded(value, `probe ${spec.id} header ${name}`));
    credentialHeaders.add(name.toLowerCase());
  }
  if (spec.password) {
    const user = decodeURIComponent(url.username);
    const password = secrets.resolve(spec.password, `probe ${spec.id} password`);
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    secrets.remember(basic);
    secrets.remember(`${user}:${password}`);
    headers.set('authorization', `Basic ${basic}`);
  }
  url.username = '';
  url.password = '';
  return { url, headers, credentialHeaders };
}

/**
 * GET with redirects followed by hand: at most MAX_REDIRECTS, http(s) only, and on a hop to
 * another origin every header the catalog set (and authorization, cookie) is dropped — a
 * credential is only ever sent where the catalog pointed it.
 */
async function getFollowing(spec: HttpProbeSpec, start: URL, headers: Headers, credentialHeaders: Set<string>, signal: AbortSignal): Promise<Response> {
  let url = start;
  const origin = start.origin;
  for (let hop = 0; ; hop++) {
    const sent = new Headers(headers);
    if (url.origin !== origin) for (const name of credentialHeaders) sent.delete(name);
    const res = await fetch(url, { headers: sent, signal, redirect: 'manual' });
    if (res.status < 300 || res.status > 399 || res.status === 304) return res;
    const location = res.headers.get('location');
    if (!location) return res;
    await res.body?.cancel().catch(() => undefined);
    if (hop >= MAX_REDIRECTS) throw new ProbeError('response', `GET ${spec.url} redirected more than ${MAX_REDIRECTS} times`, { status: res.status });
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new ProbeError('response', `GET ${spec.url} redirected to a ${next.protocol} URL; only http and https are followed`, { status: res.status });
    url = next;
  }
}

/** GET a URL: status and latency always; a count by JSON path when `count` is set; the JSON shape for schema drift. */
export const httpProbe: ProbeFactory<HttpProbeSpec> = (spec, secrets) => ({
  async run(timeoutMs) {
    const { url, headers, credentialHeaders } = httpRequest(spec, secrets);
    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await getFollowing(spec, url, headers, credentialHeaders, AbortSignal.timeout(timeoutMs));
      text = await res.text();
    } catch (err) {
      if (err instanceof ProbeError) throw err;
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new ProbeError('timeout', `GET ${spec.url} did not answer within ${timeoutMs} ms`);
      const net = networkCause(err);
      throw new ProbeError('down', `GET ${spec.url} failed: ${net ?? e.message}`);
    }
    const latency = performance.now() - started;
    const metrics: Record<string, number> = { status: res.status, latency_ms: Math.round(latency * 10) / 10 };
    const expected = spec.expectStatus;
    if (expected ? res.status !== expected : res.status < 200 || res.status > 299) {
      if (res.status === 401 || res.status === 403)
        throw new ProbeError('auth', `GET ${spec.url} answered ${res.status}: the credentials were refused`, metrics);
      throw new ProbeError('status', `GET ${spec.url} answered ${res.status}${expected ? `, expected ${expected}` : ''}`, metrics);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      if (!spec.count) return { value: res.status, metrics };
      // The body may echo a credential: redacted before it is cut, so no part of one survives.
      throw new ProbeError(
        'response',
        `GET ${spec.url} answered ${res.status} with a body that is not JSON (${JSON.stringify(secrets.redactTruncated(text, 40))})`,
        metrics,
      );
    }
    const shape = fingerprintOf(jsonShape(doc));
    if (!spec.count) return { value: res.status, metrics, shape };
    const count = countAt(doc, spec.count);
    if (!count.ok) throw new ProbeError('response', `GET ${spec.url}: ${count.reason}`, metrics);
    return { value: count.value, metrics, shape };
  },
  async close() {},
});
