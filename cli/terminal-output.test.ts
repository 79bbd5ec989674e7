import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalText } from '../core/text/index.ts';

// Regression (break test): a span whose peer.service was "evil\u001b[2J\u001b]0;pwned\u0007sys" (any OTLP sender can
// write one) reached the operator's terminal as it was through `weft audit` and `weft alerts list`: the screen cleared
// and its title changed. Standard output writes such characters as \uXXXX, which keeps --json output the same JSON.
describe('what weft prints on standard output', () => {
  const evil = 'evil\u001b[2J\u001b]0;pwned\u0007sys\u202e\u009b';
  const alert = {
    fingerprint: '0123456789abcdef',
    rule: 'flow-error-rate',
    state: 'firing',
    severity: 'high',
    labels: { flow: evil },
    annotations: { summary: `error rate of ${evil}` },
    firedAt: '2026-12-02T12:00:00.000Z',
    activeSince: '2026-12-02T12:00:00.000Z',
    acknowledgedBy: null,
    silencedBy: [],
    inhibitedBy: null,
  };

  const run = async (...argv: string[]) => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ alerts: [alert] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const weft = join(import.meta.dirname, '..', 'bin', 'weft.mjs');
      return await new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, [weft, 'alerts', 'list', '--url', url, ...argv], { timeout: 30_000, env: { ...process.env, WEFT_TOKEN: '' } }, (err, out) =>
          resolve({ code: err ? Number((err as { code?: number }).code) : 0, out }),
        ),
      );
    } finally {
      server.close();
    }
  };

  it('holds no terminal control or bidi character, in a table', async () => {
    const { code, out } = await run();
    expect(code).toBe(0);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(out).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007sys\\u202e\\u009b');
  }, 40_000);

  it('and as --json, JSON that reads back as what was sent', async () => {
    const { code, out } = await run('--json');
    expect(code).toBe(0);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect((JSON.parse(out) as Array<typeof alert>)[0].labels.flow).toBe(evil);
  }, 40_000);

  it('leaves tabs, newlines and other text alone', () => {
    expect(terminalText('a\tb\nc → é 😀')).toBe('a\tb\nc → é 😀');
  });
});
