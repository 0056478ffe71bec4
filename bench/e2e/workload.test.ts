import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code } from '../../engine/codes.js';
import { Op } from '../../engine/command.js';
import { TimeInForce } from '../../engine/types.js';
import { tryDecodeRequest } from '../../gateway/binary/decode.js';
import { FrameBytes } from '../../gateway/binary/frames.js';
import { RequestFrame } from '../../gateway/binary/request-frame.js';
import { encodeStep } from './step-frames.js';
import { ConnectionPlanner, OpKind, type PlannedOps } from './workload.js';

const MARKETS = [
  { marketId: 0, markTicks: 1_000_000 },
  { marketId: 1, markTicks: 350_000 },
  { marketId: 2, markTicks: 150_000 },
];

function planSteps(seed: number, steps: number[], mix = {}): { planner: ConnectionPlanner; plans: PlannedOps[] } {
  const planner = new ConnectionPlanner(seed, MARKETS, mix);
  return { planner, plans: steps.map((n) => planner.plan(n)) };
}

describe('e2e workload planner', () => {
  it('is deterministic for a seed and the same step sizes', () => {
    const a = planSteps(5, [1000, 3000]).plans;
    const b = planSteps(5, [1000, 3000]).plans;
    for (let s = 0; s < 2; s++) {
      assert.deepEqual(a[s].kind, b[s].kind);
      assert.deepEqual(a[s].priceTicks, b[s].priceTicks);
      assert.deepEqual(a[s].target, b[s].target);
    }
    const c = planSteps(6, [1000]).plans[0];
    assert.notDeepEqual(c.kind, a[0].kind);
  });

  it('numbers ops across steps and targets only live, old-enough placements of the same market', () => {
    const { plans } = planSteps(11, [5000, 20000, 5000], { maxLivePerMarket: 300, minTargetAge: 8 });
    const live = new Map<number, { marketId: number; side: number; placement: number }>();
    const placements = new Map<number, number>();
    let expectedBase = 0;
    for (const p of plans) {
      assert.equal(p.base, expectedBase);
      expectedBase += p.count;
      for (let i = 0; i < p.count; i++) {
        const planIdx = p.base + i;
        const k = p.kind[i];
        const m = p.marketId[i];
        if (k === OpKind.PLACE) {
          const n = (placements.get(m) ?? 0) + 1;
          placements.set(m, n);
          live.set(planIdx, { marketId: m, side: p.side[i], placement: n });
          const mark = MARKETS[m].markTicks;
          assert.ok(p.side[i] === 0 ? p.priceTicks[i] < mark : p.priceTicks[i] > mark, 'resting orders do not cross the mark');
        } else if (k === OpKind.CANCEL || k === OpKind.MODIFY) {
          const t = live.get(p.target[i]);
          assert.ok(t, `op ${planIdx} targets ${p.target[i]}, which is not live`);
          assert.equal(t.marketId, m);
          assert.equal(t.side, p.side[i]);
          assert.ok(placements.get(m)! - t.placement >= 8, 'target is at least minTargetAge placements old');
          if (k === OpKind.CANCEL) live.delete(p.target[i]);
        } else {
          assert.equal(p.target[i], -1);
          const mark = MARKETS[m].markTicks;
          assert.ok(p.side[i] === 0 ? p.priceTicks[i] > mark : p.priceTicks[i] < mark, 'IOCs cross the mark');
        }
        const perMarket = [...live.values()].filter((o) => o.marketId === m).length;
        assert.ok(perMarket <= 300, `market ${m} holds ${perMarket} live orders`);
      }
    }
  });

  it('realises the nominal mix while below the live bound', () => {
    const { planner } = planSteps(3, [5_000]);
    assert.ok(Math.max(...planner.liveCounts()) < 800);
    const [place, cancel, ioc, modify] = planner.realised.map((n) => n / 5_000);
    assert.ok(Math.abs(place - 0.6) < 0.03, `place ${place}`);
    assert.ok(Math.abs(cancel - 0.2) < 0.03, `cancel ${cancel}`);
    assert.ok(Math.abs(ioc - 0.1) < 0.03, `ioc ${ioc}`);
    assert.ok(Math.abs(modify - 0.1) < 0.03, `modify ${modify}`);
  });

  it('holds the live count at the bound by turning places into cancels', () => {
    const { planner } = planSteps(4, [60_000], { maxLivePerMarket: 100 });
    for (const n of planner.liveCounts()) assert.ok(n <= 100 && n >= 90, `live ${n}`);
    assert.ok(planner.conversions > 0);
  });

  it('refuses a mix that does not add up to 1', () => {
    assert.throws(() => new ConnectionPlanner(1, MARKETS, { place: 0.7 }), /add up to 1/);
  });
});

describe('e2e step frames', () => {
  it('encodes every op as a frame the server decoder accepts, with requestId = plan index + 1', () => {
    const planner = new ConnectionPlanner(9, MARKETS);
    planner.plan(500);
    const plan = planner.plan(2000);
    const f = encodeStep(plan, 77);
    const frame = new RequestFrame();
    for (let i = 0; i < f.count; i++) {
      const code = tryDecodeRequest(f.bytes, frame, f.off[i], f.len[i]);
      assert.equal(code, Code.OK, `row ${i}`);
      assert.equal(frame.requestId, plan.base + i + 1);
      const c = frame.command;
      assert.equal(c.marketId, plan.marketId[i]);
      switch (plan.kind[i]) {
        case OpKind.PLACE:
        case OpKind.IOC:
          assert.equal(c.op, Op.PLACE);
          assert.equal(c.tif, plan.kind[i] === OpKind.PLACE ? TimeInForce.GTC : TimeInForce.IOC);
          assert.equal(c.priceTicks, plan.priceTicks[i]);
          assert.equal(c.sizeLots, plan.sizeLots[i]);
          assert.equal(c.cloid1, 77);
          assert.equal(c.cloid2, plan.base + i);
          assert.equal(f.fallbackRow[i], -1);
          break;
        case OpKind.CANCEL:
        case OpKind.MODIFY: {
          assert.equal(c.op, plan.kind[i] === OpKind.CANCEL ? Op.CANCEL : Op.MODIFY);
          const fb = f.fallbackRow[i];
          assert.ok(fb >= 0);
          assert.equal(tryDecodeRequest(f.fallback, frame, fb * FrameBytes.CANCEL_BY_CLOID, FrameBytes.CANCEL_BY_CLOID), Code.OK);
          assert.equal(frame.command.op, Op.CANCEL_BY_CLOID);
          assert.equal(frame.command.cloid2, plan.target[i], 'the fallback names the target by its cloid');
          break;
        }
      }
    }
  });
});
