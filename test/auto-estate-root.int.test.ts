import { describe, expect, it } from 'vitest';
import { estateServicesUp, expectedEstate, runEstate } from './auto-estate/estate.ts';

const up = await estateServicesUp();

describe.skipIf(!up)('an estate on official auto-instrumentation, each run inside a root span', () => {
  it('yields exactly its flows and the planted shadow copy, and no other finding', async () => {
    const got = await runEstate(true);
    expect({ edges: got.edges, findings: got.findings }).toEqual(expectedEstate(got.shadowPort));
  }, 180_000);
});
