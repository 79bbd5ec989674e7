import { webhookPayload } from '../payload.ts';
import { postJson, resolveHeaders, type ReceiverKind } from './receiver-kind.ts';

/** A webhook receiving Alertmanager's v4 payload, as every Alertmanager webhook integration expects. */
export const webhookReceiver: ReceiverKind = (spec, n, ctx) =>
  postJson(
    ctx.secrets.resolveUrl(spec.url!, `receiver ${spec.id} url`),
    webhookPayload(n, ctx.externalUrl),
    resolveHeaders(spec, ctx.secrets, `receiver ${spec.id}`),
    ctx.timeoutMs,
  );
