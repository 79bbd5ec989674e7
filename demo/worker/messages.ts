import type { FaultKind, FaultSelection } from '../faults/fault-switches.ts';
import type { SeedSizes } from '../estate/systems.ts';

/** What the demo worker is started with (structured-clone safe). */
export interface DemoWorkerData {
  otlpUrl: string;
  otlpToken?: string;
  lineageUrl?: string;
  workDir: string;
  faults: FaultSelection;
  timeScale: number;
  propagation?: boolean;
  seed?: SeedSizes;
  logLevel: string;
}

export type ToWorker =
  { type: 'set-fault'; kind: FaultKind; on: boolean } | { type: 'lineage-url'; url: string } | { type: 'flush'; id: number } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; catalogFile: string; systems: Record<string, string>; faults: FaultKind[] }
  | { type: 'flushed'; id: number }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };
