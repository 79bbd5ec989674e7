import { describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../../core/config/index.ts';
import type { RunningWeft } from '../../runtime/start-weft.ts';
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
  it("counts the demo's systems as its catalog does", () => {
    const config = buildConfig(parseArgs(['--demo']), {}, '/srv');
    const weft = {
      config,
      demo: { activeFaults: () => ['shadow-it'], systems: { a: 'x', b: 'x', c: 'x' }, catalogFile: '/srv/demo.yaml' },
      analyzer: { catalog: () => ({ systems: [{ id: 'a' }, { id: 'b' }] }) },
    } as unknown as RunningWeft;
    expect(startBanner(weft)).toContain('demo estate  2 systems in its catalog; faults: shadow-it');
  });
});
