/**
 * The JSON benchmark's pieces that can be wrong without the benchmark noticing:
 * prices on the grid, actions in the SDK's exact form, the nonce plan against the
 * daemon's own nonce rule, and pre-signed steps accepted by a real daemon (in this
 * process, port 0) over the benchmark's own connections. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelByCloidRequest, ModifyRequest, OrderRequest } from '@nktkas/hyperliquid/api/exchange';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { demoMarkets } from '../../engine/market-spec.js';
import { JSON_WS_PATH } from '../../gateway/json/json-api.js';
import { NonceWindow } from '../../gateway/json/nonce-window.js';
import { startJsonTestDaemon, type JsonTestDaemon } from '../../test/json-api/support.js';
import { ActionBuilder, JSON_BENCH_LIMITS, jsonMarkets, NoncePlan, plannerMarkets, priceStepTicks, signStep, cloidHex, type BenchAction, type JsonMarket, type JsonStepMessages } from './json-actions.js';
import { JsonLoadConnection, reasonOf } from './json-connection.js';
import { runStep } from './generator-loop.js';
import { OpKind, ConnectionPlanner, type PlannedOps } from './workload.js';

const specs = demoMarkets();
const markets = (): JsonMarket[] => jsonMarkets(specs, specs.map((s) => ({ marketId: s.marketId, markTicks: s.initialMarkPriceTicks })));

/** The SDK's own schema for each action type (what ExchangeClient sends is its output). */
function sdkForm(a: BenchAction): unknown {
  const schema = a.type === 'order' ? OrderRequest.entries.action : a.type === 'modify' ? ModifyRequest.entries.action : CancelByCloidRequest.entries.action;
  const r = schema['~standard'].validate(a) as { value?: unknown; issues?: unknown };
  assert.equal(r.issues, undefined, `the SDK refuses ${JSON.stringify(a)}: ${JSON.stringify(r.issues)}`);
  return r.value;
}

/** Reasons a benchmark answer may legitimately carry: targets an IOC already filled, self-trade prevention, an IOC with nothing to match. */
const BENIGN = new Set([
  'Order could not immediately match against any resting orders',
  "Order would have matched the user's own resting order",
  'Order was never placed, already canceled, or filled',
  'Cannot modify canceled or filled order',
]);

describe('e2e-json: actions', () => {
  it('the price step of each demo market is the finest grid with at most 5 significant figures', () => {
    // BTC ~$100,000 (tick 0.1): whole dollars; ETH ~$3,500 (tick 0.01): 0.1; SOL ~$150 (tick 0.001): 0.01
    assert.deepEqual(specs.map(priceStepTicks), [10, 10, 10]);
    assert.deepEqual(markets().map((m) => m.markSteps), [100_000, 35_000, 15_000]);
  });

  it('every planned op becomes an action on the grid, in exactly the form the SDK would send', () => {
    const ms = markets();
    const planner = new ConnectionPlanner(7, plannerMarkets(ms));
    const builder = new ActionBuilder(ms, 3);
    const kinds = new Set<string>();
    for (let step = 0; step < 3; step++) {
      const plan = planner.plan(2_000);
      for (let i = 0; i < plan.count; i++) {
        const a = builder.action(plan, i); // throws on a price or size the grid would refuse
        kinds.add(a.type);
        assert.equal(JSON.stringify(sdkForm(a)), JSON.stringify(a));
      }
    }
    assert.deepEqual([...kinds].sort(), ['cancelByCloid', 'modify', 'order']);
  });

  it('a cancel and a modify name the cloid their target was placed with, and the modify keeps its size', () => {
    const ms = markets();
    const planner = new ConnectionPlanner(11, plannerMarkets(ms));
    const builder = new ActionBuilder(ms, 5);
    const placed = new Map<number, { c: string; s: string }>();
    let checked = 0;
    const plan: PlannedOps = planner.plan(3_000);
    for (let i = 0; i < plan.count; i++) {
      const a = builder.action(plan, i);
      if (plan.kind[i] === OpKind.PLACE && a.type === 'order') placed.set(plan.base + i, { c: a.orders[0].c!, s: a.orders[0].s });
      const target = placed.get(plan.target[i]);
      if (a.type === 'cancelByCloid') assert.equal(a.cancels[0].cloid, target?.c);
      if (a.type === 'modify') {
        assert.deepEqual([a.oid, a.order.c, a.order.s], [target?.c, target?.c, target?.s]);
        checked++;
      }
    }
    assert.ok(checked > 100);
  });
});

describe('e2e-json: nonce plan', () => {
  it("steps of nonces sent in order pass the daemon's rule (unique, above the 100 highest's smallest, after the start)", () => {
    const startMs = 1_800_000_000_000;
    const window = new NonceWindow({ floorMs: startMs });
    const plan = new NoncePlan();
    let now = startMs; // a step prepared in the daemon's first millisecond
    let last = 0;
    for (const count of [1, 250, 3_000, 40]) {
      const first = plan.take(count, now);
      assert.ok(first > last && first > now);
      last = first + count - 1;
      for (let k = 0; k < count; k++) {
        const refused = window.check('0xsigner', first + k, now + k);
        assert.equal(refused, undefined, `step of ${count}, nonce ${k}: ${refused}`);
        window.use('0xsigner', first + k);
      }
      now += 5; // the next step is prepared before the clock caught up with these nonces
    }
    assert.equal(plan.last, last);
  });
});

describe('e2e-json: pre-signed steps through a real daemon', () => {
  let d: JsonTestDaemon;
  before(async () => {
    d = await startJsonTestDaemon({}, { jsonApi: JSON_BENCH_LIMITS });
  });
  after(async () => {
    await d.close();
    assert.deepEqual(d.fatal, []);
  });

  it('opens demo accounts, and two steps of signed orders, IOCs, cancels and modifies are all answered and accepted', async () => {
    const url = `ws://127.0.0.1:${d.handle.port}${JSON_WS_PATH}`;
    const ms = markets();
    const signers = [0, 1].map((i) => ({
      wallet: privateKeyToAccount(generatePrivateKey()),
      builder: new ActionBuilder(ms, i),
      nonces: new NoncePlan(),
      planner: new ConnectionPlanner(42 + i, plannerMarkets(ms)),
    }));
    const conns = await Promise.all(signers.map((s, i) => JsonLoadConnection.open(url, i, s.wallet.address.toLowerCase())));
    assert.deepEqual(
      conns.map((c) => c.credit),
      ['1000000', '1000000'],
    );
    const reasons = new Map<string, number>();
    for (let step = 0; step < 2; step++) {
      const msgs: JsonStepMessages[] = [];
      for (const s of signers) msgs.push(await signStep(s.planner.plan(150), s.builder, s.wallet, s.nonces, Date.now()));
      // 300 ops at 1,000/s; `spin` pacing: the daemon shares this thread, so the pacer must not block it
      const r = await runStep(conns, (c, i, rec, t0Ms) => c.beginStep(msgs[i], rec, t0Ms, 1_000, conns.length, i, 0), { pacing: 'spin', napUs: 0, drainMs: 10_000 });
      const c = r.step.counters;
      assert.deepEqual([c.measuredOps, c.measuredSent, c.measuredAcked, c.unanswered, c.unsent, c.shed, c.late, c.disconnects], [300, 300, 300, 0, 0, 0, 0, 0]);
      assert.deepEqual(r.step.errors, {});
      for (const [k, v] of Object.entries(r.step.rejects)) reasons.set(k, (reasons.get(k) ?? 0) + v);
      assert.ok(c.iocAcked > 0);
    }
    for (const k of reasons.keys()) assert.ok(BENIGN.has(k), `unexpected refusal: ${k}`);
    // with two accounts, IOCs often meet their own orders (self-trade prevention) or an empty side; still most ops succeed
    const refused = [...reasons.values()].reduce((a, b) => a + b, 0);
    assert.ok(refused < 150, `${refused} of 600 ops refused: ${JSON.stringify([...reasons])}`);
    // what rests on the books are the benchmark's own orders, by cloid
    const open = (await d.info.openOrders({ user: signers[0].wallet.address })) as { cloid?: string | null }[];
    assert.ok(open.length > 0);
    const prefix = cloidHex(0, 0).slice(0, 18); // tag and connection
    assert.ok(open.every((o) => typeof o.cloid === 'string' && o.cloid.startsWith(prefix)), JSON.stringify(open.slice(0, 3)));
    for (const c of conns) c.close();
  });

  it('reasons are the first clause of an error sentence, without the asset', () => {
    assert.equal(reasonOf('Order was never placed, already canceled, or filled. asset=2'), 'Order was never placed, already canceled, or filled');
    assert.equal(reasonOf('Invalid nonce: 5 is not after 7 (the server’s start)'), 'Invalid nonce');
  });
});
