/**
 * The JSON WebSocket (/ws) driven by the SDK's WebSocketTransport and
 * SubscriptionClient: every subscription receives its updates (shape-checked),
 * info and actions travel as `post`, unsubscribe stops the flow, ping answers pong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InfoClient } from '@nktkas/hyperliquid';
import WebSocket from 'ws';
import * as S from './hl-shapes.js';
import { eventually, sleep, startJsonTestDaemon, type JsonTestDaemon } from './support.js';

const BTC = 0;

describe('JSON API over WebSocket with the Hyperliquid SDK', () => {
  let d: JsonTestDaemon;
  before(async () => {
    d = await startJsonTestDaemon({}, { jsonApi: { marketDataIntervalMs: 20 } });
  });
  after(async () => {
    await d.close();
    assert.deepEqual(d.fatal, []);
  });

  it('subscriptions receive book, trade, bbo, mid, order and fill updates; info and actions go as post', async () => {
    const ws = d.ws();
    await ws.ready();
    const sub = d.subscriptions(ws);
    const info = new InfoClient({ transport: ws });
    const maker = d.trader(ws);
    const taker = d.trader(ws);
    // info over post opens the demo accounts
    S.mustMatch(S.ClearinghouseState, await info.clearinghouseState({ user: maker.address }), 'clearinghouseState (post)');
    await info.clearinghouseState({ user: taker.address });

    const got: Record<string, unknown[]> = { l2: [], l2agg: [], trades: [], bbo: [], mids: [], orders: [], fills: [], events: [] };
    const subs = [
      await sub.l2Book({ coin: 'BTC' }, (e) => got.l2.push(S.mustMatch(S.L2BookEvent, e, 'l2Book event'))),
      await sub.l2Book({ coin: 'BTC', nSigFigs: 2 }, (e) => got.l2agg.push(S.mustMatch(S.L2BookEvent, e, 'l2Book event'))),
      await sub.trades({ coin: 'BTC' }, (e) => got.trades.push(S.mustMatch(S.TradesEvent, e, 'trades event'))),
      await sub.bbo({ coin: 'BTC' }, (e) => got.bbo.push(S.mustMatch(S.BboEvent, e, 'bbo event'))),
      await sub.allMids((e) => got.mids.push(S.mustMatch(S.AllMidsEvent, e, 'allMids event'))),
      await sub.orderUpdates({ user: maker.address }, (e) => got.orders.push(S.mustMatch(S.OrderUpdatesEvent, e, 'orderUpdates event'))),
      await sub.userFills({ user: taker.address }, (e) => got.fills.push(S.mustMatch(S.UserFillsEvent, e, 'userFills event'))),
      await sub.userEvents({ user: taker.address }, (e) => got.events.push(S.mustMatch(S.UserEventsEvent, e, 'userEvents event'))),
    ];
    // initial snapshots: empty book, the fills snapshot
    await eventually(() => (got.l2.length > 0 && got.bbo.length > 0 && got.mids.length > 0 && got.fills.length > 0 ? true : undefined), 3_000, 'snapshots');
    assert.deepEqual((got.fills[0] as { isSnapshot?: boolean; fills: unknown[] }).isSnapshot, true);

    const placed = await maker.exchange.order({ orders: [{ a: BTC, b: false, p: '100100', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' });
    S.mustMatch(S.OrderResponse, placed, 'order response (post)');
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    await eventually(() => (got.l2.some((e) => (e as { levels: unknown[][] }).levels[1].length === 1) ? true : undefined), 3_000, 'book update');
    const bought = await taker.exchange.order({ orders: [{ a: BTC, b: true, p: '100500', s: '0.004', r: false, t: { limit: { tif: 'Ioc' } } }], grouping: 'na' });
    assert.deepEqual((bought.response.data.statuses[0] as { filled: { totalSz: string; avgPx: string } }).filled.avgPx, '100100');
    await eventually(() => (got.trades.length > 0 && got.fills.length > 1 && got.events.length > 0 ? true : undefined), 3_000, 'trade and fill pushes');
    const trade = (got.trades[0] as Record<string, unknown>[])[0];
    assert.deepEqual([trade.coin, trade.side, trade.px, trade.sz, (trade.users as string[])[0]], ['BTC', 'B', '100100', '0.004', taker.address]);
    const fill = (got.fills[1] as { user: string; fills: Record<string, unknown>[] }).fills[0];
    assert.deepEqual([fill.px, fill.sz, fill.side, fill.dir], ['100100', '0.004', 'B', 'Open Long']);
    assert.deepEqual(((got.events[0] as { fills: Record<string, unknown>[] }).fills[0]).tid, fill.tid);
    await eventually(() => {
      const statuses = got.orders.flatMap((e) => (e as { status: string; order: { oid: number; sz: string } }[]).filter((u) => u.order.oid === oid));
      return statuses.some((u) => u.status === 'open') ? true : undefined;
    }, 3_000, 'orderUpdates open');
    await maker.exchange.cancel({ cancels: [{ a: BTC, o: oid }] });
    await eventually(() => (got.orders.flat().some((u) => (u as { status: string; order: { oid: number } }).status === 'canceled' && (u as { order: { oid: number } }).order.oid === oid) ? true : undefined), 3_000, 'orderUpdates canceled');
    await eventually(() => (got.bbo.some((e) => (e as { bbo: unknown[] }).bbo[1] !== null) ? true : undefined), 3_000, 'bbo with an ask');
    await eventually(() => (got.mids.length > 1 ? true : undefined), 3_000, 'allMids update');
    // the aggregated book (2 significant figures: asks round up to 110,000) saw the ask, then saw it go
    assert.ok(got.l2agg.some((e) => JSON.stringify((e as { levels: unknown[][] }).levels[1]) === JSON.stringify([{ px: '110000', sz: '0.01', n: 1 }])));
    await eventually(() => ((got.l2agg[got.l2agg.length - 1] as { levels: unknown[][] }).levels[1].length === 0 ? true : undefined), 3_000, 'aggregated book without the ask');

    // unsubscribe: no more book updates
    await subs[0].unsubscribe();
    const before = got.l2.length;
    await maker.exchange.order({ orders: [{ a: BTC, b: true, p: '99000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } }], grouping: 'na' });
    await sleep(150);
    assert.equal(got.l2.length, before);
    assert.ok(got.l2agg.length > 0);
    S.mustMatch(S.L2Book, await info.l2Book({ coin: 'BTC' }), 'l2Book (post)');
    for (const s of subs.slice(1)) await s.unsubscribe();
  });

  it('ping answers pong; bad subscriptions and unknown methods get error messages', async () => {
    const sock = new WebSocket(d.wsUrl);
    await new Promise((r) => sock.once('open', r));
    const msgs: Record<string, unknown>[] = [];
    sock.on('message', (m) => msgs.push(JSON.parse(String(m)) as Record<string, unknown>));
    const send = (x: unknown): void => sock.send(JSON.stringify(x));
    send({ method: 'ping' });
    send({ method: 'subscribe', subscription: { type: 'l2Book', coin: 'DOGE' } });
    send({ method: 'subscribe', subscription: { type: 'candle', coin: 'BTC', interval: '1m' } });
    send({ method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } });
    send({ method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } });
    send({ method: 'unsubscribe', subscription: { type: 'bbo', coin: 'BTC' } });
    send({ method: 'dance' });
    send({ method: 'post', id: 7, request: { type: 'info', payload: { type: 'spotMeta' } } });
    await eventually(() => (msgs.length >= 8 ? true : undefined), 3_000, 'answers');
    assert.deepEqual(msgs[0], { channel: 'pong' });
    assert.match(String(msgs[1].data), /^Invalid subscription \(unknown coin "DOGE"\): \{"type":"l2Book","coin":"DOGE"\}$/);
    assert.match(String(msgs[2].data), /^Invalid subscription \(unsupported subscription type "candle"/);
    assert.deepEqual(msgs[3], { channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: { type: 'trades', coin: 'BTC' } } });
    assert.match(String(msgs[4].data), /^Already subscribed: /);
    assert.match(String(msgs[5].data), /^Already unsubscribed: /);
    assert.match(String(msgs[6].data), /^Unknown method "dance"/);
    assert.deepEqual(msgs[7].channel, 'post');
    assert.match(String(((msgs[7].data as { response: { type: string; payload: string } }).response).payload), /Unsupported info request type "spotMeta"/);
    sock.close();
  });
});
