import { copyOf, type DemoContext } from '../estate/demo-context.ts';
import type { DemoRecord } from '../estate/record-store.ts';
import type { DemoSystemId } from '../estate/systems.ts';
import type { IntegrationRuntime } from '../telemetry/integration-runtime.ts';
import { hostOf } from './hosts.ts';

export interface SyncSpec {
  flow: string;
  /** Period at the `npm start` pace (the catalog's schedule). */
  everyMs: number;
  source: { system: DemoSystemId; records: string };
  target: { system: DemoSystemId; records: string };
  domain: string;
  /** The sync is not run while this answers true (the stale-flow fault). */
  paused?: () => boolean;
  /** Restarts the stopped schedule (what the runtime's run endpoint does after a manual run). */
  resume?: () => void;
}

export interface BatchSync {
  flow: string;
  /** Runs the sync once now (the runtime's run endpoint) and restarts its schedule if it had stopped. */
  runNow(): Promise<void>;
  /** The next run copies every record again, not only the changed ones (a repair). */
  resyncAll(): void;
}

/**
 * A scheduled batch sync: read what changed in the source since the last run, upsert it into the
 * target in one bulk call. Each run is one trace with `integration.records` on both hops.
 */
export function scheduleSync(ctx: DemoContext, runtime: IntegrationRuntime, spec: SyncSpec): BatchSync {
  const source = hostOf(spec.source.system);
  const target = hostOf(spec.target.system);
  // The seeded replicas start in step with their source.
  let watermark = ctx.stores[spec.source.system].collection(spec.source.records).lastSeq();
  let ran = false;
  // Repairs asked for, and the last one a finished run carried out: a repair asked for while a run is
  // under way is the next run's (that run's end moves the watermark, which must not swallow it), and a
  // failed run leaves it asked.
  let resyncAsked = 0;
  let resyncDone = 0;
  const run = () =>
    runtime.run(spec.flow, async (step) => {
      const asked = resyncAsked;
      const since = asked > resyncDone ? 0 : watermark;
      const page = await step.http<{ items: DemoRecord[]; lastSeq: number }>({
        host: source,
        method: 'GET',
        path: `/${spec.source.records}?since=${since}&limit=5000`,
        domain: spec.domain,
        operation: 'read',
      });
      await step.http({
        host: target,
        method: 'PUT',
        path: `/${spec.target.records}`,
        domain: spec.domain,
        operation: 'upsert',
        records: page.items.length,
        body: { items: page.items.map(copyOf) },
      });
      watermark = page.lastSeq;
      resyncDone = Math.max(resyncDone, asked);
      ran = true;
    });
  ctx.scheduler.add({
    name: spec.flow,
    everyMs: ctx.every(spec.everyMs),
    // A sync that stops has run before: pausing only after the first run keeps it "stale", not "never seen".
    paused: spec.paused ? () => ran && spec.paused!() : undefined,
    run,
  });
  return {
    flow: spec.flow,
    resyncAll: () => void resyncAsked++,
    runNow: async () => {
      spec.resume?.();
      await run();
    },
  };
}

export interface BatchSyncs {
  customersToBilling: BatchSync;
  /** Every scheduled sync of the batch-sync-jobs runtime, by flow id (its run endpoint serves these). */
  all: Map<string, BatchSync>;
}

/** The estate's scheduled syncs, plus the ERP's own price changes that give the product syncs work. */
export function installBatchSyncs(ctx: DemoContext): BatchSyncs {
  const jobs = ctx.runtime('batch-sync-jobs');
  const customersToBilling = scheduleSync(ctx, jobs, {
    flow: 'crm-billing-customer-sync',
    everyMs: 10_000,
    domain: 'customer',
    source: { system: 'crm', records: 'customers' },
    target: { system: 'billing', records: 'customers' },
  });
  const cpq = scheduleSync(ctx, jobs, {
    flow: 'erp-cpq-product-sync',
    everyMs: 10_000,
    domain: 'product',
    source: { system: 'erp', records: 'products' },
    target: { system: 'cpq', records: 'products' },
    paused: () => ctx.faults.isOn('stale-flow'),
    resume: () => ctx.faults.set('stale-flow', false),
  });
  const shop = scheduleSync(ctx, jobs, {
    flow: 'erp-shop-product-sync',
    everyMs: 10_000,
    domain: 'product',
    source: { system: 'erp', records: 'products' },
    target: { system: 'shop', records: 'products' },
  });
  const invoices = scheduleSync(ctx, jobs, {
    flow: 'billing-erp-invoice-sync',
    everyMs: 15_000,
    domain: 'invoice',
    source: { system: 'billing', records: 'invoices' },
    target: { system: 'erp', records: 'invoices' },
  });

  let n = 0;
  ctx.scheduler.add({
    name: 'erp-price-changes',
    everyMs: ctx.every(5000),
    run: async () => {
      const products = ctx.stores.erp.collection('products');
      const id = `PRD-${String((n++ % products.count()) + 1).padStart(6, '0')}`;
      const current = products.get(id);
      if (current) products.patch(id, { price: Number(current.price) + 5 });
    },
  });
  return { customersToBilling, all: new Map([customersToBilling, cpq, shop, invoices].map((s) => [s.flow, s])) };
}
