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
