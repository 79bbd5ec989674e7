import type { DemoContext } from '../estate/demo-context.ts';
import { customerId } from '../estate/demo-context.ts';
import { hostOf, TOPIC_SHIPMENT_STATUS, TOPIC_WEB_ORDERS } from './hosts.ts';

const SHOP = hostOf('shop');
const ERP = hostOf('erp');
const WMS = hostOf('wms');
const TPL = hostOf('tpl');
const CRM = hostOf('crm');

/**
 * Order-to-fulfillment: a web order is published to the event bus; the ERP takes it in, the
 * fulfillment orchestrator sends a pick-and-pack task to the WMS and the shipment instruction to
 * the 3PL, whose status updates travel back over the bus into the CRM.
 */
export function installOrderToFulfillment(ctx: DemoContext, customers: number): void {
  const shopEvents = ctx.runtime('shop-order-events');
  const intake = ctx.runtime('erp-order-intake');
  const fulfillment = ctx.runtime('fulfillment-orchestrator');
  const tplEvents = ctx.runtime('tpl-status-events');
  const crmConsumer = ctx.runtime('crm-status-consumer');

  ctx.broker.subscribe(TOPIC_WEB_ORDERS, async (message) => {
    const order = message.payload;
    // The ERP's intake ends once the sales order exists; fulfillment runs in its own traces.
    const salesOrder = await intake.consume('erp-web-order-intake', message, 'order', (step) =>
      step.http<{ id: string }>({
        host: ERP,
        method: 'POST',
        path: '/sales-orders',
        domain: 'order',
        operation: 'create',
        body: {
          webOrder: order.id,
          customer: order.customer,
          product: order.product,
          quantity: order.quantity,
          invoice: `INV-W${String(order.id).slice(4)}`,
          status: 'released',
        },
      }),
    );
    const task = await fulfillment.run('erp-wms-pick-task', async (s) => {
      const so = await s.http({ host: ERP, method: 'GET', path: `/sales-orders/${salesOrder.id}`, domain: 'order', operation: 'read' });
      return s.http<{ id: string }>({
        host: WMS,
        method: 'POST',
        path: '/tasks',
        domain: 'order',
        operation: 'create',
        body: { salesOrder: so.id, product: so.product, quantity: so.quantity, status: 'packed' },
      });
    });
    const shipment = await fulfillment.run('wms-tpl-shipment', async (s) => {
      const t = await s.http({ host: WMS, method: 'GET', path: `/tasks/${task.id}`, domain: 'shipment', operation: 'read' });
      return s.http<{ id: string }>({
        host: TPL,
        method: 'POST',
        path: '/shipments',
        domain: 'shipment',
        operation: 'create',
        body: { task: t.id, salesOrder: t.salesOrder, status: 'booked' },
      });
    });
    ctx.stores.tpl.collection('shipments').patch(shipment.id, { status: 'in-transit' });
    await tplEvents.run('tpl-shipment-status-publish', async (s) => {
      const current = await s.http({ host: TPL, method: 'GET', path: `/shipments/${shipment.id}`, domain: 'shipment', operation: 'read' });
      s.publish({
        topic: TOPIC_SHIPMENT_STATUS,
        domain: 'shipment',
        payload: { shipment: current.id, salesOrder: current.salesOrder, status: current.status },
      });
    });
  });

  ctx.broker.subscribe(TOPIC_SHIPMENT_STATUS, (message) =>
    crmConsumer.consume('crm-shipment-status-update', message, 'shipment', async (step) => {
      const { salesOrder, shipment, status } = message.payload;
      await step.http({
        host: CRM,
        method: 'PUT',
        path: `/order-status/${String(salesOrder)}`,
        domain: 'shipment',
        operation: 'upsert',
        body: { shipment, status },
      });
    }),
  );

  let n = 0;
  ctx.scheduler.add({
    name: 'web-orders',
    everyMs: ctx.every(2000),
    run: async () => {
      n++;
      const order = ctx.stores.shop
        .collection('orders')
        .create({ customer: customerId(n * 7, customers), product: `PRD-${String((n % 20) + 1).padStart(6, '0')}`, quantity: 1 + (n % 3) });
      await shopEvents.run('shop-order-publish', async (step) => {
        const record = await step.http({ host: SHOP, method: 'GET', path: `/orders/${order.id}`, domain: 'order', operation: 'read' });
        step.publish({
          topic: TOPIC_WEB_ORDERS,
          domain: 'order',
          payload: { id: record.id, customer: record.customer, product: record.product, quantity: record.quantity },
        });
      });
    },
  });
}
