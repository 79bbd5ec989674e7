import type { FaultSwitches } from './fault-switches.ts';

/** The latency-regression fault: the WMS takes this long to accept a pick task. */
export const LATENCY_REGRESSION_MS = 2500;

export function wmsDelay(faults: FaultSwitches): (method: string, collection: string) => number {
  return (method, collection) => (faults.isOn('latency-regression') && method === 'POST' && collection === 'tasks' ? LATENCY_REGRESSION_MS : 0);
}
