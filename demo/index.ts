export { startDemo } from './start-demo.ts';
export type { DemoOptions, DemoEstate, InProcessDemo } from './start-demo.ts';
export { startDemoWorker } from './worker/start-demo-worker.ts';
export { faultKinds, parseFaultList, faultSelection, FaultSwitches } from './faults/fault-switches.ts';
export type { FaultKind, FaultSelection } from './faults/fault-switches.ts';
export { faultSignatures } from './faults/expected-findings.ts';
export type { FaultSignature } from './faults/expected-findings.ts';
export { demoCatalogPath, renderCatalog, readDemoCatalog } from './catalog/render-catalog.ts';
export { demoSystems } from './estate/systems.ts';
