import { ERR_REPORTS_BUSY } from '../errors.ts';

/** How many reports are built at once, and how many more may wait for a place. */
export interface ExportLimits {
  /** Reports assembled at the same time (default 1). */
  concurrency: number;
  /** Requests that wait for a place beyond those (default 4); more are refused with 429 + Retry-After. */
  queue: number;
}

export const DEFAULT_EXPORT_LIMITS: ExportLimits = { concurrency: 1, queue: 4 };

/** A place taken: `ready` settles when the report may run; `release` gives the place back (once; later calls do nothing). */
export interface ExportTicket {
  ready: Promise<void>;
  release(): void;
}

/**
 * The one bound on report exports of a process (API, CLI and scheduled alike): at most `concurrency` run, `queue` more
 * wait in order of arrival. `take({ refuse: true })` (a request from a client) throws ERR_REPORTS_BUSY when every place
 * is taken, with a Retry-After from how long recent reports took; `take({ refuse: false })` (a schedule, whose tick
 * must not be lost) always waits. A place is held from reading the store to writing the bundle: it bounds memory too.
 */
export class ExportSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Moving average of how long a place was held (ms); a first guess until a report finished. */
  private averageMs = 30_000;

  constructor(
    readonly limits: ExportLimits = DEFAULT_EXPORT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limits.concurrency >= 1) || !(limits.queue >= 0)) throw new RangeError('export limits: concurrency ≥ 1 and queue ≥ 0');
  }

  /** Places in use: running and waiting. */
  busy(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Seconds after which a place is likely free again (1 … 3600): how long a recent report held one. */
  retryAfterSeconds(): number {
    return Math.min(3600, Math.max(1, Math.ceil(this.averageMs / 1000)));
  }

  /** Takes a place (see the class); throws ERR_REPORTS_BUSY when `refuse` and every place is taken. */
  take(options: { refuse: boolean }): ExportTicket {
    const full = this.running + this.waiting.length >= this.limits.concurrency + this.limits.queue;
    if (options.refuse && full) throw ERR_REPORTS_BUSY(this.busy(), this.retryAfterSeconds());
    let started: number | undefined;
    let released = false;
    let waiter: (() => void) | undefined;
    const start = () => {
      this.running++;
      started = this.now();
    };
    let ready: Promise<void>;
    if (this.running < this.limits.concurrency && this.waiting.length === 0) {
      start();
      ready = Promise.resolve();
    } else {
      ready = new Promise<void>((resolve) => {
        waiter = () => (start(), resolve());
        this.waiting.push(waiter);
      });
    }
    return {
      ready,
      release: () => {
        if (released) return;
        released = true;
        if (started === undefined) {
          // Given back before its turn: it leaves the queue (its `ready` never settles).
          this.waiting.splice(this.waiting.indexOf(waiter!), 1);
          return;
        }
        this.running--;
        this.averageMs = 0.7 * this.averageMs + 0.3 * (this.now() - started);
        this.waiting.shift()?.();
      },
    };
  }
}
