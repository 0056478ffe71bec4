/**
 * An engine-neutral, pre-generated stream of book operations held in parallel typed
 * arrays (no per-op objects): the benchmark loop reads op `i` from these columns and
 * each adapter turns it into its engine's call. Generated before any timing starts.
 *
 * Ids: op `i` carries seq `i + 1`. A PLACE's order id is its seq, so order ids strictly
 * increase along the stream; CANCEL/MODIFY carry the id of the order they target.
 */

export const BookOp = { PLACE: 1, CANCEL: 2, MODIFY: 3 } as const;
/** What a PLACE is: a resting-capable limit, an immediate-or-cancel limit, or a market order. */
export const PlaceKind = { GTC: 0, IOC: 1, MARKET: 2 } as const;

export class OpStream {
  count = 0;
  op: Uint8Array;
  /** Side (0 BUY, 1 SELL); for CANCEL/MODIFY the target order's side. */
  side: Uint8Array;
  /** PLACE only: PlaceKind. */
  kind: Uint8Array;
  /** PLACE limit price / MODIFY new price, in ticks (0 for MARKET). */
  price: Int32Array;
  /** PLACE size in lots (MODIFY keeps the remaining size). */
  size: Int32Array;
  /** PLACE: the new order id (= seq); CANCEL/MODIFY: the target order id. */
  orderId: Int32Array;
  /** Account of the order (the owner for CANCEL/MODIFY). */
  account: Int32Array;

  constructor(capacity: number) {
    this.op = new Uint8Array(capacity);
    this.side = new Uint8Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.price = new Int32Array(capacity);
    this.size = new Int32Array(capacity);
    this.orderId = new Int32Array(capacity);
    this.account = new Int32Array(capacity);
  }

  get capacity(): number {
    return this.op.length;
  }

  /** Appends a PLACE and returns its order id. */
  place(kind: number, side: number, priceTicks: number, sizeLots: number, account: number): number {
    const i = this.count++;
    const id = i + 1;
    this.op[i] = BookOp.PLACE;
    this.kind[i] = kind;
    this.side[i] = side;
    this.price[i] = priceTicks;
    this.size[i] = sizeLots;
    this.orderId[i] = id;
    this.account[i] = account;
    return id;
  }

  cancel(orderId: number, side: number, account: number): void {
    const i = this.count++;
    this.op[i] = BookOp.CANCEL;
    this.side[i] = side;
    this.orderId[i] = orderId;
    this.account[i] = account;
  }

  modify(orderId: number, side: number, newPriceTicks: number, account: number): void {
    const i = this.count++;
    this.op[i] = BookOp.MODIFY;
    this.side[i] = side;
    this.price[i] = newPriceTicks;
    this.orderId[i] = orderId;
    this.account[i] = account;
  }

  /** Counts of each op kind in [from, to), for the workload description. */
  mix(from = 0, to = this.count): Record<string, number> {
    const m: Record<string, number> = { gtc: 0, ioc: 0, market: 0, cancel: 0, modify: 0 };
    for (let i = from; i < to; i++) {
      const o = this.op[i];
      if (o === BookOp.CANCEL) m.cancel++;
      else if (o === BookOp.MODIFY) m.modify++;
      else if (this.kind[i] === PlaceKind.GTC) m.gtc++;
      else if (this.kind[i] === PlaceKind.IOC) m.ioc++;
      else m.market++;
    }
    return m;
  }
}
