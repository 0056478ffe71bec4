import { type LimitOrderOptions, OrderBook, Side } from 'nodejs-order-book';
import { BookOp, type OpStream, PlaceKind } from '../workloads/op-stream.js';
import type { AdapterCounters, BookAdapter } from './adapter.js';

/** The library does not export its TimeInForce enum; its value is the string 'IOC'. */
const IOC = 'IOC' as unknown as LimitOrderOptions['timeInForce'];

/**
 * Drives nodejs-order-book 10.1.1 (the baseline) with the same ops:
 *   GTC  → limit({ id, side, size, price })              (timeInForce defaults to GTC)
 *   IOC  → limit({ id, side, size, price, timeInForce: 'IOC' })
 *   MARKET → market({ side, size })
 *   CANCEL → cancel(id)
 *   MODIFY → modify(id, { price }): its modify CAN change the price; it removes the order
 *            and re-enters it as a new GTC limit with the same id and remaining size,
 *            matching first if it crosses: the same semantics as perpd's MODIFY.
 * Order ids are perpd's numeric ids as strings, converted before timing (a table built
 * in the constructor for ops [0, upTo)); ops past the table convert with String(id)
 * (the memory run does that on purpose, so the id strings the library keeps count).
 * No accountId/stpMode is passed: the workloads never self-trade (disjoint buyer and
 * seller accounts), so STP would change nothing but cost time.
 * The library allocates result objects per call; that is its cost, measured as is.
 */
export class NodejsOrderBookAdapter implements BookAdapter {
  readonly name = 'nodejs-order-book';
  #ob = new OrderBook();
  readonly #ids: string[];
  #errors = 0;

  constructor(
    private readonly s: OpStream,
    /** Ops [0, upTo) may be run: only their ids are converted. */
    upTo: number = s.count,
  ) {
    this.#ids = new Array<string>(upTo + 1);
    for (let i = 0; i < upTo; i++) {
      const id = s.orderId[i];
      if (this.#ids[id] === undefined) this.#ids[id] = String(id);
    }
  }

  reset(): void {
    this.#ob = new OrderBook();
    this.#errors = 0;
  }

  step(i: number): void {
    const s = this.s;
    const ob = this.#ob;
    const op = s.op[i];
    const id = this.#ids[s.orderId[i]] ?? String(s.orderId[i]);
    if (op === BookOp.PLACE) {
      const side = s.side[i] === 0 ? Side.BUY : Side.SELL;
      const kind = s.kind[i];
      const r =
        kind === PlaceKind.MARKET
          ? ob.market({ side, size: s.size[i] })
          : kind === PlaceKind.GTC
            ? ob.limit({ id, side, size: s.size[i], price: s.price[i] })
            : ob.limit({ id, side, size: s.size[i], price: s.price[i], timeInForce: IOC });
      if (r.err !== null) this.#errors++;
    } else if (op === BookOp.CANCEL) {
      if (ob.cancel(id) === undefined) this.#errors++;
    } else {
      const r = ob.modify(id, { price: s.price[i] });
      if (r.err !== null) this.#errors++;
    }
  }

  /** Fills are not counted (the library's result lists mix makers and the taker): -1. */
  counters(): AdapterCounters {
    return { fills: -1, rejects: this.#errors, resting: this.#restingCount() };
  }

  #restingCount(): number {
    const snap = this.#ob.snapshot();
    let n = 0;
    for (const l of snap.bids) n += l.orders.length;
    for (const l of snap.asks) n += l.orders.length;
    return n;
  }
}
