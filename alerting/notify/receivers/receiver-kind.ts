import type { ReceiverSpec } from '../../../core/catalog/index.ts';
import type { Secrets } from '../../../probes/index.ts';
import type { Notification } from '../groups.ts';

/** What a receiver kind gets to send one notification. */
export interface SendContext {
  /** Resolves `env:NAME` references (and remembers the values, so errors can be redacted). */
  secrets: Secrets;
  /** Weft's own address, for links (generatorURL, the UI). */
  externalUrl: string;
  timeoutMs: number;
  /** Alertmanager receivers: how far ahead a firing alert's `endsAt` is (ms; default AM_ALIVE_MS). */
  alertmanagerAliveMs?: number;
}

/** The outcome of one delivery attempt; throwing is a failed attempt too. */
export interface SendResult {
  httpStatus: number;
  /** Delivered, but not to everyone: what the receiver refused (an SMTP server refusing some recipients). */
  partial?: string;
}

/** One receiver kind: turns a notification into the receiver's wire format and delivers it. */
export type ReceiverKind = (spec: ReceiverSpec, n: Notification, ctx: SendContext) => Promise<SendResult>;

/** POSTs JSON; a non-2xx answer is an error carrying the status and the start of the body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text().catch(() => '');
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`), { httpStatus: res.status });
  return { httpStatus: res.status };
}

/** Header values with their `env:NAME` tails resolved. */
export function resolveHeaders(spec: { headers?: Record<string, string> }, secrets: Secrets, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) out[k] = secrets.resolveEmbedded(v, `${what} header ${k}`);
  return out;
}
