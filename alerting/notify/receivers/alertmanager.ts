import { amAlert } from '../payload.ts';
import { postJson, resolveHeaders, type ReceiverKind } from './receiver-kind.ts';

/** How long Alertmanager keeps a firing alert without hearing of it again: the endsAt Weft posts is this far ahead (ms). */
export const AM_ALIVE_MS = 4 * 60_000;
/**
 * How often Weft re-posts every firing alert Alertmanager was told of (ms), as Prometheus does (its
 * resend delay): well inside AM_ALIVE_MS, so an alert still firing in Weft never times out (resolves) there.
 */
export const AM_KEEP_ALIVE_MS = 60_000;

/**
 * Prometheus Alertmanager's /api/v2/alerts, posted as Prometheus posts: firing alerts with endsAt
 * AM_ALIVE_MS ahead (re-posted every AM_KEEP_ALIVE_MS while firing, acknowledged or not: route.ts
 * `keepAliveMs`), resolved ones with endsAt = when they resolved. Alertmanager then does its own
 * grouping, repeats, silences, inhibition and on-call routing.
 */
export const alertmanagerReceiver: ReceiverKind = (spec, n, ctx) => {
  const base = ctx.secrets.resolveUrl(spec.url!, `receiver ${spec.id} url`).replace(/\/$/, '');
  const aliveUntil = new Date(Date.now() + (ctx.alertmanagerAliveMs ?? AM_ALIVE_MS)).toISOString();
  const body = n.alerts.map(({ alert, status }) => {
    const a = amAlert(alert, status, ctx.externalUrl);
    return {
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: status === 'firing' ? aliveUntil : a.endsAt,
      generatorURL: a.generatorURL,
    };
  });
  return postJson(`${base}/api/v2/alerts`, body, resolveHeaders(spec, ctx.secrets, `receiver ${spec.id}`), ctx.timeoutMs);
};
