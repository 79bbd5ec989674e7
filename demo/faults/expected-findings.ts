import type { Finding, FindingKind } from '../../core/contracts/index.ts';
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
  /** What the finding's evidence must show; a sentence saying what is wrong, or null. */
  checkEvidence(evidence: Record<string, any>): string | null;
}

const expect = (ok: boolean, what: string) => (ok ? null : what);

export const faultSignatures: Record<FaultKind, FaultSignature> = {
  'shadow-it': {
    fault: 'shadow-it',
    finding: 'unknown-system',
    subject: { systems: ['contacts.growthhub.example'] },
    involves: ['contacts.growthhub.example', 'crm', 'customer', 'growth-contacts-export'],
    description: 'A marketing script (service growth-contacts-export) copies CRM customers to contacts.growthhub.example, a host no catalog entry knows.',
    checkEvidence: (e) =>
      expect(
        String(e.endpoint).includes('contacts.growthhub.example') && ((e.integrations as string[] | undefined) ?? []).includes('growth-contacts-export'),
        'evidence should name the endpoint contacts.growthhub.example and the integration growth-contacts-export',
      ),
  },
  'replica-drift': {
    fault: 'replica-drift',
    finding: 'record-count-drift',
    subject: { systems: ['billing'], domains: ['customer'] },
    involves: ['billing', 'crm', 'customer', 'billing-customers', 'crm-customers'],
    description: 'The billing platform silently loses about 1% of its customer records; the customer sync only moves changes, so they stay lost.',
    checkEvidence: (e) =>
      expect(
        e.replica === 'billing' && e.systemOfRecord === 'crm' && e.difference < 0 && Math.abs(e.difference as number) > e.tolerance,
        'evidence should show billing holding fewer customers than the CRM, by more than the tolerance',
      ),
  },
  'latency-regression': {
    fault: 'latency-regression',
    finding: 'latency-slo-breach',
    subject: { flows: ['erp-wms-pick-task'] },
    involves: ['erp-wms-pick-task', 'erp', 'wms', 'order', 'fulfillment-orchestrator'],
    description: 'The WMS answers task creation 2.5 s late, breaking the realtime class of erp-wms-pick-task.',
    checkEvidence: (e) => expect(e.p95Ms > e.thresholdP95Ms || e.p99Ms > e.thresholdP99Ms, 'evidence should show p95 or p99 above the class threshold'),
  },
  'stale-flow': {
    fault: 'stale-flow',
    finding: 'stale-flow',
    subject: { flows: ['erp-cpq-product-sync'] },
    involves: ['erp-cpq-product-sync', 'erp', 'cpq', 'product'],
    description: 'The scheduled ERP → CPQ product sync silently stops running.',
    checkEvidence: (e) =>
      expect(e.silentForMs > e.allowedMs && typeof e.lastSeen === 'string', 'evidence should show the flow silent for longer than allowed, with its last run'),
  },
  'deprecated-flow': {
    fault: 'deprecated-flow',
    finding: 'deprecated-in-use',
    subject: { flows: ['cpq-erp-quote-export'] },
    involves: ['cpq-erp-quote-export', 'cpq', 'erp', 'quote', 'legacy-quote-export'],
    description: 'The deprecated legacy quote export (cpq-erp-quote-export) is still running.',
    checkEvidence: (e) => expect(e.lifecycle === 'deprecated' && e.traces > 0, 'evidence should show the deprecated lifecycle and the traces still running'),
  },
  'sor-violation': {
    fault: 'sor-violation',
    finding: 'sor-violation',
    subject: { systems: ['erp', 'crm'], domains: ['customer'] },
    involves: ['erp', 'crm', 'customer', 'erp-customer-writeback'],
    description: 'An ERP job (service erp-customer-writeback) writes customers into the CRM, their system of record.',
    checkEvidence: (e) =>
      expect(
        e.writer === 'erp' && e.target === 'crm' && e.domain === 'customer' && e.systemOfRecord === 'crm',
        'evidence should show erp writing customer data into crm, the system of record',
      ),
  },
  'lossy-etl': {
    fault: 'lossy-etl',
    finding: 'hop-record-loss',
    subject: { systems: ['lake', 'warehouse'], flows: ['lake-warehouse-orders-load'], domains: ['order'] },
    involves: ['lake', 'warehouse', 'order', 'lake-warehouse-orders-load'],
    description:
      "The nightly ETL's load task (OpenLineage job demo-etl/nightly_orders.load) silently writes about 3% fewer sales orders into the warehouse than it read from the lake.",
    checkEvidence: (e) =>
      expect(
        (e.hop as { integration?: string } | undefined)?.integration === 'demo-etl/nightly_orders.load' &&
          e.lost > e.tolerance &&
          e.read > e.written &&
          ((e.runs as unknown[] | undefined) ?? []).length > 0,
        'evidence should name the load job, more rows read than written beyond the tolerance, and the lossy runs',
      ),
  },
  'failing-flow': {
    fault: 'failing-flow',
    finding: 'error-rate',
    subject: { flows: ['entitlements-support-context'] },
    involves: ['entitlements-support-context', 'entitlements', 'support', 'entitlement', 'support-case-enricher'],
    description: 'The support-case enricher sends entitlements the support desk rejects (HTTP 400): entitlements-support-context fails on every run.',
    checkEvidence: (e) =>
      expect(e.errorRate > e.threshold && e.traces > 0, 'evidence should show the flow failing more often than its class allows, with its traces'),
  },
};

const bare = (id: string) => id.replace(/^(unknown|integration):/, '');

/** Every id a finding names (unknown systems by their endpoint). */
export function findingIds(finding: Pick<Finding, 'subject'>): string[] {
  return [...finding.subject.systems, ...finding.subject.flows, ...finding.subject.domains].map(bare);
}

/** Whether the finding is the one this fault must produce: its kind, the subject ids, the evidence. */
export function provesFault(signature: FaultSignature, finding: Pick<Finding, 'kind' | 'subject' | 'evidence'>): boolean {
  if (finding.kind !== signature.finding) return false;
  const has = (list: string[], wanted: string[] = []) => wanted.every((w) => list.map(bare).includes(w));
  return (
    has(finding.subject.systems, signature.subject.systems) &&
    has(finding.subject.flows, signature.subject.flows) &&
    has(finding.subject.domains, signature.subject.domains)
  );
}

/** The fault a finding is a consequence of: one whose involved ids cover everything the finding names. */
export function explainedBy(finding: Pick<Finding, 'subject'>, faults: readonly FaultKind[]): FaultKind | undefined {
  const ids = findingIds(finding);
  return faults.find((f) => ids.every((id) => faultSignatures[f].involves.includes(id)));
}

/**
 * Whether Weft has reported a fault: a finding that proves it was opened (whatever its status now), or a
 * remediation ran for one of its flows. A fault that gets remediated (the stale product sync is re-run
 * by the demo's auto remediation) may have its finding resolved before anyone looks, so an open finding
 * alone is not the test. `findings` should include resolved ones; `remediatedFlows` are the flows of
 * the recorded remediation attempts.
 */
export function faultReported(
  signature: FaultSignature,
  findings: ReadonlyArray<Pick<Finding, 'kind' | 'subject' | 'evidence'>>,
  remediatedFlows: ReadonlySet<string>,
): boolean {
  return findings.some((f) => provesFault(signature, f)) || (signature.subject.flows ?? []).some((flow) => remediatedFlows.has(flow));
}
