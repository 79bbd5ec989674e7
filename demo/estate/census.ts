import type { FaultKind } from '../faults/fault-switches.ts';
import { demoSystems, shadowSystem } from './systems.ts';

/**
 * What the demo runs, named the way Weft counts systems. The catalog documents more systems than the
 * demo runs as applications (the data lake, the warehouse and the two topics have no server of their
 * own), and one host the demo serves is in no catalog on purpose. Counting the servers as "systems"
 * made the start log say 9 where the banner said 13 and the UI 14.
 */
export interface DemoCensus {
  /** Ids of the catalog's systems the demo runs as applications (an HTTP service on a loopback port each). */
  applications: string[];
  /** Hosts the demo serves that its catalog does not document, and the fault whose job calls each: an unknown system (seen only in traffic) once that job has run. */
  unknownHosts: Array<{ host: string; fault: FaultKind }>;
}

/** The demo estate's census (the same whatever its faults; which unknown hosts are called depends on them). */
export const demoCensus: DemoCensus = {
  applications: demoSystems.map((s) => s.id),
  unknownHosts: [{ host: shadowSystem.host, fault: 'shadow-it' }],
};

/** The unknown hosts the given faults call (what the UI will count as unknown systems once their jobs have run). */
export function unknownHostsOf(census: DemoCensus, faults: readonly FaultKind[]): DemoCensus['unknownHosts'] {
  return census.unknownHosts.filter((u) => faults.includes(u.fault));
}
