import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { weftApi } from './weft-api.ts';

describe('a running Weft asked with --url', () => {
  it('regression: a --url that is no Weft address is said to be one, not reported as a Weft that does not answer', async () => {
    for (const url of ['localhost:3000', 'ftp://127.0.0.1:3000', 'http://:::3000', '127.0.0.1']) {
      await expect(weftApi(url, undefined, 'an admin token').json('/api/v1/health'), url).rejects.toThrow(
        `--url must be Weft's address, like http://127.0.0.1:3000, got "${url}".`,
      );
    }
  });

  it('says a well-formed address where nothing listens does not answer', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    await expect(weftApi(`http://127.0.0.1:${port}`, undefined, 'an admin token').json('/api/v1/health')).rejects.toThrow(
      `Weft is not answering at http://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}): is "weft start" running there? If it runs elsewhere, pass --url with the address it printed as "UI and API".`,
    );
  });
});
