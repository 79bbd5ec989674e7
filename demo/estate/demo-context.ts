import type { InProcessBroker } from '../broker/in-process-broker.ts';
import type { FaultSwitches } from '../faults/fault-switches.ts';
import type { IntegrationRuntime } from '../telemetry/integration-runtime.ts';
import type { DemoRecord } from './record-store.ts';
import type { Scheduler } from './scheduler.ts';
import type { DemoStores } from './systems.ts';

/** What the demo's integrations and activity share: the systems' records, runtimes, broker, clock pace and faults. */
export interface DemoContext {
  stores: DemoStores;
  broker: InProcessBroker;
  scheduler: Scheduler;
  faults: FaultSwitches;
  /** The integration runtime with this `service.name` (one TracerProvider each, created once). */
  runtime(serviceName: string): IntegrationRuntime;
  /** A period written at the `npm start` pace, scaled to the demo's time scale. */
  every(ms: number): number;
}

/** A record as another system receives it: same id and fields, without the sender's change sequence. */
export function copyOf(record: DemoRecord | Record<string, unknown>): Record<string, unknown> {
  const { seq: _seq, ...fields } = record as Record<string, unknown>;
  return fields;
}

/** The n-th customer of the seeded CRM, cycling: activity spreads over existing customers. */
export function customerId(n: number, customers: number): string {
  return `CUS-${String((n % customers) + 1).padStart(6, '0')}`;
}
