/** The command generator behind the differential test and the soak script. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelReason, Code, codeName } from '../engine/codes.js';
import { Command, Op } from '../engine/command.js';
import type { MarketEventSink } from '../engine/events.js';
import type { MarketEngine, MarketEngineFactory } from '../engine/market-engine.js';
import { createReferenceMarket } from '../engine/reference/reference-market.js';
import { CommandGenerator } from './support/command-generator.js';
import { differentialSpec, DivergenceError, runDifferential } from './support/differential.js';
import { engineFactories } from './support/engines.js';

function stream(seed: number, n: number, isLive?: (id: number) => boolean): Command[] {
  const gen = new CommandGenerator(seed, differentialSpec(seed), isLive ? { isLive } : {});
  const out: Command[] = [];
  const cmd = new Command();
  for (let i = 0; i < n; i++) {
    gen.next(cmd);
    out.push(new Command().copyFrom(cmd));
  }
  return out;
}

test('the generator is deterministic for a seed and differs between seeds', () => {
  const a = stream(42, 3_000);
  assert.deepEqual(stream(42, 3_000), a);
  assert.notDeepEqual(stream(43, 3_000), a);
});

test('seq strictly increases, PLACE uses orderId = seq, tsUs increases', () => {
  for (const seed of [1, 2, 3]) {
    let prev: Command | undefined;
    for (const c of stream(seed, 5_000)) {
      if (prev) {
        assert.ok(c.seq > prev.seq, `seq ${c.seq} after ${prev.seq}`);
        assert.ok(c.tsUs > prev.tsUs, `tsUs ${c.tsUs} after ${prev.tsUs}`);
      }
      if (c.op === Op.PLACE) assert.equal(c.orderId, c.seq);
      prev = c;
    }
  }
});

test('the generator produces every op and a realistic mix', () => {
  const ops = new Map<number, number>();
  const cmds = stream(7, 20_000);
  for (const c of cmds) ops.set(c.op, (ops.get(c.op) ?? 0) + 1);
  for (const op of [Op.PLACE, Op.CANCEL, Op.CANCEL_BY_CLOID, Op.CANCEL_ALL, Op.MODIFY, Op.SET_MARK_PRICE, Op.SET_MARKET_STATUS]) {
    assert.ok((ops.get(op) ?? 0) > 0, `op ${op} never generated`);
  }
  const places = ops.get(Op.PLACE)!;
  assert.ok(places > 0.3 * cmds.length && places < 0.7 * cmds.length, `${places} places`);
  assert.ok(cmds.some((c) => c.op === Op.MODIFY && c.sizeLots === 0), 'modify with size 0 (keep)');
  assert.ok(cmds.some((c) => c.op === Op.PLACE && c.ocoOrderId !== 0), 'OCO');
});

test('run through the reference, the stream reaches every market reject code and every cancel reason a market produces', () => {
  const codes = new Set<string>();
  const reasons = new Set<string>();
  let fills = 0;
  let triggers = 0;
  for (const seed of [1, 2, 3]) {
    const s = runDifferential({ seed, commands: 15_000, factories: engineFactories.slice(0, 1), validateEvery: 10 });
    Object.keys(s.codes).forEach((c) => codes.add(c));
    Object.keys(s.cancelReasons).forEach((r) => reasons.add(r));
    fills += s.fills;
    triggers += s.triggers;
    assert.ok(s.maxLiveOrders >= 20, `book too thin: at most ${s.maxLiveOrders} live orders`);
  }
  const notFromTheStream: number[] = [Code.UNKNOWN_MARKET, Code.MARKET_CLOSED, Code.DUPLICATE_ORDER_ID]; // orderId = seq: no duplicates
  const wantedCodes = Object.values(Code)
    .filter((c) => c <= -3000 && c > -4000 && !notFromTheStream.includes(c))
    .map(codeName)
    .concat(['OK', 'UNKNOWN_OP', 'INSUFFICIENT_MARGIN']);
  assert.deepEqual(wantedCodes.filter((c) => !codes.has(c)), [], 'codes never produced');
  const notFromAMarket: number[] = [CancelReason.DEAD_MAN, CancelReason.HALT, CancelReason.LIQUIDATION, CancelReason.MARGIN];
  const marketReasons = Object.entries(CancelReason)
    .filter(([, v]) => !notFromAMarket.includes(v))
    .map(([k]) => k);
  assert.deepEqual(marketReasons.filter((r) => !reasons.has(r)), [], 'cancel reasons never produced');
  assert.ok(fills > 5_000, `${fills} fills`);
  assert.ok(triggers > 200, `${triggers} triggers fired`);
});

/** A reference engine whose sink drops "level gone" events: a plausible fast-book bug. */
const dropsEmptyLevels: MarketEngineFactory = (spec, sink) =>
  createReferenceMarket(spec, {
    ...Object.fromEntries(
      (['onReject', 'onAccept', 'onFill', 'onCancel', 'onRest', 'onModify', 'onReduce', 'onTrigger', 'onMark'] as const).map((k) => [k, (...a: never[]) => (sink[k] as (...x: never[]) => void)(...a)]),
    ),
    onLevel: (side: number, price: number, total: number, count: number) => {
      if (total !== 0) sink.onLevel(side, price, total, count);
    },
  } as MarketEventSink);

/** A reference engine whose state hash is wrong once the book holds more than 15 orders. */
const wrongHashWhenBusy: MarketEngineFactory = (spec, sink) => {
  const inner = createReferenceMarket(spec, sink);
  const wrapper: MarketEngine = {
    spec,
    process: (c) => inner.process(c),
    stateHash: () => (inner.liveOrderCount() > 15 ? 'ffffffffffffffff' : inner.stateHash()),
    validateInternalState: () => inner.validateInternalState(),
    positionLots: (a) => inner.positionLots(a),
    markPriceTicks: () => inner.markPriceTicks(),
    status: () => inner.status(),
    bestBid: () => inner.bestBid(),
    bestAsk: () => inner.bestAsk(),
    l2: (side, depth) => inner.l2(side, depth),
    openOrders: (a) => inner.openOrders(a),
    order: (id) => inner.order(id),
    liveOrderCount: () => inner.liveOrderCount(),
  };
  return wrapper;
};

test('the differential check reports seed, command and the first differing event for an engine that drops level events', () => {
  const err = catchDivergence(() => runDifferential({ seed: 5, commands: 5_000, factories: [engineFactories[0], { name: 'mutant', create: dropsEmptyLevels }] }));
  assert.equal(err.seed, 5);
  assert.match(err.message, /seed 5, command #\d+ \(seq \d+\)/);
  assert.match(err.message, /first differing event: #\d+\n {2}reference: \{"e":"level".*"totalLots":0,"orderCount":0\}/);
  assert.match(err.message, /command: \{ op: \w+/);
  assert.match(err.message, /reproduce: node dist\/scripts\/soak\.js --seeds 5 --commands \d+/);
});

test('the differential check compares state hashes every 100 commands', () => {
  const err = catchDivergence(() => runDifferential({ seed: 6, commands: 5_000, factories: [engineFactories[0], { name: 'mutant', create: wrongHashWhenBusy }] }));
  assert.match(err.message, /state hash differs/);
  assert.equal((err.commandIndex + 1) % 100, 0);
});

function catchDivergence(run: () => unknown): DivergenceError {
  try {
    run();
  } catch (e) {
    if (e instanceof DivergenceError) return e;
    throw e;
  }
  assert.fail('no divergence detected');
}
