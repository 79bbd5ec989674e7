import { copyOf, type DemoContext } from '../estate/demo-context.ts';
import { hostOf } from './hosts.ts';

const CRM = hostOf('crm');
const ERP = hostOf('erp');
const CPQ = hostOf('cpq');
const BILLING = hostOf('billing');

/**
 * Lead-to-cash: a lead converts in the CRM; the orchestrator creates the ERP account and hands the
 * opportunity to CPQ; the won quote goes to billing, which raises the invoice.
 */
export function installLeadToCash(ctx: DemoContext): void {
  const l2c = ctx.runtime('l2c-orchestrator');
  let n = 0;
  ctx.scheduler.add({
    name: 'lead-to-cash',
    everyMs: ctx.every(3000),
    run: async () => {
      n++;
      const crm = ctx.stores.crm;
      const lead = crm.collection('leads').create({ company: `Prospect ${n}`, status: 'new' });
      const customer = crm.collection('customers').create({ name: `Prospect ${n}`, segment: 'smb', email: `contact${n}@prospect.example`, lead: lead.id });
      crm.collection('leads').patch(lead.id, { status: 'converted', customer: customer.id });
      const opportunity = crm.collection('opportunities').create({ customer: customer.id, amount: 1000 + (n % 40) * 250, stage: 'proposal' });

      await l2c.run('crm-erp-account-create', async (step) => {
        const record = await step.http({ host: CRM, method: 'GET', path: `/customers/${customer.id}`, domain: 'customer', operation: 'read' });
        await step.http({ host: ERP, method: 'POST', path: '/customers', body: copyOf(record), domain: 'customer', operation: 'create' });
      });
      await l2c.run('crm-cpq-opportunity-sync', async (step) => {
        const record = await step.http({ host: CRM, method: 'GET', path: `/opportunities/${opportunity.id}`, domain: 'opportunity', operation: 'read' });
        await step.http({
          host: CPQ,
          method: 'PUT',
          path: `/opportunities/${opportunity.id}`,
          body: copyOf(record),
          domain: 'opportunity',
          operation: 'upsert',
        });
      });

      // Sales configures the quote in CPQ and the deal closes.
      const quote = ctx.stores.cpq
        .collection('quotes')
        .create({ opportunity: opportunity.id, customer: customer.id, amount: opportunity.amount, status: 'won' });
      await l2c.run('cpq-billing-quote-handover', async (step) => {
        const record = await step.http({ host: CPQ, method: 'GET', path: `/quotes/${quote.id}`, domain: 'quote', operation: 'read' });
        await step.http({ host: BILLING, method: 'PUT', path: `/quotes/${quote.id}`, body: copyOf(record), domain: 'quote', operation: 'upsert' });
      });
      ctx.stores.billing.collection('invoices').create({ quote: quote.id, customer: customer.id, amount: quote.amount, status: 'open' });
    },
  });
}
