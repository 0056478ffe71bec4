/**
 * The open-loop pacing loop of a generator process: sends every connection's due
 * rows as time passes, then waits for the answers.
 *
 * Waiting between sends without burning a core that the server under test needs
 * (2 cores here): when the next send is more than 2 ms away the loop sleeps on a
 * timer (1 ms resolution, woken ~1.2 ms early); closer than that it either
 *   - `nap`  (default): blocks the thread for min(gap, napUs) with Atomics.wait
 *            (no CPU; Linux timer slack makes a nap last ~55 µs more than asked,
 *            so ~105 µs by default), then lets the event loop read sockets
 *            (setImmediate) and sends everything that fell due meanwhile, several
 *            frames per connection as one BATCH. So at high rates the generator
 *            wakes ~10,000 times a second, not once per order, and leaves the
 *            second core to the target. Costs: sends up to ~0.1 ms late (measured
 *            as sendLag and included in the latencies) and answers that arrive
 *            during a nap timestamped up to ~0.1 ms late (not measured: the
 *            latency floor, visible in the echo's figures at low rates); or
 *   - `spin`: goes straight back through the event loop (setImmediate), which is
 *            most precise and burns one core.
 * How late sends were is measured (sendLag) and included in the latencies anyway.
 */
import { performance } from 'node:perf_hooks';

export type Pacing = 'nap' | 'spin';

/** What the loop needs of a connection (e2e/load-connection.ts: binary; e2e/json-connection.ts: JSON API). */
export interface PacedConnection {
  /** Sends every row due by `nowUs` (µs since the step start) not sent yet. */
  sendDue(nowUs: number): number;
  readonly allSent: boolean;
  /** Row index of the next unsent op, and when a row is due (µs since the step start). */
  readonly nextRow: number;
  schedUs(row: number): number;
  /** Measured rows not answered yet. */
  readonly pendingMeasured: number;
  /** True while the connection may not send even a due row (HTTP: waiting for the answer in flight; it sends on that answer). */
  readonly blocked?: boolean;
}

export interface PaceOptions {
  t0Ms: number;
  pacing: Pacing;
  napUs: number;
  /** How long to wait for answers after the last send. */
  drainMs: number;
}

/** Runs the step's schedule on `conns` (their steps already begun); resolves with the end time (performance.now() ms). */
export function runSchedule(conns: readonly PacedConnection[], o: PaceOptions): Promise<number> {
  const word = new Int32Array(new SharedArrayBuffer(4));
  return new Promise((resolve) => {
    let deadline = 0;
    const drain = (): void => {
      const now = performance.now();
      let pending = 0;
      for (const c of conns) pending += c.pendingMeasured;
      if (pending === 0 || now >= deadline) resolve(now);
      else setTimeout(drain, 1);
    };
    const tick = (): void => {
      const nowUs = (performance.now() - o.t0Ms) * 1000;
      let allSent = true;
      let nextUs = Infinity;
      for (const c of conns) {
        c.sendDue(nowUs);
        if (!c.allSent) {
          allSent = false;
          if (c.blocked) continue;
          const due = c.schedUs(c.nextRow);
          if (due < nextUs) nextUs = due;
        }
      }
      if (allSent) {
        deadline = performance.now() + o.drainMs;
        drain();
        return;
      }
      // every unsent connection blocked: they send from their answer handlers; look again after a nap
      const gapUs = Number.isFinite(nextUs) ? nextUs - (performance.now() - o.t0Ms) * 1000 : o.napUs;
      if (gapUs > 2000) {
        setTimeout(tick, Math.max(0, gapUs / 1000 - 1.2));
        return;
      }
      if (o.pacing === 'nap' && gapUs > 0) Atomics.wait(word, 0, 0, Math.min(gapUs, o.napUs) / 1000);
      setImmediate(tick);
    };
    const startIn = o.t0Ms - performance.now();
    if (startIn > 1) setTimeout(tick, startIn);
    else setImmediate(tick);
  });
}

