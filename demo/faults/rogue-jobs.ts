import { copyOf, type DemoContext } from '../estate/demo-context.ts';
import type { DemoRecord } from '../estate/record-store.ts';
import { hostOf, SHADOW_HOST } from '../integrations/hosts.ts';
import type { FaultKind } from './fault-switches.ts';

interface RogueJob {
  fault: FaultKind;
  service: string;
  flow?: string;
  from: { host: string; records: string };
  to: { host: string; records: string; method: 'PUT' | 'POST' };
  domain: string;
}

/**
 * Integrations that run only while their fault is on: each reads a page of records from one system
 * and writes it to another, instrumented like every other integration — which is how Weft sees them.
 */
const rogueJobs: RogueJob[] = [
  {
    // Shadow IT: a marketing script copying customers to a SaaS host nobody catalogued.
    fault: 'shadow-it',
    service: 'growth-contacts-export',
    domain: 'customer',
    from: { host: hostOf('crm'), records: 'customers' },
    to: { host: SHADOW_HOST, records: 'contacts', method: 'PUT' },
  },
  {
    // A deprecated flow that was never switched off.
    fault: 'deprecated-flow',
    service: 'legacy-quote-export',
    domain: 'quote',
    from: { host: hostOf('cpq'), records: 'quotes' },
    to: { host: hostOf('erp'), records: 'quotes', method: 'PUT' },
  },
  {
    // The ERP writing customers back into the CRM, their system of record.
    fault: 'sor-violation',
    service: 'erp-customer-writeback',
    domain: 'customer',
    from: { host: hostOf('erp'), records: 'customers' },
    to: { host: hostOf('crm'), records: 'customers', method: 'PUT' },
  },
];

export function installRogueJobs(ctx: DemoContext): void {
  for (const job of rogueJobs) {
    const runtime = ctx.runtime(job.service);
    let watermark = 0;
    ctx.scheduler.add({
      name: job.service,
      everyMs: ctx.every(10_000),
      paused: () => !ctx.faults.isOn(job.fault),
      run: () =>
        runtime.run(job.flow ?? job.service, async (step) => {
          const page = await step.http<{ items: DemoRecord[]; lastSeq: number }>({
            host: job.from.host,
            method: 'GET',
            path: `/${job.from.records}?since=${watermark}&limit=200`,
            domain: job.domain,
            operation: 'read',
          });
          await step.http({
            host: job.to.host,
            method: job.to.method,
            path: `/${job.to.records}`,
            domain: job.domain,
            operation: 'upsert',
            records: page.items.length,
            body: { items: page.items.map(copyOf) },
          });
          watermark = page.lastSeq;
        }),
    });
  }
}
