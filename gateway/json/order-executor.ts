import { Code } from '../../engine/codes.js';
import { Command, Op } from '../../engine/command.js';
import { OrderFlag, OrderType, Side, TimeInForce, TriggerKind } from '../../engine/types.js';
import { CommandOutcome, type JsonRouter } from './json-router.js';
import type { MarketGrid } from './market-grid.js';
import { cloidWords, orderErrorMessage, placeStatus, toPlaceSpec, type OrderStatusWire, type PlaceSpec } from './order-wire.js';

export interface CommandRuntime {
  submit(cmd: Command): number;
  marketIds(): readonly number[];
}

export interface OrderExecutorOptions {
  runtime: CommandRuntime;
  router: JsonRouter;
  gridOf: (asset: number) => MarketGrid | undefined;
  /** Longest wait for a command's DONE before answering "no answer in time". */
  requestTimeoutMs: number;
  nowMs: () => number;
}

/**
 * Submits order operations to the engine one command each (runtime.submit) and
 * turns what the commands did (JsonRouter's CommandOutcome, complete at DONE) into
 * Hyperliquid statuses. Submissions of one action happen synchronously, in the
 * action's order, so a batch keeps its order in the market's queue.
 */
export class OrderExecutor {
  readonly #o: OrderExecutorOptions;
  readonly #cmd = new Command();

  constructor(options: OrderExecutorOptions) {
    this.#o = options;
  }

  #await(seq: number, orderId: number, dones = 1, scheduled = false): Promise<CommandOutcome> {
    return new Promise((resolve) => this.#o.router.expect(seq, new CommandOutcome(orderId, resolve, this.#o.nowMs() + this.#o.requestTimeoutMs, dones, scheduled)));
  }

  /** "bid@ask" for post-only error sentences. */
  #bbo(grid: MarketGrid): string {
    const book = this.#o.router.market(grid.marketId)!.book;
    const b = book.best(Side.BUY);
    const a = book.best(Side.SELL);
    return `${b ? grid.pxOf(b.priceTicks) : 'none'}@${a ? grid.pxOf(a.priceTicks) : 'none'}`;
  }

  /** Submits a PLACE; resolves with its status. `ocoWith` pairs a trigger with an earlier one (TP/SL grouping). */
  submitPlace(accountId: number, spec: PlaceSpec, ocoWith = 0): { orderId: number; status: Promise<OrderStatusWire> } {
    const c = this.#cmd.reset();
    c.op = Op.PLACE;
    c.accountId = accountId;
    c.marketId = spec.grid.marketId;
    c.side = spec.side;
    c.orderType = spec.orderType;
    c.tif = spec.tif;
    c.flags = spec.flags;
    c.stpMode = spec.stpMode;
    c.priceTicks = spec.priceTicks;
    c.sizeLots = spec.sizeLots;
    c.triggerKind = spec.triggerKind;
    c.triggerPriceTicks = spec.triggerPriceTicks;
    c.ocoOrderId = ocoWith;
    if (spec.cloid) [c.cloid0, c.cloid1, c.cloid2, c.cloid3] = spec.cloid;
    const asset = spec.grid.marketId;
    const code = this.#o.runtime.submit(c);
    if (code !== Code.OK) return { orderId: 0, status: Promise.resolve({ error: orderErrorMessage(code, spec.grid, asset) }) };
    const seq = c.seq;
    return { orderId: seq, status: this.#await(seq, seq).then((o) => placeStatus(o, seq, spec.grid, asset, spec.cloidHex, () => this.#bbo(spec.grid))) };
  }

  /**
   * An `order` action's orders, in order. With TP/SL grouping, a take-profit and a
   * stop-loss trigger of the same market and side are paired one-cancels-other.
   */
  placeAll(accountId: number, wires: readonly Record<string, unknown>[], grouping: string): Promise<OrderStatusWire[]> {
    const statuses: Promise<OrderStatusWire>[] = [];
    const unpaired = new Map<string, { orderId: number; tpsl: string }>();
    for (const w of wires) {
      const spec = toPlaceSpec(w, this.#o.gridOf);
      if (typeof spec === 'string') {
        statuses.push(Promise.resolve({ error: spec }));
        continue;
      }
      let oco = 0;
      const key = `${spec.grid.marketId}:${spec.side}`;
      const partner = grouping !== 'na' && spec.tpsl !== null ? unpaired.get(key) : undefined;
      if (partner && partner.tpsl !== spec.tpsl) {
        oco = partner.orderId;
        unpaired.delete(key);
      }
      const placed = this.submitPlace(accountId, spec, oco);
      if (grouping !== 'na' && spec.tpsl !== null && oco === 0 && placed.orderId !== 0) unpaired.set(key, { orderId: placed.orderId, tpsl: spec.tpsl });
      statuses.push(placed.status);
    }
    return Promise.all(statuses);
  }

  /** CANCEL (by oid) or CANCEL_BY_CLOID; resolves with "success" or an error status. */
  submitCancel(accountId: number, asset: number, oid: number | null, cloidHex: string | null): Promise<'success' | { error: string }> {
    const grid = this.#o.gridOf(asset);
    if (grid === undefined) return Promise.resolve({ error: `Invalid asset ${asset}.` });
    const c = this.#cmd.reset();
    c.accountId = accountId;
    c.marketId = grid.marketId;
    if (oid !== null) {
      c.op = Op.CANCEL;
      c.orderId = oid;
    } else {
      c.op = Op.CANCEL_BY_CLOID;
      [c.cloid0, c.cloid1, c.cloid2, c.cloid3] = cloidWords(cloidHex!);
    }
    const code = this.#o.runtime.submit(c);
    if (code !== Code.OK) return Promise.resolve({ error: orderErrorMessage(code, grid, asset) });
    return this.#await(c.seq, oid ?? -1).then((o) => {
      if (o.timedOut) return { error: `No answer from the engine in time.${' asset=' + asset}` };
      if (o.rejectCode !== 0) return { error: orderErrorMessage(o.rejectCode, grid, asset) };
      return o.cancelled || oid === null ? 'success' : { error: orderErrorMessage(Code.UNKNOWN_ORDER, grid, asset) };
    });
  }

  /**
   * Hyperliquid's modify: the order `target` (oid or cloid) becomes `wire`. A change
   * of price and/or size of a live GTC limit order is an engine MODIFY (same oid,
   * queue priority kept when the price is unchanged and the size does not grow);
   * anything else (side, TIF, reduce-only, trigger, cloid) is a cancel followed by a
   * new order, whose oid is then the new one.
   */
  async modify(accountId: number, target: number | string, wire: Record<string, unknown>): Promise<OrderStatusWire> {
    const spec = toPlaceSpec(wire, this.#o.gridOf);
    if (typeof spec === 'string') return { error: spec };
    const asset = spec.grid.marketId;
    const orders = this.#o.router.ordersOf(accountId);
    const rec = typeof target === 'number' ? orders?.live.get(target) : orders?.byCloid(target.toLowerCase());
    if (rec === undefined || rec.status !== 'open' || !orders?.live.has(rec.oid) || rec.marketId !== spec.grid.marketId) {
      return { error: `Cannot modify canceled or filled order.${' asset=' + asset}` };
    }
    const postOnly = (spec.flags & OrderFlag.POST_ONLY) !== 0;
    const reduceOnly = (spec.flags & OrderFlag.REDUCE_ONLY) !== 0;
    const inPlace =
      rec.triggerKind === TriggerKind.NONE &&
      spec.triggerKind === TriggerKind.NONE &&
      rec.orderType === OrderType.LIMIT &&
      spec.orderType === OrderType.LIMIT &&
      spec.tif === TimeInForce.GTC &&
      rec.side === spec.side &&
      rec.postOnly === postOnly &&
      rec.reduceOnly === reduceOnly &&
      (spec.cloidHex === null || spec.cloidHex === rec.cloid);
    if (inPlace) {
      const c = this.#cmd.reset();
      c.op = Op.MODIFY;
      c.accountId = accountId;
      c.marketId = spec.grid.marketId;
      c.orderId = rec.oid;
      c.side = spec.side;
      c.priceTicks = spec.priceTicks;
      c.sizeLots = spec.sizeLots;
      const code = this.#o.runtime.submit(c);
      if (code !== Code.OK) return { error: orderErrorMessage(code, spec.grid, asset) };
      const o = await this.#await(c.seq, rec.oid);
      return placeStatus(o, rec.oid, spec.grid, asset, rec.cloid, () => this.#bbo(spec.grid));
    }
    const cancelled = await this.submitCancel(accountId, asset, rec.oid, null);
    if (cancelled !== 'success') return cancelled;
    // The replacement keeps the old cloid unless the new wire names one (the old order is gone, so it is free).
    const replacement: PlaceSpec = spec.cloidHex === null && rec.cloid !== null ? { ...spec, cloidHex: rec.cloid, cloid: cloidWords(rec.cloid) } : spec;
    return this.submitPlace(accountId, replacement).status;
  }

  /**
   * CANCEL_ALL over every market (scheduled cancel). Resolves with the number
   * cancelled, or −1 when the rings had no room.
   */
  cancelAll(accountId: number, scheduled: boolean): Promise<number> {
    const c = this.#cmd.reset();
    c.op = Op.CANCEL_ALL;
    c.accountId = accountId;
    c.value = 1;
    const code = this.#o.runtime.submit(c);
    if (code !== Code.OK) return Promise.resolve(-1);
    const markets = this.#o.runtime.marketIds().length;
    const first = c.seq;
    return new Promise((resolve) => {
      const outcome = new CommandOutcome(-1, (o) => resolve(o.cancelledCount), this.#o.nowMs() + this.#o.requestTimeoutMs, markets, scheduled);
      for (let i = 0; i < markets; i++) this.#o.router.expect(first + i, outcome);
    });
  }
}
