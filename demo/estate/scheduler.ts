/** A job the demo runs on a fixed period; a run that is still going when the next is due is skipped, never overlapped. */
export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<void>;
  /** While this answers true the job does not run (a fault that stops a scheduled flow). */
  paused?: () => boolean;
}

export interface SchedulerStats {
  runs: number;
  skipped: number;
  errors: number;
}

/** Runs the demo's jobs; errors are reported and the loop goes on. */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  readonly stats = new Map<string, SchedulerStats>();

  constructor(private readonly onError: (job: string, err: unknown) => void) {}

  add(job: Job, options: { runNow?: boolean } = {}): void {
    const stats: SchedulerStats = { runs: 0, skipped: 0, errors: 0 };
    this.stats.set(job.name, stats);
    let running = false;
    const tick = () => {
      if (this.stopped) return;
      if (running || job.paused?.()) {
        stats.skipped++;
        return;
      }
      running = true;
      const done = job
        .run()
        .then(
          () => void stats.runs++,
          (err: unknown) => {
            stats.errors++;
            this.onError(job.name, err);
          },
        )
        .finally(() => {
          running = false;
          this.inFlight.delete(done);
        });
      this.inFlight.add(done);
    };
    this.timers.push(setInterval(tick, Math.max(1, job.everyMs)));
    if (options.runNow) setImmediate(tick);
  }

  /** Stops scheduling and waits for the runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([...this.inFlight]);
  }
}
