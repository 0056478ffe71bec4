/**
 * One side of the reference book: an array of price levels kept in price priority
 * (best first), each level a plain FIFO array of orders. Totals are not cached: they
 * are summed on demand, so they cannot drift from the orders.
 *
 * Queue order is the array order, not order id order: an order requeued by MODIFY and
 * a fired trigger join the tail behind younger orders.
 */
import { Side } from '../types.js';
import type { RefOrder } from './ref-order.js';

export interface RefLevel {
  price: number;
  orders: RefOrder[];
}

export class RefSideBook {
  readonly levels: RefLevel[] = [];

  constructor(readonly side: number) {}

  /** True when price `a` has priority over price `b` on this side. */
  isBetter(a: number, b: number): boolean {
    return this.side === Side.BUY ? a > b : a < b;
  }

  best(): RefLevel | undefined {
    return this.levels[0];
  }

  bestPrice(): number {
    return this.levels.length === 0 ? 0 : this.levels[0].price;
  }

  level(price: number): RefLevel | undefined {
    return this.levels.find((l) => l.price === price);
  }

  /** Appends the order at the tail of its price level (creating the level). */
  append(o: RefOrder): RefLevel {
    let level = this.level(o.price);
    if (!level) {
      level = { price: o.price, orders: [] };
      let i = 0;
      while (i < this.levels.length && this.isBetter(this.levels[i].price, o.price)) i++;
      this.levels.splice(i, 0, level);
    }
    level.orders.push(o);
    return level;
  }

  /** Removes the order; an emptied level is removed too. Returns the (possibly empty) level. */
  remove(o: RefOrder): RefLevel {
    const level = this.level(o.price);
    if (!level) throw new Error(`reference book: order ${o.id} has no level at ${o.price}`);
    const i = level.orders.indexOf(o);
    if (i < 0) throw new Error(`reference book: order ${o.id} not found at its level ${o.price}`);
    level.orders.splice(i, 1);
    if (level.orders.length === 0) this.levels.splice(this.levels.indexOf(level), 1);
    return level;
  }

  contains(o: RefOrder): boolean {
    const level = this.level(o.price);
    return level !== undefined && level.orders.includes(o);
  }

  allOrders(): RefOrder[] {
    const out: RefOrder[] = [];
    for (const l of this.levels) out.push(...l.orders);
    return out;
  }
}

export function levelTotal(level: RefLevel): number {
  let sum = 0;
  for (const o of level.orders) sum += o.remaining;
  return sum;
}
