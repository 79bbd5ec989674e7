import { CronJob } from 'cron';
import { parseDuration } from '../core/time/index.ts';

export interface Scheduled {
  id: string;
  every?: string;
  cron?: string;
  jitter?: string;
}

export interface ScheduleHandle {
  stop(): void;
}

/**
 * Calls `tick(id)` on each entry's schedule (`every` or a UTC cron expression), delayed by a random
 * jitter. A tick that finds the previous run of the same entry still going is skipped (`onSkip`),
 * so runs never overlap; `tick` must not throw (it returns its errors).
 */
export function schedule(
  entries: Scheduled[],
  tick: (id: string) => Promise<unknown>,
  onSkip: (id: string) => void,
  random: () => number = Math.random,
): ScheduleHandle {
  const timers = new Set<NodeJS.Timeout>();
  const jobs: CronJob[] = [];
  const running = new Set<string>();
  let stopped = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const fire = async (id: string) => {
    if (running.has(id)) return onSkip(id);
    running.add(id);
    try {
      await tick(id);
    } finally {
      running.delete(id);
    }
  };

  for (const e of entries) {
    const jitterMs = e.jitter ? parseDuration(e.jitter, `${e.id}.jitter`) : 0;
    const jitter = () => Math.floor(random() * jitterMs);
    if (e.cron) {
      jobs.push(CronJob.from({ cronTime: e.cron, onTick: () => later(jitter(), () => void fire(e.id)), start: true, timeZone: 'UTC' }));
    } else if (e.every) {
      const every = parseDuration(e.every, `${e.id}.every`);
      const loop = () => {
        void fire(e.id);
        later(every + jitter(), loop);
      };
      later(jitter(), loop);
    }
  }
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const j of jobs) void j.stop();
    },
  };
}
