import { demoSystems, shadowSystem, type DemoSystemId } from '../estate/systems.ts';

const byId = new Map<string, string>(demoSystems.map((s) => [s.id, s.host]));

/** The host name integrations use for a demo system (crm → crm.demo.local). */
export function hostOf(id: DemoSystemId): string {
  return byId.get(id)!;
}

export const SHADOW_HOST = shadowSystem.host;

export const TOPIC_WEB_ORDERS = 'orders.web';
export const TOPIC_SHIPMENT_STATUS = 'shipments.status';
