import { NONE } from '../types.js';

/**
 * Trigger-only columns, indexed by the trigger's `OrderStore.level` value while the
 * order is parked (resting orders do not pay for these fields).
 *   triggerPrice  ticks at which it fires
 *   limitPrice    ticks of the limit order it becomes (0 for market)
 *   oco           slot of its one-cancels-other partner, or NONE
 */
export class TriggerStore {
  triggerPrice: Float64Array;
  limitPrice: Float64Array;
  oco: Int32Array;
  #free = NONE;
  #capacity = 0;

  constructor(initial = 64) {
    this.triggerPrice = new Float64Array(0);
    this.limitPrice = new Float64Array(0);
    this.oco = new Int32Array(0);
    this.#grow(initial);
  }

  alloc(triggerPriceTicks: number, limitPriceTicks: number): number {
    if (this.#free === NONE) this.#grow(this.#capacity * 2);
    const t = this.#free;
    this.#free = this.oco[t];
    this.triggerPrice[t] = triggerPriceTicks;
    this.limitPrice[t] = limitPriceTicks;
    this.oco[t] = NONE;
    return t;
  }

  free(t: number): void {
    this.oco[t] = this.#free;
    this.#free = t;
  }

  #grow(capacity: number): void {
    const tp = new Float64Array(capacity);
    tp.set(this.triggerPrice);
    const lp = new Float64Array(capacity);
    lp.set(this.limitPrice);
    const oc = new Int32Array(capacity);
    oc.set(this.oco);
    for (let t = capacity - 1; t >= this.#capacity; t--) {
      oc[t] = this.#free;
      this.#free = t;
    }
    this.triggerPrice = tp;
    this.limitPrice = lp;
    this.oco = oc;
    this.#capacity = capacity;
  }
}
