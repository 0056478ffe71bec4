/**
 * Micro: the fast book (engine/book/fast-market.ts) per order type, driven directly
 * (no rings, no gateway) through one reused Command, batches of 256 ops. The book
 * holds ~2,000 resting orders (1,000 a side over 100 levels) throughout; set-up and
 * undo work (placing the makers an IOC will hit, cancelling what a "place" task
 * added) runs in tinybench's beforeEach / afterEach hooks, outside the timing.
 */
import { Command, Op } from '../../engine/command.js';
import type { MarketEngine } from '../../engine/market-engine.js';
import { OrderFlag, OrderType, Side, StpMode, TimeInForce } from '../../engine/types.js';
import { benchMarketSpec, loadPerpdEngine, perpdEngineAvailable } from '../adapters/perpd-book.js';
import { CountingSink } from '../adapters/counting-sink.js';
import { MID_TICKS } from '../workloads/generator.js';
import type { MicroTask, MicroTopic } from './task.js';

const B = 256;

export const bookTopic: MicroTopic = {
  async tasks() {
    if (!perpdEngineAvailable('fast')) return { skipped: 'engine/book/fast-market.ts is not built' };
    const factory = await loadPerpdEngine('fast');
    const sink = new CountingSink();
    const book: MarketEngine = factory(benchMarketSpec(), sink);
    const c = new Command();
    let seq = 0;
    const place = (account: number, side: number, price: number, size: number, tif: number, type: number = OrderType.LIMIT, flags = 0): number => {
      c.reset();
      c.op = Op.PLACE;
      c.seq = ++seq;
      c.tsUs = seq;
      c.orderId = seq;
      c.accountId = account;
      c.side = side;
      c.orderType = type;
      c.tif = tif;
      c.flags = flags;
      c.stpMode = StpMode.EXPIRE_TAKER;
      c.priceTicks = type === OrderType.MARKET ? 0 : price;
      c.sizeLots = size;
      c.preheldLots = size;
      book.process(c);
      return seq;
    };
    const cancel = (account: number, orderId: number): void => {
      c.reset();
      c.op = Op.CANCEL;
      c.seq = ++seq;
      c.tsUs = seq;
      c.accountId = account;
      c.orderId = orderId;
      book.process(c);
    };
    const modify = (account: number, orderId: number, side: number, price: number): void => {
      c.reset();
      c.op = Op.MODIFY;
      c.seq = ++seq;
      c.tsUs = seq;
      c.accountId = account;
      c.orderId = orderId;
      c.side = side;
      c.priceTicks = price;
      c.sizeLots = 0;
      book.process(c);
    };
    // Base book: 1,000 bids MID−101..MID−2 and 1,000 asks MID+2..MID+101 (10 per level), accounts 1..20.
    const baseBids: number[] = [];
    for (let i = 0; i < 1000; i++) {
      baseBids.push(place(1 + (i % 20), Side.BUY, MID_TICKS - 2 - (i % 100), 10, TimeInForce.GTC));
      place(21 + (i % 20), Side.SELL, MID_TICKS + 2 + (i % 100), 10, TimeInForce.GTC);
    }
    const ids = new Float64Array(B);
    const TAKER = 100;
    const MAKER = 101;
    const addMakers = (): void => {
      for (let i = 0; i < B; i++) place(MAKER, Side.SELL, MID_TICKS + 1, 1, TimeInForce.GTC);
    };
    const cancelIds = (): void => {
      for (let i = 0; i < B; i++) cancel(TAKER, ids[i]);
    };
    let flip = 0;
    const tasks: MicroTask[] = [
      {
        name: 'book: GTC limit that rests',
        opsPerIteration: B,
        fn: () => {
          for (let i = 0; i < B; i++) ids[i] = place(TAKER, Side.BUY, MID_TICKS - 2 - (i % 100), 5, TimeInForce.GTC);
        },
        hooks: { afterEach: cancelIds },
      },
      {
        name: 'book: post-only GTC that rests',
        opsPerIteration: B,
        fn: () => {
          for (let i = 0; i < B; i++) ids[i] = place(TAKER, Side.BUY, MID_TICKS - 2 - (i % 100), 5, TimeInForce.GTC, OrderType.LIMIT, OrderFlag.POST_ONLY);
        },
        hooks: { afterEach: cancelIds },
      },
      {
        name: 'book: cancel a resting order',
        opsPerIteration: B,
        fn: cancelIds,
        hooks: {
          beforeEach: () => {
            for (let i = 0; i < B; i++) ids[i] = place(TAKER, Side.BUY, MID_TICKS - 2 - ((i * 7) % 100), 5, TimeInForce.GTC);
          },
        },
      },
      {
        name: 'book: modify price (requeue)',
        opsPerIteration: B,
        fn: () => {
          flip ^= 1;
          for (let i = 0; i < B; i++) {
            const k = (i * 3) % baseBids.length;
            modify(1 + (k % 20), baseBids[k], Side.BUY, MID_TICKS - 2 - ((k + flip * 50) % 100));
          }
        },
      },
      {
        name: 'book: IOC limit crossing (1 fill)',
        opsPerIteration: B,
        fn: () => {
          for (let i = 0; i < B; i++) place(TAKER, Side.BUY, MID_TICKS + 1, 1, TimeInForce.IOC);
        },
        hooks: { beforeEach: addMakers },
      },
      {
        name: 'book: market order (1 fill)',
        opsPerIteration: B,
        fn: () => {
          for (let i = 0; i < B; i++) place(TAKER, Side.BUY, 0, 1, TimeInForce.IOC, OrderType.MARKET);
        },
        hooks: { beforeEach: addMakers },
      },
      {
        name: 'book: FOK limit crossing (1 fill)',
        opsPerIteration: B,
        fn: () => {
          for (let i = 0; i < B; i++) place(TAKER, Side.BUY, MID_TICKS + 1, 1, TimeInForce.FOK);
        },
        hooks: { beforeEach: addMakers },
      },
      {
        name: 'book: IOC that does not cross',
        opsPerIteration: B,
        fn: () => {
          for (let i = 0; i < B; i++) place(TAKER, Side.BUY, MID_TICKS - 200, 1, TimeInForce.IOC);
        },
      },
    ];
    // Sanity: the makers an IOC / market / FOK task adds are all consumed, so the book stays the same size.
    void sink;
    return tasks;
  },
};
