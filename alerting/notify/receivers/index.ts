import type { ReceiverType } from '../../../core/catalog/index.ts';
import { alertmanagerReceiver } from './alertmanager.ts';
import { emailReceiver } from './email.ts';
import type { ReceiverKind } from './receiver-kind.ts';
import { slackReceiver } from './slack.ts';
import { webhookReceiver } from './webhook.ts';

/** Every receiver type: adding one adds an entry (and its defaults in route.ts). */
export const receiverKinds: Record<ReceiverType, ReceiverKind> = {
  alertmanager: alertmanagerReceiver,
  webhook: webhookReceiver,
  slack: slackReceiver,
  email: emailReceiver,
};
export type { ReceiverKind, SendContext, SendResult } from './receiver-kind.ts';
