import { networkCause } from '../../core/net/network-cause.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { Catalog } from '../../core/catalog/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import type { Secrets } from '../../probes/index.ts';
import { backoffDelay, sleep } from '../remediation/backoff.ts';
import type { AlertStore, Delivery } from '../store/alert-store.ts';
import type { Notification } from './groups.ts';
import { receiverKinds } from './receivers/index.ts';

export interface DeliverOptions {
  catalog: Catalog;
  alertStore: AlertStore;
  secrets: Secrets;
  logger: Logger;
  externalUrl: string;
  /**
   * Attempts per notification (default 3: the first and 2 retries), the first retry after `retryBaseMs`
   * (default 1 s), doubling, with equal jitter (0.5–1 s, then 1–2 s).
   */
  attempts?: number;
  retryBaseMs?: number;
  /** How long one attempt waits for the receiver (ms) when the receiver's own `timeout` does not say; default DEFAULT_RECEIVER_TIMEOUT_MS. */
  timeoutMs?: number;
  signal?: AbortSignal;
  random?: () => number;
  /** How far ahead a firing alert's `endsAt` posted to Alertmanager is (ms; default AM_ALIVE_MS). */
  alertmanagerAliveMs?: number;
}

/** How long one delivery attempt waits for a receiver's answer when neither its `timeout` nor the process says (ms). */
export const DEFAULT_RECEIVER_TIMEOUT_MS = 10_000;

/** fetch's AbortSignal.timeout (TimeoutError), nodemailer's connection, greeting and socket timeouts (ETIMEDOUT). */
const timedOut = (err: unknown) => (err as Error)?.name === 'TimeoutError' || (err as { code?: string })?.code === 'ETIMEDOUT';

/**
 * Delivers one notification with retries (exponential backoff with jitter); records every attempt in
 * weft_alert_deliveries with secrets redacted. Each attempt waits the receiver's `timeout` (else
 * `o.timeoutMs`, else 10 s). Never throws: returns whether it got through — false means no attempt was
 * answered with success, not that nothing arrived: an attempt that timed out may have been delivered and
 * is sent again (at least once, as Alertmanager's notifications), and its record says so.
 */
export async function deliver(n: Notification, o: DeliverOptions): Promise<boolean> {
  const spec = o.catalog.receivers.find((r) => r.id === n.receiver);
  const attempts = o.attempts ?? 3;
  const timeoutMs = spec?.timeout ? parseDuration(spec.timeout, `receivers.${spec.id}.timeout`) : (o.timeoutMs ?? DEFAULT_RECEIVER_TIMEOUT_MS);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const started = Date.now();
    const record: Delivery = {
      at: new Date().toISOString(),
      receiver: n.receiver,
      receiverType: spec?.type ?? 'unknown',
      groupKey: n.groupKey,
      status: n.status,
      fingerprints: n.alerts.map((a) => a.alert.fingerprint),
      attempt,
      ok: false,
      httpStatus: 0,
      error: '',
      durationMs: 0,
    };
    try {
      if (!spec) throw new Error(`receiver "${n.receiver}" is not in the catalog`);
      const res = await receiverKinds[spec.type](spec, n, {
        secrets: o.secrets,
        externalUrl: o.externalUrl,
        timeoutMs,
        alertmanagerAliveMs: o.alertmanagerAliveMs,
      });
      record.ok = true;
      record.httpStatus = res.httpStatus;
      // Delivered to some only: still a success (not sent again), with who was left out.
      if (res.partial) record.error = o.secrets.redact(res.partial).slice(0, 500);
    } catch (err) {
      // fetch says only "fetch failed": the cause (ECONNREFUSED, ENOTFOUND…) is what an operator acts on.
      const cause = networkCause(err);
      const message = timedOut(err)
        ? `no answer within ${timeoutMs} ms: it may have been delivered (the receiver's timeout, default 10s)`
        : ((err as Error).message ?? String(err));
      record.error = o.secrets.redact(cause && !message.includes(cause) ? `${message} (${cause})` : message).slice(0, 500);
      record.httpStatus = Number((err as { httpStatus?: number }).httpStatus ?? 0);
    }
    record.durationMs = Date.now() - started;
    await o.alertStore.recordDelivery(record).catch((err: Error) => o.logger.error({ err: err.message }, 'recording a delivery failed'));
    if (record.ok) return true;
    o.logger.warn({ receiver: n.receiver, attempt, error: record.error }, 'notification failed');
    if (attempt < attempts && !o.signal?.aborted) await sleep(backoffDelay(attempt, o.retryBaseMs ?? 1000, 30_000, o.random), o.signal);
    if (o.signal?.aborted) return false;
  }
  return false;
}
