import type { DemoStores } from '../estate/systems.ts';
import type { BatchSync } from '../integrations/batch-syncs.ts';
import type { FaultSwitches } from './fault-switches.ts';

/** Every hundredth customer (by id number) is one the defective replica loses: about 1%. */
export function lostByDefect(id: string): boolean {
  return Number(id.replace(/\D/g, '')) % 100 === 99;
}

/**
 * The replica-drift fault: while on, the billing platform silently loses about 1% of its customer
 * records, and keeps losing them when the sync writes them again (the write still answers 200, no
 * trace shows it; only counting the systems does). Switched off, the customer sync copies every
 * customer again, which repairs the replica.
 */
export function installReplicaLoss(stores: DemoStores, faults: FaultSwitches, sync: BatchSync): void {
  const customers = stores.billing.collection('customers');
  const apply = (on: boolean) => customers.loseRecords(on ? (id) => !lostByDefect(id) : undefined);
  faults.onChange((kind, on) => {
    if (kind !== 'replica-drift') return;
    apply(on);
    if (!on) sync.resyncAll();
  });
  apply(faults.isOn('replica-drift'));
}
