import { describe, expect, it } from 'vitest';
import { estateServicesUp, expectedEstate, runEstate } from './auto-estate/estate.ts';

const up = await estateServicesUp();

describe.skipIf(!up)('an estate on official auto-instrumentation, without a root span (every call its own trace)', () => {
  // Zero-code instrumentation of a script gives every call its own trace: the read and the write of one
  // run only become one flow with the run-boundary rule of the pairing work (issue 9 item 3, issue 14
  // item 7). Until that lands this assertion fails — `it.fails` keeps the suite green and turns red the
  // day it passes: then change `it.fails` to `it`. The assertion is the same as with a root span.
  it.fails(
    'yields exactly the same flows and findings as with a root span',
    async () => {
      const got = await runEstate(false);
      expect({ edges: got.edges, findings: got.findings }).toEqual(expectedEstate(got.shadowPort));
    },
    180_000,
  );
});
