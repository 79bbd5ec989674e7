import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc's utime and stime (USER_HZ; 100 on Linux for x86 and arm). */
const TICKS_PER_SECOND = 100;

/** One reading of this process's live threads: per thread id, its name and the CPU seconds it has used. */
export type ThreadReading = Map<string, { name: string; seconds: number }>;

/**
 * CPU seconds (user + system) each live thread of this process has used, with the thread's name (`comm`, as the kernel
 * keeps it: `node` for V8's and Node's helper threads, `libuv-worker`, and the engine's own names such as `MergeMutate`
 * for merges or `ThreadPool` for a query's pipeline). The main thread is named `main`. Empty where /proc is not (not
 * Linux). Source: proc(5), /proc/pid/task/tid/stat fields 2 (comm), 14 (utime) and 15 (stime).
 */
export function threadCpu(): ThreadReading {
  const out: ThreadReading = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread exited between the listing and the read
    }
    // The name sits in parentheses and may itself hold spaces or parentheses: the fields after it follow the last ')'.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const name = Number(tid) === process.pid ? 'main' : stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    out.set(tid, { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND });
  }
  return out;
}

/**
 * CPU seconds by thread name used between two `threadCpu()` readings, largest first; names whose threads used less
 * than `minSeconds` are folded into `other`. Each thread is compared with itself (a thread born after `before`
 * counts whole); what a thread used before it exited, between the readings, is in neither reading and not counted.
 */
export function threadCpuSince(before: ThreadReading, after: ThreadReading = threadCpu(), minSeconds = 0.05): [string, number][] {
  const byName = new Map<string, number>();
  for (const [tid, t] of after) {
    const was = before.get(tid);
    const d = t.seconds - (was && was.name === t.name ? was.seconds : 0);
    if (d > 0) byName.set(t.name, (byName.get(t.name) ?? 0) + d);
  }
  const used: [string, number][] = [];
  let other = 0;
  for (const [name, seconds] of byName) {
    if (seconds >= minSeconds) used.push([name, seconds]);
    else other += seconds;
  }
  used.sort((a, b) => b[1] - a[1]);
  if (other > 0) used.push(['other', other]);
  return used;
}
