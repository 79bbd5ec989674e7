import { describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../../core/config/index.ts';
import type { RunningWeft } from '../../runtime/start-weft.ts';
import { demoCensus } from '../../demo/index.ts';
import { startBanner } from './start-banner.ts';

describe('startBanner', () => {
  it('tells where the UI, the API and OTLP listen and how to audit, without the demo', () => {
    const config = buildConfig(parseArgs(['--catalog', 'estate.yaml']), {}, '/srv');
    const weft = { config, api: { url: 'http://127.0.0.1:3000' }, collector: { url: 'http://127.0.0.1:4318' } } as unknown as RunningWeft;
    const text = startBanner(weft);
    expect(text).toContain('Weft is running (embedded store in /srv/.weft/data).');
    expect(text).toContain('UI and API   http://127.0.0.1:3000');
    expect(text).toContain('OTLP/HTTP    http://127.0.0.1:4318');
    expect(text).toContain('catalog      /srv/estate.yaml');
    expect(text).toContain('npm run weft -- audit --url http://127.0.0.1:3000');
  });

  it('says when no catalog is loaded', () => {
    const weft = { config: buildConfig(parseArgs([]), {}, '/srv') } as unknown as RunningWeft;
    expect(startBanner(weft)).toContain('catalog      none: everything observed is undocumented (pass --catalog FILE)');
  });

  // Regression: the banner counted the demo's servers (10, with the shadow-IT host) where the inventory counts catalog systems.
  // Regression: then it said "13 systems" where the start log said "systems: 9" (the demo's applications) and the UI 14
  // (with the shadow-IT host, an unknown system): each count now names what it counts.
  it("counts the demo's systems as the UI does: documented (of which the demo's applications) and unknown", () => {
    const config = buildConfig(parseArgs(['--demo']), {}, '/srv');
    const documented = [...demoCensus.applications, 'lake', 'warehouse', 'topic-a', 'topic-b'].map((id) => ({ id }));
    const weft = (faults: string[]) =>
      ({
        config,
        demo: { activeFaults: () => faults, systems: { a: 'x', b: 'x', c: 'x' }, catalogFile: '/srv/demo.yaml' },
        analyzer: { catalog: () => ({ systems: documented }) },
      }) as unknown as RunningWeft;
    const text = startBanner(weft(['shadow-it', 'stale-flow']));
    expect(text).toContain(`demo estate  13 documented systems (its catalog's; ${demoCensus.applications.length} of them are the demo's applications)`);
    expect(text).toContain("+ 1 unknown system, seen only in traffic once its fault's job runs: contacts.growthhub.example (shadow-it)");
    expect(text).toContain('faults       shadow-it, stale-flow');
    expect(text).not.toMatch(/\b\d+ systems\b/);
    // Without the shadow-IT fault nothing outside the catalog shows.
    const clean = startBanner(weft([]));
    expect(clean).not.toContain('unknown system');
    expect(clean).toContain('faults       none (clean)');
  });
});
