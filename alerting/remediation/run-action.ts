import { createHash, randomUUID } from 'node:crypto';
import type { RemediationSpec } from '../../core/catalog/index.ts';
import { parseDuration } from '../../core/time/index.ts';
import type { Secrets } from '../../probes/index.ts';
import { episodeFingerprint, ESCALATION_RULE_ID, type Alert } from '../model/alert.ts';
import type { AlertStore, RemediationAttempt } from '../store/alert-store.ts';
import { backoffDelay, sleep } from './backoff.ts';

export interface RemediationOutcome {
  runId: string;
  action: string;
  fingerprint: string;
  outcome: 'succeeded' | 'escalated' | 'escalation-failed';
  attempts: number;
  lastStatus: number;
  lastError: string;
}

export interface RunActionOptions {
  alertStore: AlertStore;
  secrets: Secrets;
  /**
   * Raises the escalation once every attempt failed (start-alerting: the run's `escalated` record fires the
   * `remediation-failed` alert at the next evaluation); resolves to whether a receiver is there to tell it.
   */
  escalate: (alert: Alert, action: RemediationSpec, lastError: string) => Promise<boolean>;
  actor: string;
  random?: () => number;
  signal?: AbortSignal;
  /** Replaces waiting between attempts (tests record the delays instead of sleeping). */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The same key for every attempt on one alert episode (relabelled or not: `episodeFingerprint`): a platform that honours it runs the fix once. */
export function idempotencyKey(action: string, a: Alert): string {
  return createHash('sha256')
    .update(`${action}\u0000${episodeFingerprint(a)}\u0000${a.firedAt ?? a.activeSince ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}

/** `{{flow}}`, `{{rule}}`, `{{fingerprint}}`, `{{idempotencyKey}}`, `{{labels.NAME}}`, JSON-escaped (safe inside "…"). */
export function renderTemplate(text: string, a: Alert, key: string): string {
  const esc = (v: string) => JSON.stringify(v).slice(1, -1);
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, name: string) => {
    if (name === 'flow') return esc(a.flow ?? '');
    if (name === 'rule') return esc(a.rule);
    if (name === 'fingerprint') return esc(a.fingerprint);
    if (name === 'idempotencyKey') return key;
    if (name.startsWith('labels.')) return esc(Object.hasOwn(a.labels, name.slice(7)) ? a.labels[name.slice(7)] : '');
    return '';
  });
}

/**
 * The actions that fix an alert: a custom rule's own, and those attached to its rule and/or flow. None for an
 * escalation (`remediation-failed`): an action attached to its flow would otherwise run again on its own failure.
 */
export function actionsFor(actions: RemediationSpec[], a: Alert, ruleAction?: string): RemediationSpec[] {
  if (a.rule === ESCALATION_RULE_ID) return [];
  return actions.filter(
    (x) =>
      x.id === ruleAction ||
      ((x.rules?.length || x.flows?.length) &&
        (!x.rules?.length || x.rules.includes(a.rule)) &&
        (!x.flows?.length || (a.flow !== null && x.flows.includes(a.flow)))),
  );
}

const retryable = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

/**
 * Runs one remediation action for one alert: the HTTP call, up to `attempts` times with exponential
 * backoff and jitter, the same Idempotency-Key header on each; a 4xx other than 408/429 is not retried.
 * When every attempt failed, escalates: the last record is `escalated` (`escalation-failed` when no receiver is
 * there to tell), and it is what fires the escalation alert (escalation.ts). Every attempt is recorded. Never throws.
 */
export async function runAction(action: RemediationSpec, alert: Alert, o: RunActionOptions): Promise<RemediationOutcome> {
  const runId = randomUUID();
  const key = idempotencyKey(action.id, alert);
  const base = parseDuration(action.backoff);
  const max = parseDuration(action.maxBackoff);
  const timeout = action.request.timeout ? parseDuration(action.request.timeout) : 10_000;
  const wait = o.wait ?? sleep;
  let lastStatus = 0;
  let lastError = '';
  let url = '';
  const record = (attempt: number, outcome: RemediationAttempt['outcome'], durationMs: number) =>
    o.alertStore
      .recordAttempt({
        at: new Date().toISOString(),
        runId,
        action: action.id,
        fingerprint: alert.fingerprint,
        flow: alert.flow ?? '',
        attempt,
        idempotencyKey: key,
        method: action.request.method,
        url: o.secrets.redact(url),
        httpStatus: lastStatus,
        outcome,
        error: lastError,
        durationMs,
        actor: o.actor,
      })
      .catch(() => undefined);
  let attempt = 0;
  for (attempt = 1; attempt <= action.attempts; attempt++) {
    const started = Date.now();
    lastStatus = 0;
    lastError = '';
    try {
      url = o.secrets.resolveUrl(action.request.url, `remediation ${action.id} url`);
      const headers: Record<string, string> = { 'idempotency-key': key, 'user-agent': 'weft-remediation' };
      for (const [k, v] of Object.entries(action.request.headers ?? {}))
        headers[k.toLowerCase()] = o.secrets.resolveEmbedded(v, `remediation ${action.id} header ${k}`);
      const body = action.request.body !== undefined ? renderTemplate(action.request.body, alert, key) : undefined;
      if (body !== undefined && !headers['content-type'])
        headers['content-type'] = body.trimStart().startsWith('{') || body.trimStart().startsWith('[') ? 'application/json' : 'text/plain';
      const res = await fetch(url, {
        method: action.request.method,
        headers,
        body: action.request.method === 'GET' ? undefined : body,
        signal: AbortSignal.timeout(timeout),
      });
      lastStatus = res.status;
      const text = await res.text().catch(() => '');
      if (res.ok) {
        await record(attempt, 'succeeded', Date.now() - started);
        return { runId, action: action.id, fingerprint: alert.fingerprint, outcome: 'succeeded', attempts: attempt, lastStatus, lastError };
      }
      lastError = o.secrets.redact(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    } catch (err) {
      lastError = o.secrets.redact((err as Error).message ?? String(err)).slice(0, 500);
    }
    const more = attempt < action.attempts && retryable(lastStatus) && !o.signal?.aborted;
    await record(attempt, more ? 'retrying' : 'failed', Date.now() - started);
    if (!more) break;
    await wait(backoffDelay(attempt, base, max, o.random), o.signal);
  }
  const attempts = Math.min(attempt, action.attempts);
  const told = await o.escalate(alert, action, lastError).catch(() => false);
  lastError = told ? lastError : `${lastError}; no receiver is routed the escalation`;
  await record(attempts, told ? 'escalated' : 'escalation-failed', 0);
  return { runId, action: action.id, fingerprint: alert.fingerprint, outcome: told ? 'escalated' : 'escalation-failed', attempts, lastStatus, lastError };
}
