import type { FindingKind } from '../../core/contracts/index.ts';
import type { FaultKind } from './fault-switches.ts';

/** What Weft should report for a fault: the finding kind, the subject ids it must name, and every id the fault touches. */
export interface FaultSignature {
  fault: FaultKind;
  /** The finding that proves the fault was found. */
  finding: FindingKind;
  /** Ids the finding's subject must contain (systems, flows, domains; unknown systems by host name). */
  subject: { systems?: string[]; flows?: string[]; domains?: string[] };
  /** Every id this fault involves: any other finding naming only these is a consequence of the same fault. */
  involves: string[];
  description: string;
}

export const faultSignatures: Record<FaultKind, FaultSignature> = {
  'shadow-it': {
    fault: 'shadow-it',
    finding: 'unknown-system',
    subject: { systems: ['contacts.growthhub.example'] },
    involves: ['contacts.growthhub.example', 'crm', 'customer', 'growth-contacts-export'],
    description: 'A marketing script (service growth-contacts-export) copies CRM customers to contacts.growthhub.example, a host no catalog entry knows.',
  },
  'replica-drift': {
    fault: 'replica-drift',
    finding: 'record-count-drift',
    subject: { systems: ['billing'], domains: ['customer'] },
    involves: ['billing', 'crm', 'customer', 'billing-customers', 'crm-customers'],
    description: 'The billing platform silently loses about 1% of its customer records; the customer sync only moves changes, so they stay lost.',
  },
  'latency-regression': {
    fault: 'latency-regression',
    finding: 'latency-slo-breach',
    subject: { flows: ['erp-wms-pick-task'] },
    involves: ['erp-wms-pick-task', 'erp', 'wms', 'order', 'fulfillment-orchestrator'],
    description: 'The WMS answers task creation 1.2 s late, breaking the realtime class of erp-wms-pick-task.',
  },
  'stale-flow': {
    fault: 'stale-flow',
    finding: 'stale-flow',
    subject: { flows: ['erp-cpq-product-sync'] },
    involves: ['erp-cpq-product-sync', 'erp', 'cpq', 'product'],
    description: 'The scheduled ERP → CPQ product sync silently stops running.',
  },
  'deprecated-flow': {
    fault: 'deprecated-flow',
    finding: 'deprecated-in-use',
    subject: { flows: ['cpq-erp-quote-export'] },
    involves: ['cpq-erp-quote-export', 'cpq', 'erp', 'quote', 'legacy-quote-export'],
    description: 'The deprecated legacy quote export (cpq-erp-quote-export) is still running.',
  },
  'sor-violation': {
    fault: 'sor-violation',
    finding: 'sor-violation',
    subject: { systems: ['erp', 'crm'], domains: ['customer'] },
    involves: ['erp', 'crm', 'customer', 'erp-customer-writeback'],
    description: 'An ERP job (service erp-customer-writeback) writes customers into the CRM, their system of record.',
  },
};
