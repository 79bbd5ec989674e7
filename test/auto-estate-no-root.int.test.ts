import { describe, expect, it } from 'vitest';
import { estateServicesUp, expectedEstate, runEstate } from './auto-estate/estate.ts';

const up = await estateServicesUp();

describe.skipIf(!up)('an estate on official auto-instrumentation, without a root span (every call its own trace)', () => {
  // Zero-code instrumentation of a script gives every call its own trace: the read and the write of one
  // run become one flow by the run-boundary rule (analyzer/README.md, "Run boundaries": one service
  // instance — service.instance.id, or host.id + process.pid — close in time). Same assertion as with a root span.
  it('yields exactly the same flows and findings as with a root span', async () => {
    const got = await runEstate(false);
    expect({ edges: got.edges, findings: got.findings }).toEqual(expectedEstate(got.shadowPort));
  }, 180_000);
});
