import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, reusedConnection } from './reused-connection.ts';

interface Fake {
  id: number;
  closed: boolean;
}

/** Connections that open when `finish()` is called, and a record of every one opened. */
function fakes() {
  const opened: Fake[] = [];
  const pending: Array<() => void> = [];
  const open = () =>
    new Promise<Fake>((resolve) => {
      pending.push(() => {
        const c = { id: opened.length + 1, closed: false };
        opened.push(c);
        resolve(c);
      });
    });
  // Lets the opens asked for so far start (an open is called on a later tick), then completes them.
  const finish = async () => {
    await new Promise((r) => setImmediate(r));
    for (const f of pending.splice(0)) f();
    await new Promise((r) => setImmediate(r));
  };
  return { opened, open, finish };
}

describe('reusedConnection', () => {
  it('opens once for callers that overlap, and reuses the connection after', async () => {
    const f = fakes();
    const conn = reusedConnection<Fake>({ close: async (c) => void (c.closed = true) });
    const both = Promise.all([conn.get(f.open), conn.get(f.open)]);
    await f.finish();
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(await conn.get(f.open)).toBe(a);
    expect(f.opened).toHaveLength(1);
  });

  it('closes a connection that completes after close(), whose get() then rejects; close() waits for it', async () => {
    const f = fakes();
    const conn = reusedConnection<Fake>({ close: async (c) => void (c.closed = true) });
    const got = conn.get(f.open);
    let closed = false;
    const closing = conn.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    await f.finish();
    await closing;
    await expect(got).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(f.opened.map((c) => c.closed)).toEqual([true]);
    // The next use opens a new one.
    const next = conn.get(f.open);
    await f.finish();
    expect((await next).id).toBe(2);
  });

  it('forgets a connection whose close rejects, and replaces one that is no longer usable', async () => {
    const f = fakes();
    const conn = reusedConnection<Fake>({
      close: async (c) => {
        c.closed = true;
        throw new Error('already closed');
      },
      usable: (c) => !c.closed,
    });
    const first = conn.get(f.open);
    await f.finish();
    await first;
    await conn.close();
    const second = conn.get(f.open);
    await f.finish();
    expect((await second).id).toBe(2);
    (await second).closed = true;
    const third = conn.get(f.open);
    await f.finish();
    expect((await third).id).toBe(3);
  });

  it('lets a failed open be retried by the next get()', async () => {
    const conn = reusedConnection<Fake>({ close: async () => undefined });
    await expect(conn.get(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await conn.get(async () => ({ id: 9, closed: false }))).toMatchObject({ id: 9 });
  });
});
