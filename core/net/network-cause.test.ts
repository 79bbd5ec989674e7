import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { networkCause } from './network-cause.ts';

describe('networkCause', () => {
  // Regression: a receiver that refused connections was recorded as "fetch failed", without why.
  it("finds the refusal under fetch's own error", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe('fetch failed');
    expect(networkCause(err)).toBe('ECONNREFUSED');
    expect(networkCause(new Error('other'))).toBeUndefined();
  });
});
