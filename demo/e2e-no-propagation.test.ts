import { afterEach, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft, type RunningWeft } from '../runtime/start-weft.ts';
import { Cleanups, expectExactlyFaults, TIME_SCALE, weftArgs } from './e2e/modes.ts';
import { faultKinds } from './faults/fault-switches.ts';
import { seedWeftStore } from '../test/migrated-store.ts';

/**
 * The demo estate without context propagation (`--no-propagation`: every call its own trace), every
 * fault on: the findings must be exactly the injected faults, nothing else (demo/e2e/modes.ts).
 */
const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('demo estate end to end, as telemetry really arrives', () => {
  it('without context propagation (every call its own trace): exactly the injected faults', async () => {
    const dir = cleanups.tempDir('nop');
    const config = buildConfig(
      parseArgs([
        '--demo',
        '--faults',
        '--no-propagation',
        '--demo-time-scale',
        TIME_SCALE,
        '--port',
        '0',
        '--otlp-port',
        '0',
        '--window',
        '30s',
        ...weftArgs(dir, []),
      ]),
      {},
      dir,
    );
    // A store already migrated: what this file looks at is the findings, not a first start (test/migrated-store.ts).
    await seedWeftStore(config);
    const started = Date.now();
    const weft: RunningWeft = await startWeft(config, silentLogger());
    cleanups.push(() => weft.stop());
    expect(weft.demo && weft.api).toBeTruthy();
    await expectExactlyFaults(weft.api!.url, [...faultKinds], 150_000, started);
    // The documented flows were rebuilt from pieces: no half-flows through an integration node.
    const graph = (await (await fetch(`${weft.api!.url}/api/v1/graph?since=30s`)).json()) as {
      edges: Array<{ source: string; target: string; observed: boolean }>;
    };
    expect(graph.edges.filter((e) => e.observed && (e.source.startsWith('integration:') || e.target.startsWith('integration:')))).toEqual([]);
  }, 200_000);
});
