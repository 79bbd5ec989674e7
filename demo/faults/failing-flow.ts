import type { FaultSwitches } from './fault-switches.ts';

/**
 * The failing-flow fault: a release of the support-case enricher sends a case's entitlements to the
 * support desk as a bare JSON array; the desk answers every one 400 ("The body must be one JSON
 * object"), so entitlements-support-context fails on each run while the other enrichments of the case
 * (customer, orders) still succeed — one flow failing, its systems answering. Returns the body to send.
 */
export function entitlementsPayload(faults: FaultSwitches, body: Record<string, unknown>): unknown {
  return faults.isOn('failing-flow') ? [body] : body;
}

/** The demo job the failing-flow fault makes fail on every run (demo/integrations/case-to-resolution.ts). */
export const FAILING_FLOW_JOB = 'case-to-resolution';

/**
 * Whether a demo job's failure is the one the failing-flow fault injects (the support desk's 400 to the enricher), so
 * that the demo says it as planned rather than as an error of its own. `message`: the job's error message.
 */
export function isPlannedFailure(faults: FaultSwitches, job: string, message: string): boolean {
  return faults.isOn('failing-flow') && job === FAILING_FLOW_JOB && message.includes('answered 400');
}
