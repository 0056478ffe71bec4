/**
 * The real daemon driven by the unmodified Hyperliquid SDK over HTTP: every order
 * kind placed, cancelled and modified, books, orders, fills and account state read
 * back, every response checked against Hyperliquid's documented shapes.
 *
 * BTC (asset 0): tick 0.1, lot 0.00001 (szDecimals 5), mark $100,000, band ±5%.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiRequestError } from '@nktkas/hyperliquid/api/exchange';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ExchangeClient } from '@nktkas/hyperliquid';
import { Command, Op } from '../../engine/command.js';
import * as S from './hl-shapes.js';
import { eventually, sleep, startJsonTestDaemon, type JsonTestDaemon } from './support.js';

const BTC = 0;
const ETH = 1;

type Trader = ReturnType<JsonTestDaemon['trader']>;

/** Resolves with the refusal of an exchange call (ApiRequestError), checking its raw response's shape. */
async function refusal(p: Promise<unknown>): Promise<{ message: string; response: unknown }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiRequestError) return { message: e.message, response: e.response };
    throw e;
  }
  return assert.fail('expected the request to be refused');
}

function restingOid(r: unknown): number {
  S.mustMatch(S.OrderResponse, r, 'order response');
  const st = (r as { response: { data: { statuses: unknown[] } } }).response.data.statuses[0] as { resting?: { oid: number } };
  assert.ok(st.resting, `expected resting, got ${JSON.stringify(st)}`);
  return st.resting.oid;
}

function statusesOf(r: unknown): Record<string, unknown>[] {
  return (r as { response: { data: { statuses: Record<string, unknown>[] } } }).response.data.statuses;
}

describe('JSON API over HTTP with the Hyperliquid SDK', () => {
  let d: JsonTestDaemon;
  let maker: Trader;
  let taker: Trader;

  /** Opens the demo accounts (first user-keyed query) and checks the state shape. */
  async function open(t: Trader): Promise<void> {
    const st = S.mustMatch(S.ClearinghouseState, await d.info.clearinghouseState({ user: t.address }), 'clearinghouseState');
    assert.equal(st.withdrawable, '1000000');
  }

  async function openOrders(t: Trader): Promise<Record<string, unknown>[]> {
    return S.mustMatch(S.OpenOrders, await d.info.openOrders({ user: t.address }), 'openOrders') as unknown as Record<string, unknown>[];
  }

  before(async () => {
    d = await startJsonTestDaemon({ workers: 2 });
    maker = d.trader();
    taker = d.trader();
    await open(maker);
    await open(taker);
  });
  after(async () => {
    await d.close();
    assert.deepEqual(d.fatal, []);
  });

  it('meta, metaAndAssetCtxs and allMids describe the markets in Hyperliquid terms', async () => {
    const meta = S.mustMatch(S.Meta, await d.info.meta(), 'meta');
    assert.deepEqual(
      meta.universe.map((u) => [u.name, u.szDecimals, u.maxLeverage]),
      [
        ['BTC', 5, 100],
        ['ETH', 4, 100],
        ['SOL', 2, 100],
      ],
    );
    const [m2, ctxs] = S.mustMatch(S.MetaAndAssetCtxs, await d.info.metaAndAssetCtxs(), 'metaAndAssetCtxs');
    assert.equal(m2.universe.length, 3);
    assert.equal(ctxs[BTC].markPx, '100000');
    assert.equal(ctxs[ETH].oraclePx, '3500');
    const mids = S.mustMatch(S.AllMids, await d.info.allMids(), 'allMids');
    assert.deepEqual(Object.keys(mids), ['BTC', 'ETH', 'SOL']);
  });

  it('Gtc rests, shows in the book and in (frontend) open orders; Alo rests and refuses to cross', async () => {
    const bid = restingOid(await maker.exchange.order({ orders: [{ a: BTC, b: true, p: '99000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' }));
    const ask = restingOid(await maker.exchange.order({ orders: [{ a: BTC, b: false, p: '101000', s: '0.01', r: false, t: { limit: { tif: 'Alo' } } }], grouping: 'na' }));
    const book = S.mustMatch(S.L2Book, await d.info.l2Book({ coin: 'BTC' }), 'l2Book')!;
    assert.deepEqual(book.levels, [[{ px: '99000', sz: '0.01', n: 1 }], [{ px: '101000', sz: '0.01', n: 1 }]]);
    const oo = await openOrders(maker);
    assert.deepEqual(
      oo.map((o) => [o.oid, o.side, o.limitPx, o.sz]),
      [
        [ask, 'A', '101000', '0.01'],
        [bid, 'B', '99000', '0.01'],
      ],
    );
    const fo = S.mustMatch(S.FrontendOpenOrders, await d.info.frontendOpenOrders({ user: maker.address }), 'frontendOpenOrders');
    assert.deepEqual(
      fo.map((o) => [o.oid, o.orderType, o.tif, o.isTrigger, o.triggerCondition]),
      [
        [ask, 'Limit', 'Alo', false, 'N/A'],
        [bid, 'Limit', 'Gtc', false, 'N/A'],
      ],
    );
    const crossing = await refusal(maker.exchange.order({ orders: [{ a: BTC, b: false, p: '98000', s: '0.01', r: false, t: { limit: { tif: 'Alo' } } }], grouping: 'na' }));
    S.mustMatch(S.OrderResponse, crossing.response, 'order response');
    assert.match(crossing.message, /Post only order would have immediately matched, bbo was 99000@101000\. asset=0/);
    assert.equal((await openOrders(maker)).length, 2);
  });

  it('Ioc fills against the book (avgPx, fills read back); an Ioc that cannot match is an error status', async () => {
    const r = await taker.exchange.order({ orders: [{ a: BTC, b: false, p: '98000', s: '0.004', r: false, t: { limit: { tif: 'Ioc' } } }], grouping: 'na' });
    S.mustMatch(S.OrderResponse, r, 'order response');
    const filled = statusesOf(r)[0].filled as Record<string, unknown>;
    assert.deepEqual([filled.totalSz, filled.avgPx], ['0.004', '99000']);
    const noMatch = await refusal(taker.exchange.order({ orders: [{ a: BTC, b: false, p: '99500', s: '0.001', r: false, t: { limit: { tif: 'Ioc' } } }], grouping: 'na' }));
    assert.match(noMatch.message, /Order could not immediately match against any resting orders\. asset=0/);

    const tf = S.mustMatch(S.UserFills, await d.info.userFills({ user: taker.address }), 'userFills');
    assert.equal(tf.length, 1);
    assert.deepEqual([tf[0].coin, tf[0].px, tf[0].sz, tf[0].side, tf[0].dir, tf[0].crossed, tf[0].startPosition, tf[0].fee, tf[0].oid], ['BTC', '99000', '0.004', 'A', 'Open Short', true, '0', '0.198', filled.oid]);
    const mf = S.mustMatch(S.UserFills, await d.info.userFills({ user: maker.address }), 'userFills');
    assert.deepEqual([mf[0].side, mf[0].dir, mf[0].crossed, mf[0].fee], ['B', 'Open Long', false, '0.0792']);
    const byTime = S.mustMatch(S.UserFills, await d.info.userFillsByTime({ user: taker.address, startTime: tf[0].time, endTime: tf[0].time }), 'userFillsByTime');
    assert.equal(byTime.length, 1);
    assert.equal((await d.info.userFillsByTime({ user: taker.address, startTime: tf[0].time + 1 })).length, 0);

    const st = S.mustMatch(S.ClearinghouseState, await d.info.clearinghouseState({ user: taker.address }), 'clearinghouseState');
    assert.equal(st.assetPositions.length, 1);
    const p = st.assetPositions[0].position;
    assert.deepEqual([p.coin, p.szi, p.entryPx, p.positionValue, p.unrealizedPnl, p.leverage.type, p.leverage.value], ['BTC', '-0.004', '99000', '400', '-4', 'isolated', 20]);
    const book = (await d.info.l2Book({ coin: 'BTC' }))!;
    assert.deepEqual(book.levels[0], [{ px: '99000', sz: '0.006', n: 1 }]);
  });

  it('a market order (FrontendMarket) fills up to its slippage price; reduce-only shrinks to the position, then refuses', async () => {
    const m = await taker.exchange.order({ orders: [{ a: BTC, b: true, p: '102000', s: '0.002', r: false, t: { limit: { tif: 'FrontendMarket' } } }], grouping: 'na' });
    assert.deepEqual(statusesOf(m)[0].filled, { totalSz: '0.002', avgPx: '101000', oid: (statusesOf(m)[0].filled as { oid: number }).oid });
    // taker is short 0.002: a reduce-only buy of 0.005 fills only 0.002
    const ro = await taker.exchange.order({ orders: [{ a: BTC, b: true, p: '101000', s: '0.005', r: true, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' });
    assert.equal((statusesOf(ro)[0].filled as { totalSz: string }).totalSz, '0.002');
    const fills = await d.info.userFills({ user: taker.address });
    assert.deepEqual(
      fills.map((f) => [f.dir, f.sz]),
      [
        ['Close Short', '0.002'],
        ['Close Short', '0.002'],
        ['Open Short', '0.004'],
      ],
    );
    assert.equal(fills[0].closedPnl, '-4'); // bought back at 101000 what was sold at 99000: 0.002 × −2000
    const flat = await refusal(taker.exchange.order({ orders: [{ a: BTC, b: true, p: '101000', s: '0.001', r: true, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' }));
    assert.match(flat.message, /Reduce only order would increase position\. asset=0/);
    assert.equal((await d.info.clearinghouseState({ user: taker.address })).assetPositions.length, 0);
  });

  it('cloids: echoed, cancelled by cloid, found by orderStatus; cancel by oid, twice', async () => {
    const c = '0x' + '1234567890abcdef'.repeat(2);
    const r = await maker.exchange.order({ orders: [{ a: ETH, b: true, p: '3400', s: '0.5', r: false, t: { limit: { tif: 'Gtc' } }, c }], grouping: 'na' });
    S.mustMatch(S.OrderResponse, r, 'order response');
    const resting = statusesOf(r)[0].resting as { oid: number; cloid: string };
    assert.equal(resting.cloid, c);
    const live = S.mustMatch(S.OrderStatus, await d.info.orderStatus({ user: maker.address, oid: c as `0x${string}` }), 'orderStatus');
    assert.equal(live.status === 'order' && live.order.status, 'open');
    const cancelled = S.mustMatch(S.CancelResponse, await maker.exchange.cancelByCloid({ cancels: [{ asset: ETH, cloid: c as `0x${string}` }] }), 'cancel response');
    assert.deepEqual(cancelled.response.data.statuses, ['success']);
    const gone = S.mustMatch(S.OrderStatus, await d.info.orderStatus({ user: maker.address, oid: resting.oid }), 'orderStatus');
    assert.ok(gone.status === 'order' && gone.order.status === 'canceled' && gone.order.order.cloid === c);
    assert.deepEqual(S.mustMatch(S.OrderStatus, await d.info.orderStatus({ user: maker.address, oid: 999_999 }), 'orderStatus'), { status: 'unknownOid' });

    const oid = restingOid(await maker.exchange.order({ orders: [{ a: ETH, b: true, p: '3400', s: '0.5', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' }));
    assert.deepEqual(S.mustMatch(S.CancelResponse, await maker.exchange.cancel({ cancels: [{ a: ETH, o: oid }] }), 'cancel').response.data.statuses, ['success']);
    const again = await refusal(maker.exchange.cancel({ cancels: [{ a: ETH, o: oid }] }));
    S.mustMatch(S.CancelResponse, again.response, 'cancel response');
    assert.match(again.message, /Order was never placed, already canceled, or filled\. asset=1/);
  });

  it('batches: several orders in one action get one status each, in order', async () => {
    const r = await maker.exchange.order({
      orders: [
        { a: ETH, b: true, p: '3400', s: '0.1', r: false, t: { limit: { tif: 'Gtc' } } },
        { a: ETH, b: true, p: '3400.005', s: '0.1', r: false, t: { limit: { tif: 'Gtc' } } },
        { a: ETH, b: true, p: '3390', s: '0.1', r: false, t: { limit: { tif: 'Gtc' } } },
      ],
      grouping: 'na',
    }).catch((e: ApiRequestError) => e.response);
    S.mustMatch(S.OrderResponse, r, 'order response');
    const st = statusesOf(r);
    assert.ok(st[0].resting && st[2].resting);
    assert.match(String(st[1].error), /invalid price: 3400\.005 has 3 decimals; ETH allows at most 2/);
    const oids = [st[0], st[2]].map((s) => (s.resting as { oid: number }).oid);
    const c = await maker.exchange.cancel({ cancels: oids.map((o) => ({ a: ETH, o })) });
    assert.deepEqual(c.response.data.statuses, ['success', 'success']);
  });

  it('modify: a price change keeps the oid; a change of TIF replaces the order; batchModify answers per order', async () => {
    const oid = restingOid(await maker.exchange.order({ orders: [{ a: ETH, b: true, p: '3400', s: '0.2', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' }));
    S.mustMatch(S.SuccessResponse, await maker.exchange.modify({ oid, order: { a: ETH, b: true, p: '3410', s: '0.3', r: false, t: { limit: { tif: 'Gtc' } } } }), 'modify');
    let oo = (await openOrders(maker)).filter((o) => o.coin === 'ETH');
    assert.deepEqual(
      oo.map((o) => [o.oid, o.limitPx, o.sz]),
      [[oid, '3410', '0.3']],
    );
    const bm = await maker.exchange.batchModify({
      modifies: [
        { oid, order: { a: ETH, b: true, p: '3420', s: '0.3', r: false, t: { limit: { tif: 'Gtc' } } } },
        { oid: 123_456, order: { a: ETH, b: true, p: '3420', s: '0.3', r: false, t: { limit: { tif: 'Gtc' } } } },
      ],
    }).catch((e: ApiRequestError) => e.response);
    S.mustMatch(S.OrderResponse, bm, 'batchModify response');
    const st = statusesOf(bm);
    assert.deepEqual(st[0], { resting: { oid } });
    assert.match(String(st[1].error), /Cannot modify canceled or filled order/);
    // Alo instead of Gtc: a new order replaces the old one
    S.mustMatch(S.SuccessResponse, await maker.exchange.modify({ oid, order: { a: ETH, b: true, p: '3420', s: '0.1', r: false, t: { limit: { tif: 'Alo' } } } }), 'modify');
    oo = (await openOrders(maker)).filter((o) => o.coin === 'ETH');
    assert.equal(oo.length, 1);
    assert.notEqual(oo[0].oid, oid);
    assert.deepEqual([oo[0].limitPx, oo[0].sz], ['3420', '0.1']);
    const old = await d.info.orderStatus({ user: maker.address, oid });
    assert.ok(old.status === 'order' && old.order.status === 'canceled');
    await maker.exchange.cancel({ cancels: [{ a: ETH, o: oo[0].oid as number }] });
    const bad = await refusal(maker.exchange.modify({ oid, order: { a: ETH, b: true, p: '3420', s: '0.1', r: false, t: { limit: { tif: 'Gtc' } } } }));
    S.mustMatch(S.ErrorResponse, bad.response, 'modify error');
  });

  it('updateLeverage sets isolated leverage; cross margin and updateIsolatedMargin are refused with a reason', async () => {
    S.mustMatch(S.SuccessResponse, await taker.exchange.updateLeverage({ asset: BTC, isCross: false, leverage: 10 }), 'updateLeverage');
    const cross = await refusal(taker.exchange.updateLeverage({ asset: BTC, isCross: true, leverage: 10 }));
    S.mustMatch(S.ErrorResponse, cross.response, 'error');
    assert.match(cross.message, /Cross margin is not supported/);
    const tooHigh = await refusal(taker.exchange.updateLeverage({ asset: BTC, isCross: false, leverage: 500 }));
    assert.match(tooHigh.message, /Invalid leverage value 500/);
    const margin = await refusal(taker.exchange.updateIsolatedMargin({ asset: BTC, isBuy: true, ntli: 1_000_000 }));
    S.mustMatch(S.ErrorResponse, margin.response, 'error');
    assert.match(margin.message, /updateIsolatedMargin is not supported/);
    // a new position now takes 10x margin: 0.001 BTC at 99000 = $99 → $9.9 of margin
    await taker.exchange.order({ orders: [{ a: BTC, b: false, p: '99000', s: '0.001', r: false, t: { limit: { tif: 'Ioc' } } }], grouping: 'na' });
    const p = (await d.info.clearinghouseState({ user: taker.address })).assetPositions[0].position;
    assert.deepEqual([p.szi, p.leverage.value, p.leverage.type === 'isolated' && p.leverage.rawUsd], ['-0.001', 10, '108.9']);
  });

  it('trigger orders: TP and SL grouped one-cancels-other; the TP fires on a mark move and the SL is cancelled', async () => {
    // taker is short 0.001 BTC (previous test). TP: buy back below 98000; SL: buy back above 104000.
    const r = await taker.exchange.order({
      orders: [
        { a: BTC, b: true, p: '99500', s: '0.001', r: true, t: { trigger: { isMarket: false, triggerPx: '98000', tpsl: 'tp' } } },
        { a: BTC, b: true, p: '105000', s: '0.001', r: true, t: { trigger: { isMarket: true, triggerPx: '104000', tpsl: 'sl' } } },
      ],
      grouping: 'positionTpsl',
    });
    S.mustMatch(S.OrderResponse, r, 'order response');
    const [tp, sl] = statusesOf(r).map((s) => (s.resting as { oid: number }).oid);
    const fo = S.mustMatch(S.FrontendOpenOrders, await d.info.frontendOpenOrders({ user: taker.address }), 'frontendOpenOrders');
    assert.deepEqual(
      fo.map((o) => [o.oid, o.orderType, o.isTrigger, o.triggerPx, o.triggerCondition, o.reduceOnly, o.tif]),
      [
        [sl, 'Stop Market', true, '104000', 'Price above 104000', true, null],
        [tp, 'Take Profit Limit', true, '98000', 'Price below 98000', true, null],
      ],
    );
    // someone to buy from at 99200 (above the best bid), then the mark falls to 97,950 (ticks of 0.1)
    const lp = d.trader();
    await open(lp);
    await lp.exchange.order({ orders: [{ a: BTC, b: false, p: '99200', s: '0.001', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' });
    const mark = new Command();
    mark.op = Op.SET_MARK_PRICE;
    mark.marketId = BTC;
    mark.value = 979_500;
    assert.equal(d.handle.runtime.submit(mark), 0);
    const tpDone = await eventually(async () => {
      const s = await d.info.orderStatus({ user: taker.address, oid: tp });
      return s.status === 'order' && s.order.status === 'filled' ? s : undefined;
    });
    S.mustMatch(S.OrderStatus, tpDone, 'orderStatus');
    const slDone = await d.info.orderStatus({ user: taker.address, oid: sl });
    assert.ok(slDone.status === 'order' && slDone.order.status === 'siblingFilledCanceled');
    assert.equal((await d.info.clearinghouseState({ user: taker.address })).assetPositions.length, 0);
    assert.equal((await d.info.frontendOpenOrders({ user: taker.address })).length, 0);
    // back to the initial mark for the tests that follow
    mark.reset();
    mark.op = Op.SET_MARK_PRICE;
    mark.marketId = BTC;
    mark.value = 1_000_000;
    d.handle.runtime.submit(mark);
  });

  it('candleSnapshot aggregates the trades; l2Book aggregates levels with nSigFigs and mantissa', async () => {
    const now = Date.now();
    const candles = S.mustMatch(S.Candles, await d.info.candleSnapshot({ coin: 'BTC', interval: '1m', startTime: now - 3_600_000, endTime: now }), 'candleSnapshot');
    assert.ok(candles.length >= 1);
    const n = candles.reduce((a, c) => a + c.n, 0);
    assert.ok(n >= 4, `expected the BTC trades in 1m candles, got ${n}`);
    assert.ok(candles.every((c) => c.s === 'BTC' && c.i === '1m' && c.T === c.t + 59_999));
    // a few SOL levels (at most 5 significant figures: 150.123 would be refused)
    for (const p of ['150.12', '150.13', '150.2', '151']) {
      await maker.exchange.order({ orders: [{ a: 2, b: true, p, s: '1', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' });
    }
    const full = (await d.info.l2Book({ coin: 'SOL' }))!;
    assert.deepEqual(full.levels[0].map((l) => l.px), ['151', '150.2', '150.13', '150.12']);
    const four = S.mustMatch(S.L2Book, await d.info.l2Book({ coin: 'SOL', nSigFigs: 4 }), 'l2Book')!;
    assert.deepEqual(four.levels[0], [
      { px: '151', sz: '1', n: 1 },
      { px: '150.2', sz: '1', n: 1 },
      { px: '150.1', sz: '2', n: 2 },
    ]);
    const two = (await d.info.l2Book({ coin: 'SOL', nSigFigs: 2 }))!;
    assert.deepEqual(two.levels[0], [{ px: '150', sz: '4', n: 4 }]);
    const m5 = (await d.info.l2Book({ coin: 'SOL', nSigFigs: 5, mantissa: 5 }))!;
    assert.deepEqual(m5.levels[0].map((l) => l.px), ['151', '150.2', '150.1']);
    assert.equal(await d.info.l2Book({ coin: 'DOGE' }), null);
  });

  it('an approved agent trades for its master; scheduleCancel cancels everything at its time', async () => {
    const agentWallet = privateKeyToAccount(generatePrivateKey());
    S.mustMatch(S.SuccessResponse, await maker.exchange.approveAgent({ agentAddress: agentWallet.address, agentName: 'bot' }), 'approveAgent');
    const agent = new ExchangeClient({ transport: d.http, wallet: agentWallet });
    const oid = restingOid(await agent.order({ orders: [{ a: ETH, b: false, p: '3600', s: '0.3', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' }));
    assert.ok((await openOrders(maker)).some((o) => o.oid === oid));
    const early = await refusal(maker.exchange.scheduleCancel({ time: Date.now() + 1_000 }));
    assert.match(early.message, /at least 5 seconds/);
    S.mustMatch(S.SuccessResponse, await agent.scheduleCancel({ time: Date.now() + 5_200 }), 'scheduleCancel');
    await sleep(5_000);
    const before = (await openOrders(maker)).length;
    assert.ok(before >= 2);
    await eventually(async () => ((await openOrders(maker)).length === 0 ? true : undefined), 3_000, 'scheduled cancel');
    const s = await d.info.orderStatus({ user: maker.address, oid });
    assert.ok(s.status === 'order' && s.order.status === 'scheduledCancel');
  });
});
