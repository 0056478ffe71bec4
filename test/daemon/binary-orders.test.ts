/**
 * The real daemon on loopback, driven by the real binary client over real sockets:
 * logins and order life cycles for every order type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelReason, Code } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import { OrderFlag, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import type { AcceptedReport, CancelledReport, DoneReport, FillReport, RejectedReport, TriggeredReport } from '../../gateway/binary/client-decode.js';
import { DoneStatus, Liquidity } from '../../gateway/binary/frames.js';
import { FrameRecorder, startTestDaemon, type TestDaemon } from '../support/daemon.js';

const BTC = 0;
const ETH = 1;
const MARK = 1_000_000; // BTC-PERP initial mark: $100,000 in 0.1 ticks
const LOT = 1; // 0.00001 BTC
const USDC = 1_000_000;

function accepted(r: AcceptedReport | RejectedReport): AcceptedReport {
  assert.equal(r.kind, 'accepted', `expected ACCEPTED, got ${JSON.stringify(r)}`);
  return r as AcceptedReport;
}
function rejected(r: AcceptedReport | RejectedReport | CancelledReport | { kind: string }): RejectedReport {
  assert.equal(r.kind, 'rejected', `expected REJECTED, got ${JSON.stringify(r)}`);
  return r as RejectedReport;
}

describe('binary gateway: logins and order life cycles against the real daemon', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon({ workers: 2 });
  });
  after(async () => {
    await d.close();
    assert.deepEqual(d.fatal, []);
  });

  it('a new key logs in with account 0 in demo mode and gets a funded account of its own', async () => {
    const a = await d.demoClient();
    const b = await d.demoClient();
    assert.ok(a.accountId >= 1 && b.accountId >= 1 && a.accountId !== b.accountId);
    assert.equal(d.handle.ledger.freeMicros(a.accountId), d.config.demoCreditMicros);
    // Logging in again with the same key reaches the same account.
    const { BinaryClient } = await import('../../gateway/client/binary-client.js');
    const again = await BinaryClient.connect({ url: d.url, accountId: 0, privateKey: a.privateKey });
    const ok = await again.login().catch((e: Error) => e);
    assert.ok(ok instanceof Error, 'a second LOGIN on a logged-in connection is refused');
    again.terminate();
    const fresh = new BinaryClient({ url: d.url, accountId: a.accountId, privateKey: a.privateKey });
    await fresh.open();
    assert.equal((await fresh.login()).accountId, a.accountId);
    fresh.terminate();
  });

  it('reports reach every session of the account; only the session that sent the order sees its requestId', async () => {
    const a = await d.demoClient();
    const { BinaryClient } = await import('../../gateway/client/binary-client.js');
    const second = new BinaryClient({ url: d.url, accountId: a.accountId, privateKey: a.privateKey });
    await second.open();
    assert.equal((await second.login()).accountId, a.accountId);
    const first = new FrameRecorder(a.client);
    const other = new FrameRecorder(second);
    const counterparty = await d.demoClient();
    try {
      const ask = accepted(await a.client.placeOrder({ marketId: ETH, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: 350_100, sizeLots: 10 }));
      const mine = await first.wait<AcceptedReport>('accepted', (r) => r.orderId === ask.orderId);
      const theirs = await other.wait<AcceptedReport>('accepted', (r) => r.orderId === ask.orderId);
      assert.ok(mine.requestId > 0, 'the sender gets its requestId back');
      assert.equal(theirs.requestId, 0, 'the account\'s other session gets the report unsolicited');
      assert.deepEqual({ ...theirs, requestId: mine.requestId }, mine, 'otherwise the same report');
      // A fill caused by someone else's order is unsolicited for both sessions of the maker.
      await counterparty.client.placeOrder({ marketId: ETH, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.IOC, priceTicks: 350_100, sizeLots: 4 });
      const f1 = await first.wait<FillReport>('fill', (f) => f.orderId === ask.orderId);
      const f2 = await other.wait<FillReport>('fill', (f) => f.orderId === ask.orderId);
      assert.deepEqual([f1.requestId, f2.requestId], [0, 0]);
      assert.deepEqual(f2, f1);
      // The owner's cancel: the cancelling session sees its requestId on CANCELLED, the other 0.
      const c = await a.client.cancel({ marketId: ETH, orderId: ask.orderId });
      assert.equal(c.kind, 'cancelled');
      const c1 = await first.wait<CancelledReport>('cancelled', (x) => x.orderId === ask.orderId);
      const c2 = await other.wait<CancelledReport>('cancelled', (x) => x.orderId === ask.orderId);
      assert.ok(c1.requestId > 0 && c1.requestId !== mine.requestId);
      assert.equal(c2.requestId, 0);
      assert.equal(c2.remainingLots, 6);
    } finally {
      second.terminate();
    }
  });

  it('a resting GTC order fills against a crossing order: both sides get FILL with fees, the filled order gets DONE', async () => {
    const maker = await d.demoClient();
    const taker = await d.demoClient();
    const mr = new FrameRecorder(maker.client);
    const tr = new FrameRecorder(taker.client);
    const ask = accepted(await maker.client.placeOrder({ marketId: BTC, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK + 10, sizeLots: 10_000 * LOT }));
    assert.equal(ask.acceptedSizeLots, 10_000);
    const bid = accepted(await taker.client.placeOrder({ marketId: BTC, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK + 20, sizeLots: 4_000 * LOT }));
    const tf = await tr.wait<FillReport>('fill');
    assert.equal(tf.orderId, bid.orderId);
    assert.equal(tf.liquidity, Liquidity.TAKER);
    assert.equal(tf.priceTicks, MARK + 10, 'fills at the maker price');
    assert.equal(tf.sizeLots, 4_000);
    // notional = 4,000 lots × 1,000,010 ticks × 1 micro = $40,000.40 → taker 0.05% = 20.0002 USDC, rounded up
    assert.equal(tf.feeMicros, Math.ceil((4_000 * (MARK + 10) * 500) / 1_000_000));
    const mf = await mr.wait<FillReport>('fill', (f) => f.orderId === ask.orderId);
    assert.equal(mf.liquidity, Liquidity.MAKER);
    assert.equal(mf.remainingLots, 6_000);
    assert.equal(mf.feeMicros, Math.ceil((4_000 * (MARK + 10) * 200) / 1_000_000));
    await tr.wait<DoneReport>('done', (x) => x.orderId === bid.orderId && x.status === DoneStatus.FILLED);
    assert.equal(mr.of<DoneReport>('done').length, 0, 'the partly filled maker is still open');
    assert.equal(d.handle.ledger.positionLots(taker.accountId, BTC), 4_000);
    assert.equal(d.handle.ledger.positionLots(maker.accountId, BTC), -4_000);
    // clean up the rest of the ask
    await maker.client.cancel({ marketId: BTC, orderId: ask.orderId });
  });

  it('IOC and market orders cancel their unfilled rest; FOK and post-only refuse instead of partially acting', async () => {
    const maker = await d.demoClient();
    const taker = await d.demoClient();
    const ask = accepted(await maker.client.placeOrder({ marketId: ETH, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: 350_100, sizeLots: 500 }));
    const tr = new FrameRecorder(taker.client);
    const ioc = accepted(await taker.client.placeOrder({ marketId: ETH, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.IOC, priceTicks: 350_100, sizeLots: 200 }));
    assert.equal(ioc.acceptedSizeLots, 200);
    const fok = rejected(await taker.client.placeOrder({ marketId: ETH, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.FOK, priceTicks: 350_100, sizeLots: 301 }));
    assert.equal(fok.code, Code.FOK_CANNOT_FILL);
    const post = rejected(await taker.client.placeOrder({ marketId: ETH, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, flags: OrderFlag.POST_ONLY, priceTicks: 350_200, sizeLots: 1 }));
    assert.equal(post.code, Code.POST_ONLY_WOULD_CROSS);
    const mkt = accepted(await taker.client.placeOrder({ marketId: ETH, side: Side.BUY, orderType: OrderType.MARKET, tif: TimeInForce.IOC, priceTicks: 0, sizeLots: 1_000 }));
    const rest = await tr.wait<CancelledReport>('cancelled', (c) => c.orderId === mkt.orderId);
    assert.equal(rest.reason, CancelReason.MARKET_REMAINDER);
    assert.equal(rest.remainingLots, 700, '300 filled against the remaining ask, 700 found nothing within the band');
    // an IOC crossing nothing
    const ioc2 = accepted(await taker.client.placeOrder({ marketId: ETH, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.IOC, priceTicks: 349_000, sizeLots: 5 }));
    const c2 = await tr.wait<CancelledReport>('cancelled', (c) => c.orderId === ioc2.orderId);
    assert.equal(c2.reason, CancelReason.IOC_REMAINDER);
    assert.ok(tr.of<CancelledReport>('cancelled').every((c) => c.orderId !== ioc.orderId), 'the fully filled IOC is done, not cancelled');
    await tr.wait<DoneReport>('done', (x) => x.orderId === ioc.orderId && x.status === DoneStatus.FILLED);
    assert.equal(d.handle.ledger.positionLots(taker.accountId, ETH), 500);
    void ask;
  });

  it('reduce-only refuses to open a position; self-trade prevention expires the taker without a trade', async () => {
    const a = await d.demoClient();
    const ro = rejected(await a.client.placeOrder({ marketId: BTC, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, flags: OrderFlag.REDUCE_ONLY, priceTicks: MARK, sizeLots: 1 }));
    assert.equal(ro.code, Code.REDUCE_ONLY_WOULD_INCREASE);
    const bid = accepted(await a.client.placeOrder({ marketId: BTC, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK - 500, sizeLots: 7 }));
    const ar = new FrameRecorder(a.client);
    const sell = accepted(
      await a.client.placeOrder({ marketId: BTC, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, stpMode: StpMode.EXPIRE_TAKER, priceTicks: MARK - 500, sizeLots: 7 }),
    );
    const c = await ar.wait<CancelledReport>('cancelled', (x) => x.orderId === sell.orderId);
    assert.equal(c.reason, CancelReason.STP_TAKER);
    assert.equal(ar.of<FillReport>('fill').length, 0);
    await a.client.cancel({ marketId: BTC, orderId: bid.orderId });
  });

  it('cancel, cancel by cloid, modify (re-queue and in-place decrease) and mass cancel', async () => {
    const a = await d.demoClient();
    const cloid = '0123456789abcdef0123456789abcdef';
    const o1 = accepted(await a.client.placeOrder({ marketId: BTC, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK - 1_000, sizeLots: 50, cloid }));
    assert.equal(o1.cloid, cloid, 'ACCEPTED echoes the cloid');
    const dup = rejected(await a.client.placeOrder({ marketId: BTC, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK - 1_000, sizeLots: 50, cloid }));
    assert.equal(dup.code, Code.DUPLICATE_CLOID);
    const byCloid = await a.client.cancelByCloid({ marketId: BTC, cloid });
    assert.equal(byCloid.kind, 'cancelled');
    assert.equal((byCloid as CancelledReport).orderId, o1.orderId);
    const unknown = rejected(await a.client.cancel({ marketId: BTC, orderId: o1.orderId }));
    assert.equal(unknown.code, Code.UNKNOWN_ORDER);

    const o2 = accepted(await a.client.placeOrder({ marketId: BTC, side: Side.BUY, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK - 1_000, sizeLots: 50 }));
    const dec = await a.client.modify({ marketId: BTC, orderId: o2.orderId, side: Side.BUY, newPriceTicks: MARK - 1_000, newSizeLots: 20 });
    assert.equal(dec.kind, 'modified');
    assert.equal(dec.kind === 'modified' && dec.requeued, false);
    const moved = await a.client.modify({ marketId: BTC, orderId: o2.orderId, side: Side.BUY, newPriceTicks: MARK - 900, newSizeLots: 0 });
    assert.equal(moved.kind === 'modified' && moved.requeued, true);
    assert.equal(moved.kind === 'modified' && moved.newRemainingLots, 20);

    accepted(await a.client.placeOrder({ marketId: ETH, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: 360_000, sizeLots: 3 }));
    const ack = await a.client.massCancel();
    assert.equal(ack.value, 2, 'one BTC bid and one ETH ask cancelled');
    const other = await d.demoClient();
    const foreign = rejected(await other.client.cancel({ marketId: BTC, orderId: o2.orderId }));
    assert.equal(foreign.code, Code.UNKNOWN_ORDER, 'already cancelled by the mass cancel');
  });

  it('stop and take-profit triggers park, fire on a mark price input and are paired one-cancels-other', async () => {
    const a = await d.demoClient();
    const mm = await d.demoClient();
    // Liquidity for the stop to hit.
    accepted(await mm.client.placeOrder({ marketId: BTC, side: Side.SELL, orderType: OrderType.LIMIT, tif: TimeInForce.GTC, priceTicks: MARK + 2_000, sizeLots: 100 }));
    const stop = accepted(
      await a.client.placeOrder({ marketId: BTC, side: Side.BUY, orderType: OrderType.MARKET, tif: TimeInForce.IOC, priceTicks: 0, sizeLots: 30, triggerKind: TriggerKind.STOP, triggerPriceTicks: MARK + 1_000 }),
    );
    assert.equal(stop.isTrigger, true);
    const tp = accepted(
      await a.client.placeOrder({
        marketId: BTC,
        side: Side.BUY,
        orderType: OrderType.MARKET,
        tif: TimeInForce.IOC,
        priceTicks: 0,
        sizeLots: 30,
        triggerKind: TriggerKind.TAKE_PROFIT,
        triggerPriceTicks: MARK - 1_000,
        ocoOrderId: stop.orderId,
      }),
    );
    const ar = new FrameRecorder(a.client);
    const triggered = ar.wait<TriggeredReport>('triggered', (t) => t.orderId === stop.orderId);
    const ocoCancel = ar.wait<CancelledReport>('cancelled', (c) => c.orderId === tp.orderId);
    const fill = ar.wait<FillReport>('fill', (f) => f.orderId === stop.orderId);
    const mark = new Command();
    mark.op = Op.SET_MARK_PRICE;
    mark.marketId = BTC;
    mark.value = MARK + 1_000;
    assert.equal(d.handle.runtime.submit(mark), Code.OK);
    assert.equal((await triggered).markPriceTicks, MARK + 1_000);
    assert.equal((await ocoCancel).reason, CancelReason.OCO);
    const f = await fill;
    assert.equal(f.priceTicks, MARK + 2_000);
    assert.equal(f.sizeLots, 30);
    void USDC;
  });
});
