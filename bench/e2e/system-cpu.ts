/**
 * Whole-machine CPU use from /proc/stat (Linux), to tell how much of a step's CPU
 * was taken by processes outside the benchmark (other jobs on a shared machine).
 * Returns null where /proc/stat does not exist.
 */
import { readFileSync } from 'node:fs';

/** Busy CPU time of the whole machine so far, in ms (user + nice + system + irq + softirq + steal). */
export function machineBusyMs(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    // USER_HZ is 100 on Linux (sysconf(_SC_CLK_TCK)); /proc/stat counts in those ticks.
    return (user + nice + system + irq + softirq + (steal ?? 0)) * 10;
  } catch {
    return null;
  }
}
