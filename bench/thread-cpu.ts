import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc's utime and stime (USER_HZ; 100 on Linux for x86 and arm). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) each live thread of this process has used, summed by the thread's name (`comm`, as
 * the kernel keeps it: `node` for the main thread and V8's, `libuv-worker`, and the engine's own names such as
 * `MergeMutate` for merges or `QueryPipelineEx` for a query's pipeline). The main thread is reported as `main`.
 * Threads that have exited are not in it. Empty where /proc is not (not Linux). Source: proc(5), /proc/pid/task/tid/stat fields 14 and 15.
 */
export function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
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
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    out.set(name, (out.get(name) ?? 0) + seconds);
  }
  return out;
}

/**
 * CPU seconds by thread name used between two `threadCpu()` readings, largest first, names whose threads used less
 * than `minSeconds` folded into `other`. Threads born after `before` count whole; threads gone by `after` are missing.
 */
export function threadCpuSince(before: Map<string, number>, after: Map<string, number> = threadCpu(), minSeconds = 0.05): [string, number][] {
  const used: [string, number][] = [];
  let other = 0;
  for (const [name, seconds] of after) {
    const d = seconds - (before.get(name) ?? 0);
    if (d >= minSeconds) used.push([name, d]);
    else if (d > 0) other += d;
  }
  used.sort((a, b) => b[1] - a[1]);
  if (other > 0) used.push(['other', other]);
  return used;
}
