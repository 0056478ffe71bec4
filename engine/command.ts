/**
 * The one command record that flows through every stage (gateway ring → sequencer/
 * ledger → journal → market worker). A stage reads the fields its op needs and
 * ignores the rest. Instances are reused: hot paths never allocate a Command per
 * message, they overwrite a preallocated one (see `reset`).
 *
 * Units are in the names: ticks, lots, micros (1e-6 of the quote currency, USDC),
 * ppm (parts per million), Us (microseconds since the Unix epoch: nanoseconds would
 * not fit a safe integer).
 */

/** Operation numbers: stable, grouped (1x ledger, 2x orders, 3x market inputs). */
export const Op = {
  // ledger
  CREATE_ACCOUNT: 10,
  DEPOSIT: 11,
  WITHDRAW: 12,
  SET_LEVERAGE: 13,
  SET_STP_DEFAULT: 14,
  // orders
  PLACE: 20,
  CANCEL: 21,
  CANCEL_BY_CLOID: 22,
  CANCEL_ALL: 23,
  MODIFY: 24,
  // market inputs
  SET_MARK_PRICE: 30,
  SET_MARKET_STATUS: 31,
  // runtime control (never journaled as business commands)
  SHUTDOWN: 90,
  /** Durability: a market worker copies its markets' state (value = the cut's seq) and marks its event stream. */
  SNAPSHOT: 91,
} as const;
export type OpValue = (typeof Op)[keyof typeof Op];

export class Command {
  op = 0;
  /** Sequence number given by the sequencer; for PLACE it is also the order id. */
  seq = 0;
  /** Timestamp given by the sequencer: the only clock the engine sees. */
  tsUs = 0;
  marketId = 0;
  accountId = 0;

  /** CANCEL / MODIFY: the exchange order id. PLACE: set equal to seq by the sequencer. */
  orderId = 0;
  /** Client order id, 16 bytes as four 32-bit words; all zero means "none". */
  cloid0 = 0;
  cloid1 = 0;
  cloid2 = 0;
  cloid3 = 0;

  side = 0;
  orderType = 0;
  tif = 0;
  /** OrderFlag bits. */
  flags = 0;
  stpMode = 0;
  priceTicks = 0;
  sizeLots = 0;
  triggerKind = 0;
  triggerPriceTicks = 0;
  /** PLACE of a trigger: pair it one-cancels-other with this live trigger order (0 = none). */
  ocoOrderId = 0;

  /**
   * Lots the ledger's pre-trade check (R1) counted as pending for this command, so
   * settlement (R2) can undo exactly that on reject. PLACE: the size for non-reduce-only
   * orders. MODIFY: the new size when collateral allowed holding it, else 0 (then the
   * market refuses a size increase with INSUFFICIENT_MARGIN).
   */
  preheldLots = 0;

  /** DEPOSIT / WITHDRAW: amount in quote micros. SET_LEVERAGE: leverage (integer x). */
  amount = 0;
  /** SET_MARK_PRICE: mark price in ticks. SET_MARKET_STATUS: MarketStatus. CANCEL_ALL: 1 = all markets. */
  value = 0;

  reset(): this {
    this.op = 0;
    this.seq = 0;
    this.tsUs = 0;
    this.marketId = 0;
    this.accountId = 0;
    this.orderId = 0;
    this.cloid0 = 0;
    this.cloid1 = 0;
    this.cloid2 = 0;
    this.cloid3 = 0;
    this.side = 0;
    this.orderType = 0;
    this.tif = 0;
    this.flags = 0;
    this.stpMode = 0;
    this.priceTicks = 0;
    this.sizeLots = 0;
    this.triggerKind = 0;
    this.triggerPriceTicks = 0;
    this.ocoOrderId = 0;
    this.preheldLots = 0;
    this.amount = 0;
    this.value = 0;
    return this;
  }

  copyFrom(o: Command): this {
    this.op = o.op;
    this.seq = o.seq;
    this.tsUs = o.tsUs;
    this.marketId = o.marketId;
    this.accountId = o.accountId;
    this.orderId = o.orderId;
    this.cloid0 = o.cloid0;
    this.cloid1 = o.cloid1;
    this.cloid2 = o.cloid2;
    this.cloid3 = o.cloid3;
    this.side = o.side;
    this.orderType = o.orderType;
    this.tif = o.tif;
    this.flags = o.flags;
    this.stpMode = o.stpMode;
    this.priceTicks = o.priceTicks;
    this.sizeLots = o.sizeLots;
    this.triggerKind = o.triggerKind;
    this.triggerPriceTicks = o.triggerPriceTicks;
    this.ocoOrderId = o.ocoOrderId;
    this.preheldLots = o.preheldLots;
    this.amount = o.amount;
    this.value = o.value;
    return this;
  }

  hasCloid(): boolean {
    return (this.cloid0 | this.cloid1 | this.cloid2 | this.cloid3) !== 0;
  }
}
