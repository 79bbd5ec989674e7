/** How a probe kind checks and closes the connection it keeps between runs. */
export interface ConnectionDriver<C> {
  /** Closes it; a rejection is ignored (the connection is forgotten either way). */
  close(connection: C): Promise<void>;
  /** Whether a connection opened earlier can still be used (default: always); one that cannot is closed and replaced. */
  usable?(connection: C): boolean;
}

/**
 * A connection opened by the first run that needs it and reused by the runs after it. At most one open is under way
 * at a time (runs that ask meanwhile share it), and nothing it opens outlives a `close()`: an open that completes after
 * `close()` (its run abandoned at the deadline, or the probe stopped) is closed at once and its `get()` rejects.
 */
export interface ReusedConnection<C> {
  /**
   * The open connection, or the one being opened; when there is none (or it is no longer usable), `open` opens one
   * (a broker connection, a database pool; it rejects when it cannot). A run passes its own `open`, with the
   * references it resolved, and asks before it awaits anything: a `close()` after that closes what `open` opens,
   * while a run that asked later, after a `close()` that was meant for it, would open a connection nobody closes.
   */
  get(open: () => Promise<C>): Promise<C>;
  /** Forgets and closes `connection` if it is the current one (the driver reported it broken); the next `get()` opens another. */
  drop(connection: C): void;
  /**
   * Closes the current connection; an open under way is waited for (it ends by the driver's own connect timeout) and
   * closed. Never rejects. The next `get()` opens a new connection.
   */
  close(): Promise<void>;
}

/** Why a `get()` rejected when `close()` came while its connection was being opened. */
export class ConnectionClosedError extends Error {
  constructor() {
    super('the probe was closed while its connection was being opened');
    this.name = 'ConnectionClosedError';
  }
}

interface Entry<C> {
  promise: Promise<C>;
  /** Set once the open has completed and the connection is current. */
  connection?: C;
}

/** A lazily opened, reused, closable connection (see `ReusedConnection`). */
export function reusedConnection<C>(driver: ConnectionDriver<C>): ReusedConnection<C> {
  let current: Entry<C> | undefined;
  const closeQuietly = (c: C) =>
    Promise.resolve()
      .then(() => driver.close(c))
      .catch(() => undefined);

  const start = (open: () => Promise<C>): Entry<C> => {
    const entry = {} as Entry<C>;
    entry.promise = Promise.resolve()
      .then(open)
      .then(
        async (c) => {
          if (current !== entry) {
            // Closed (or dropped) while it was being opened: nothing holds it any more.
            await closeQuietly(c);
            throw new ConnectionClosedError();
          }
          entry.connection = c;
          return c;
        },
        (err: unknown) => {
          if (current === entry) current = undefined;
          throw err;
        },
      );
    // A caller that gave up (its run abandoned) no longer awaits it.
    entry.promise.catch(() => undefined);
    return entry;
  };

  return {
    get(open) {
      const held = current;
      if (held && (held.connection === undefined || (driver.usable?.(held.connection) ?? true))) return held.promise;
      if (held?.connection !== undefined) void closeQuietly(held.connection);
      current = start(open);
      return current.promise;
    },
    drop(connection) {
      if (current?.connection !== connection) return;
      current = undefined;
      void closeQuietly(connection);
    },
    async close() {
      const held = current;
      current = undefined;
      if (!held) return;
      if (held.connection !== undefined) return closeQuietly(held.connection);
      // Under way: its completion sees it is no longer current and closes it before settling.
      await held.promise.catch(() => undefined);
    },
  };
}
