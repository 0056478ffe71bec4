import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../engine/codes.js';
import type { GeneratorReply } from './protocol.js';
import { StepRecorder } from './recorder.js';
import { keptUp, keptUpThroughput, mergeStep, type StepContext } from './step-result.js';

type GenResult = Extract<GeneratorReply, { type: 'result' }>;

/** A generator result: `acked` answers at `latencyUs`, the last answer at `lastAckMs`. */
function gen(o: { measured: number; acked: number; shed?: number; latencyUs: number; lastAckMs: number; cpuUs?: number }): GenResult {
  const r = new StepRecorder();
  r.c.measuredOps = o.measured;
  r.c.measuredSent = o.measured;
  r.c.measuredAcked = o.acked;
  r.c.shed = o.shed ?? 0;
  r.c.lastMeasuredAckMs = o.lastAckMs;
  r.c.lastMeasuredSendMs = o.lastAckMs;
  r.c.unanswered = o.measured - o.acked;
  for (let i = 0; i < o.acked; i++) {
    r.ack.record(o.latencyUs * 1000);
    r.ackKind[0].record(o.latencyUs * 1000);
  }
  if (o.shed) for (let i = 0; i < o.shed; i++) r.reject(Code.OVERLOADED);
  return { type: 'result', step: r.serialize(), wallMs: 5000, cpuUserUs: o.cpuUs ?? 0, cpuSystemUs: 0, closed: [] };
}

const ctx: StepContext = { target: 'engine', variant: 'v', kind: 'rate', offeredPerSec: 20_000, warmupMs: 1000, durationMs: 2000, connections: 32, targetCpuUs: 2_500_000, wallMs: 5000 };

describe('e2e step merge', () => {
  it('adds the generators: achieved = served / measured window, percentiles over all ops', () => {
    const r = mergeStep(ctx, [
      gen({ measured: 20_000, acked: 20_000, latencyUs: 100, lastAckMs: 2900, cpuUs: 1_000_000 }),
      gen({ measured: 20_000, acked: 20_000, latencyUs: 300, lastAckMs: 2950, cpuUs: 500_000 }),
    ]);
    assert.equal(r.achievedPerSec, 20_000);
    assert.equal(r.p50Us, 100.4); // HDR: the highest value of the bucket holding 100 µs, [99.84, 100.35] µs
    assert.ok(r.p99Us >= 300 && r.p99Us <= 300 * (1 + 1 / 128));
    assert.equal(r.genCpuPct, 30);
    assert.equal(r.targetCpuPct, 50);
    assert.equal(r.counters.measuredOps, 40_000);
    assert.ok(keptUp(r, 1000));
    assert.ok(!keptUp(r, 200), 'p99 above the bound');
  });

  it('stretches the window to the last answer when answers trail the schedule', () => {
    // Window 2 s planned; the last answer came 4 s after the measured start (1 s warm-up + 4 s).
    const r = mergeStep(ctx, [gen({ measured: 40_000, acked: 40_000, latencyUs: 50_000, lastAckMs: 5000 })]);
    assert.equal(r.achievedPerSec, 10_000);
    assert.ok(!keptUpThroughput(r));
  });

  it('does not count load-shedding rejects as served, and reports them by name', () => {
    const r = mergeStep(ctx, [gen({ measured: 40_000, acked: 40_000, shed: 10_000, latencyUs: 20, lastAckMs: 2500 })]);
    assert.equal(r.achievedPerSec, 15_000);
    assert.deepEqual(r.rejects, { OVERLOADED: 10_000 });
    assert.ok(!keptUpThroughput(r));
  });

  it('is not kept up when an op went unanswered', () => {
    const r = mergeStep(ctx, [gen({ measured: 40_000, acked: 39_999, latencyUs: 20, lastAckMs: 2500 })]);
    assert.equal(r.counters.unanswered, 1);
    assert.ok(!keptUpThroughput(r));
  });
});
