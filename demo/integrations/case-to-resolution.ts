import { customerId, type DemoContext } from '../estate/demo-context.ts';
import { entitlementsPayload, FAILING_FLOW_JOB } from '../faults/failing-flow.ts';
import { hostOf } from './hosts.ts';

const CRM = hostOf('crm');
const ERP = hostOf('erp');
const ENTITLEMENTS = hostOf('entitlements');
const SUPPORT = hostOf('support');

/**
 * Case-to-resolution: a support case opens; the enricher pulls the customer from the CRM, their
 * orders from the ERP and their entitlements, and attaches each to the case.
 */
export function installCaseToResolution(ctx: DemoContext, customers: number): void {
  const enricher = ctx.runtime('support-case-enricher');
  let n = 0;
  ctx.scheduler.add({
    name: FAILING_FLOW_JOB,
    everyMs: ctx.every(4000),
    run: async () => {
      n++;
      const customer = customerId(n * 13, customers);
      const supportCase = ctx.stores.support.collection('cases').create({ customer, subject: `Question ${n}`, status: 'open' });
      const attach = (kind: string, domain: string, records: number, body: Record<string, unknown>) => ({
        host: SUPPORT,
        method: 'POST' as const,
        path: '/case-context',
        domain,
        operation: 'create' as const,
        records,
        body: { case: supportCase.id, kind, ...body },
      });
      await enricher.run('crm-support-customer-context', async (step) => {
        const record = await step.http({ host: CRM, method: 'GET', path: `/customers/${customer}`, domain: 'customer', operation: 'read' });
        await step.http(attach('customer', 'customer', 1, { name: record.name, email: record.email }));
      });
      await enricher.run('erp-support-order-context', async (step) => {
        const orders = await step.http<{ items: Array<{ id: string; invoice?: string }> }>({
          host: ERP,
          method: 'GET',
          path: `/sales-orders?customer=${customer}&limit=20`,
          domain: 'order',
          operation: 'read',
        });
        await step.http(attach('orders', 'order', orders.items.length, { orders: orders.items.map((o) => ({ id: o.id, invoice: o.invoice })) }));
      });
      await enricher.run('entitlements-support-context', async (step) => {
        const found = await step.http<{ items: Array<{ id: string; level?: string }> }>({
          host: ENTITLEMENTS,
          method: 'GET',
          path: `/entitlements?customer=${customer}`,
          domain: 'entitlement',
          operation: 'read',
        });
        const hop = attach('entitlements', 'entitlement', found.items.length, { entitlements: found.items.map((e) => ({ id: e.id, level: e.level })) });
        await step.http({ ...hop, body: entitlementsPayload(ctx.faults, hop.body) });
      });
      ctx.stores.support.collection('cases').patch(supportCase.id, { status: 'resolved' });
    },
  });
}
