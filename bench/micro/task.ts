/**
 * Shared shape of a micro-benchmark topic: tinybench tasks that each run a BATCH of
 * `opsPerIteration` operations per iteration (a single sub-microsecond operation is
 * below tinybench's per-call overhead and clock resolution), reported per operation.
 */
import type { Bench, FnOptions } from 'tinybench';

export interface MicroTask {
  name: string;
  opsPerIteration: number;
  fn: () => unknown;
  hooks?: FnOptions;
}

export interface MicroTopic {
  /** Tasks to add; may be async (set-up), may return a note instead (skipped topic). */
  tasks(): Promise<MicroTask[] | { skipped: string }>;
  /** Clean-up after the run (temporary directories). */
  close?(): Promise<void>;
}

export function addTasks(bench: Bench, tasks: readonly MicroTask[]): void {
  for (const t of tasks) bench.add(t.name, t.fn, t.hooks);
}
