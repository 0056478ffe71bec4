/**
 * Seeded random command stream for ONE market, for the differential test and the
 * soak script. Deterministic for a seed and spec. It sees no engine except through
 * the optional `isLive` oracle (the differential passes the reference engine's
 * view), so every implementation under test gets exactly the same commands.
 *
 * Mix (per command, roughly; weights in `#pickKind`):
 *   places ≈ 60%   GTC limits 31% (12% of them post-only; 15% reduce-only), IOC 8%,
 *                  FOK 4%, market 7% (IOC/FOK), stop / take-profit triggers 9%
 *                  (market and limit of every TIF, half reduce-only, 35% OCO)
 *   cancels ≈ 10%  by id (mostly ids it issued, some unknown, some of other accounts),
 *                  by cloid (small cloid pool per account, so duplicates happen),
 *                  cancel-all; growing with the book, ≈ 45% past `targetLiveOrders`
 *   modifies ≈ 16% price and size up/down, size 0 = keep, preheldLots none/partial/enough
 *   mark ≈ 12%     random walk with occasional jumps (fires triggers, moves the band)
 *   halts          ≈ 0.2%; while halted, a resume comes within ~10 commands
 *   invalid ≈ 2%   of PLACE/MODIFY with one field broken (price, size, enums,
 *                  combinations), plus invalid marks/statuses and unknown ops
 *
 * Few accounts (ids chosen so a string sort would misorder them) make self-trades and
 * reduce-only interactions frequent. Prices cluster within a few ticks of the mark, so
 * most orders cross or rest near the touch. The book stays bounded: the generator
 * remembers the resting/parked orders it placed (forgetting filled ones when it has
 * the oracle) and cancels more the more it holds; the open-order limit bounds it too.
 *
 * seq strictly increases, PLACE uses orderId = seq, tsUs increases.
 */
import { Command, Op } from '../../engine/command.js';
import type { MarketSpec } from '../../engine/market-spec.js';
import { MarketStatus, OrderFlag, OrderType, Side, StpMode, TimeInForce, TriggerKind } from '../../engine/types.js';
import { Prng } from '../../engine/util/prng.js';

export interface CommandGeneratorOptions {
  /** Account ids to trade with (default six ids whose string order differs from numeric order). */
  accounts?: number[];
  /** Remembered possibly-live orders above which cancels are favoured (default 60). */
  targetLiveOrders?: number;
  /** Share of commands with one deliberately invalid field (default 0.02). */
  invalidRate?: number;
  /** Most prices fall within this many ticks of the mark (default 12). */
  spreadTicks?: number;
  /** Chance per command to halt the market (default 0.002). */
  haltRate?: number;
  /** First seq (default 1). */
  firstSeq?: number;
  /**
   * Optional liveness oracle (the differential passes the reference engine's view).
   * Without it the generator cannot see fills, keeps dead ids longer and sends more
   * cancels/modifies of unknown orders. The stream stays deterministic for a seed as
   * long as the oracle is (the reference engine is).
   */
  isLive?: (orderId: number) => boolean;
}

interface Tracked {
  id: number;
  account: number;
  side: number;
  price: number;
  trigger: boolean;
}

type Kind = 'limit' | 'ioc' | 'fok' | 'market' | 'trigger' | 'cancel' | 'cancelCloid' | 'cancelAll' | 'modify' | 'mark' | 'status' | 'unknownOp';

const DEFAULT_ACCOUNTS = [2, 9, 10, 33, 100, 1001];

export class CommandGenerator {
  readonly #rng: Prng;
  readonly #spec: MarketSpec;
  readonly #accounts: number[];
  readonly #target: number;
  readonly #invalidRate: number;
  readonly #spread: number;
  readonly #haltRate: number;
  readonly #isLive: ((orderId: number) => boolean) | undefined;
  #seq: number;
  #tsUs = 1_700_000_000_000_000;
  /** Mirrors the engine's mark: it changes only through valid SET_MARK_PRICE commands. */
  #mark: number;
  #halted = false;
  readonly #tracked: Tracked[] = [];
  /** Cloids recently used per account (small pool, for cancel-by-cloid and duplicates). */
  readonly #cloids = new Map<number, number[][]>();

  constructor(seed: number, spec: MarketSpec, opts: CommandGeneratorOptions = {}) {
    this.#rng = new Prng(seed);
    this.#spec = spec;
    this.#accounts = opts.accounts ?? DEFAULT_ACCOUNTS;
    this.#target = opts.targetLiveOrders ?? 60;
    this.#invalidRate = opts.invalidRate ?? 0.02;
    this.#spread = Math.max(2, opts.spreadTicks ?? 12);
    this.#haltRate = opts.haltRate ?? 0.002;
    this.#isLive = opts.isLive;
    this.#seq = (opts.firstSeq ?? 1) - 1;
    this.#mark = spec.initialMarkPriceTicks;
  }

  /** Overwrites `cmd` with the next command of the stream. */
  next(cmd: Command): void {
    const r = this.#rng;
    cmd.reset();
    cmd.seq = ++this.#seq;
    this.#tsUs += r.int(1, 400);
    cmd.tsUs = this.#tsUs;
    cmd.marketId = this.#spec.marketId;
    this.#maybeForgetDead();
    const kind = this.#pickKind();
    switch (kind) {
      case 'limit':
      case 'ioc':
      case 'fok':
      case 'market':
      case 'trigger':
        this.#place(cmd, kind);
        break;
      case 'cancel':
        this.#cancel(cmd);
        break;
      case 'cancelCloid':
        this.#cancelByCloid(cmd);
        break;
      case 'cancelAll':
        this.#cancelAll(cmd);
        break;
      case 'modify':
        this.#modify(cmd);
        break;
      case 'mark':
        this.#markMove(cmd);
        break;
      case 'status':
        this.#status(cmd);
        break;
      case 'unknownOp':
        cmd.op = r.pick([Op.DEPOSIT, Op.CREATE_ACCOUNT, 0, 77]);
        cmd.accountId = this.#account();
        cmd.orderId = r.int(0, this.#seq);
        cmd.side = r.int(0, 1);
        break;
    }
    if (cmd.op === Op.PLACE || cmd.op === Op.MODIFY) {
      if (r.chance(this.#invalidRate)) this.#breakOneField(cmd);
    }
  }

  // ---------------------------------------------------------------- choices

  #pickKind(): Kind {
    const r = this.#rng;
    if (this.#halted) {
      if (r.chance(0.1)) return 'status';
    } else if (r.chance(this.#haltRate)) {
      return 'status';
    }
    // cancels grow with the number of remembered orders, and dominate past the target
    const fill = this.#tracked.length / this.#target;
    const crowded = fill > 1;
    const weights: [Kind, number][] = [
      ['limit', 24],
      ['ioc', 6],
      ['fok', 3],
      ['market', 5],
      ['trigger', 7],
      ['cancel', crowded ? 40 : 1 + 9 * fill],
      ['cancelCloid', crowded ? 8 : 0.5 + 3 * fill],
      ['cancelAll', crowded ? 3 : 0.4],
      ['modify', 12],
      ['mark', 9],
      ['unknownOp', 0.2],
    ];
    let total = 0;
    for (const [, w] of weights) total += w;
    let x = r.next() * total;
    for (const [k, w] of weights) {
      x -= w;
      if (x < 0) return k;
    }
    return 'limit';
  }

  #account(): number {
    return this.#rng.pick(this.#accounts);
  }

  #bandLow(): number {
    return Math.ceil((this.#mark * (1_000_000 - this.#spec.priceBandPpm)) / 1_000_000);
  }

  #bandHigh(): number {
    return Math.floor((this.#mark * (1_000_000 + this.#spec.priceBandPpm)) / 1_000_000);
  }

  #clampPrice(p: number): number {
    return Math.min(this.#spec.maxPriceTicks, Math.max(1, p));
  }

  /** A limit price: mostly within `spread` ticks of the mark, sometimes anywhere in the band, rarely just outside. */
  #price(side: number): number {
    const r = this.#rng;
    const u = r.next();
    if (u < 0.05) return this.#clampPrice(r.int(this.#bandLow(), this.#bandHigh()));
    if (u < 0.06) return this.#clampPrice(r.chance(0.5) ? this.#bandLow() - r.int(1, 3) : this.#bandHigh() + r.int(1, 3));
    // skewed to the passive side, with a tail that crosses
    const s = this.#spread;
    const off = Math.round((r.next() + r.next() - 0.6) * s);
    const p = side === Side.BUY ? this.#mark - off : this.#mark + off;
    return this.#clampPrice(Math.min(this.#bandHigh(), Math.max(this.#bandLow(), p)));
  }

  #size(): number {
    const r = this.#rng;
    const min = this.#spec.minOrderLots;
    const max = this.#spec.maxOrderLots;
    const u = r.next();
    let n: number;
    if (u < 0.75) n = r.int(1, 10);
    else if (u < 0.97) n = r.int(10, 60);
    else if (u < 0.995) n = r.int(60, 400);
    else n = r.int(1, max);
    return Math.min(max, min - 1 + n);
  }

  #stp(): number {
    return this.#rng.pick([StpMode.EXPIRE_TAKER, StpMode.EXPIRE_TAKER, StpMode.EXPIRE_MAKER, StpMode.EXPIRE_BOTH]);
  }

  #setCloid(cmd: Command, account: number): void {
    const r = this.#rng;
    if (r.chance(0.45)) return;
    let pool = this.#cloids.get(account);
    if (!pool) this.#cloids.set(account, (pool = []));
    let c: number[];
    if (pool.length > 0 && r.chance(0.15)) c = r.pick(pool); // likely a duplicate of a live order
    else c = [r.int(1, 24), r.chance(0.2) ? r.int(0, 3) : 0, 0, r.chance(0.1) ? r.nextU32() | 0 : 0];
    [cmd.cloid0, cmd.cloid1, cmd.cloid2, cmd.cloid3] = c;
    pool.push(c);
    if (pool.length > 16) pool.shift();
  }

  /** With an oracle: forgets remembered orders that are gone (filled, cancelled by the engine). */
  #maybeForgetDead(): void {
    const isLive = this.#isLive;
    if (!isLive) return;
    const list = this.#tracked;
    let w = 0;
    for (let i = 0; i < list.length; i++) {
      // keep a few dead ids (5%) so cancels and modifies of gone orders still happen
      if (isLive(list[i].id) || this.#rng.chance(0.05)) list[w++] = list[i];
    }
    list.length = w;
  }

  #track(t: Tracked): void {
    this.#tracked.push(t);
    if (this.#tracked.length > this.#target * 3) this.#tracked.shift();
  }

  /** Removes and returns a random remembered order. */
  #takeTracked(): Tracked | undefined {
    const list = this.#tracked;
    if (list.length === 0) return undefined;
    const [t] = list.splice(this.#rng.int(0, list.length - 1), 1);
    return t;
  }

  #peekTracked(pred: (t: Tracked) => boolean): Tracked | undefined {
    const matches = this.#tracked.filter(pred);
    return matches.length ? this.#rng.pick(matches) : undefined;
  }

  // ---------------------------------------------------------------- commands

  #place(cmd: Command, kind: Kind): void {
    const r = this.#rng;
    const account = this.#account();
    const side = r.int(0, 1);
    cmd.op = Op.PLACE;
    cmd.orderId = cmd.seq;
    cmd.accountId = account;
    cmd.side = side;
    cmd.sizeLots = this.#size();
    cmd.stpMode = this.#stp();
    this.#setCloid(cmd, account);
    const ro = r.chance(0.15) ? OrderFlag.REDUCE_ONLY : 0;
    switch (kind) {
      case 'limit':
        cmd.orderType = OrderType.LIMIT;
        cmd.tif = TimeInForce.GTC;
        cmd.priceTicks = this.#price(side);
        cmd.flags = ro | (r.chance(0.12) ? OrderFlag.POST_ONLY : 0);
        this.#track({ id: cmd.orderId, account, side, price: cmd.priceTicks, trigger: false });
        break;
      case 'ioc':
      case 'fok':
        cmd.orderType = OrderType.LIMIT;
        cmd.tif = kind === 'ioc' ? TimeInForce.IOC : TimeInForce.FOK;
        cmd.priceTicks = this.#price(side);
        cmd.flags = ro;
        break;
      case 'market':
        cmd.orderType = OrderType.MARKET;
        cmd.tif = r.chance(0.8) ? TimeInForce.IOC : TimeInForce.FOK;
        cmd.priceTicks = r.chance(0.8) ? 0 : r.int(-5, this.#spec.maxPriceTicks * 2); // ignored
        cmd.flags = ro;
        break;
      case 'trigger':
        this.#trigger(cmd, account, side, ro);
        break;
    }
    cmd.preheldLots = cmd.flags & OrderFlag.REDUCE_ONLY ? 0 : cmd.sizeLots;
  }

  #trigger(cmd: Command, account: number, side: number, ro: number): void {
    const r = this.#rng;
    cmd.triggerKind = r.chance(0.5) ? TriggerKind.STOP : TriggerKind.TAKE_PROFIT;
    const firesUp = (side === Side.BUY) === (cmd.triggerKind === TriggerKind.STOP);
    const dist = r.chance(0.1) ? -r.int(0, 3) : r.int(1, this.#spread * 3); // ≤ 0: already crossed
    cmd.triggerPriceTicks = this.#clampPrice(firesUp ? this.#mark + dist : this.#mark - dist);
    if (r.chance(0.5)) {
      cmd.orderType = OrderType.MARKET;
      cmd.tif = r.chance(0.85) ? TimeInForce.IOC : TimeInForce.FOK;
    } else {
      cmd.orderType = OrderType.LIMIT;
      cmd.tif = r.pick([TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK]);
      // around the trigger price, sometimes far (outside the band at firing)
      const base = cmd.triggerPriceTicks + (side === Side.BUY ? 1 : -1) * r.int(-this.#spread, this.#spread);
      cmd.priceTicks = this.#clampPrice(r.chance(0.1) ? (side === Side.BUY ? base * 2 : Math.floor(base / 2)) : base);
    }
    cmd.flags = r.chance(0.5) ? OrderFlag.REDUCE_ONLY : ro;
    if (r.chance(0.35)) {
      const partner = r.chance(0.85)
        ? this.#peekTracked((t) => t.trigger && t.account === account && (t.side === side || r.chance(0.1)))
        : this.#peekTracked(() => true);
      cmd.ocoOrderId = partner ? partner.id : r.int(1, this.#seq);
    }
    this.#track({ id: cmd.orderId, account, side, price: cmd.priceTicks, trigger: true });
  }

  #cancel(cmd: Command): void {
    const r = this.#rng;
    cmd.op = Op.CANCEL;
    const u = r.next();
    if (u < 0.08 || this.#tracked.length === 0) {
      cmd.accountId = this.#account();
      cmd.orderId = r.chance(0.5) ? r.int(1, this.#seq) : this.#seq + r.int(1, 1000); // unknown (or a dead one)
    } else if (u < 0.16) {
      const t = this.#peekTracked(() => true)!;
      cmd.orderId = t.id;
      cmd.accountId = this.#rng.pick(this.#accounts.filter((a) => a !== t.account)); // not the owner
    } else {
      const t = this.#takeTracked()!;
      cmd.orderId = t.id;
      cmd.accountId = t.account;
    }
  }

  #cancelByCloid(cmd: Command): void {
    const r = this.#rng;
    cmd.op = Op.CANCEL_BY_CLOID;
    const account = this.#account();
    cmd.accountId = account;
    const pool = this.#cloids.get(account);
    if (pool && pool.length > 0 && r.chance(0.85)) {
      [cmd.cloid0, cmd.cloid1, cmd.cloid2, cmd.cloid3] = r.pick(pool);
    } else if (r.chance(0.5)) {
      cmd.cloid0 = r.int(1, 24);
    } // else all zero: never matches
  }

  #cancelAll(cmd: Command): void {
    cmd.op = Op.CANCEL_ALL;
    cmd.accountId = this.#account();
    cmd.value = this.#rng.chance(0.2) ? 1 : 0;
    for (let i = this.#tracked.length - 1; i >= 0; i--) if (this.#tracked[i].account === cmd.accountId) this.#tracked.splice(i, 1);
  }

  #modify(cmd: Command): void {
    const r = this.#rng;
    cmd.op = Op.MODIFY;
    const t = this.#peekTracked((x) => !x.trigger || r.chance(0.05));
    if (!t) {
      cmd.accountId = this.#account();
      cmd.orderId = r.int(1, this.#seq);
      cmd.side = r.int(0, 1);
      cmd.priceTicks = this.#price(cmd.side);
      return;
    }
    cmd.orderId = t.id;
    cmd.accountId = r.chance(0.95) ? t.account : this.#account();
    cmd.side = r.chance(0.97) ? t.side : t.side ^ 1;
    cmd.priceTicks = r.chance(0.4) ? t.price : this.#price(t.side);
    const u = r.next();
    cmd.sizeLots = u < 0.3 ? 0 : this.#size();
    const v = r.next();
    cmd.preheldLots = v < 0.2 ? 0 : v < 0.35 ? r.int(0, Math.max(1, cmd.sizeLots)) : cmd.sizeLots;
    t.price = cmd.priceTicks;
  }

  #markMove(cmd: Command): void {
    const r = this.#rng;
    cmd.op = Op.SET_MARK_PRICE;
    if (r.chance(0.01)) {
      cmd.value = r.pick([0, -1, this.#spec.maxPriceTicks + 1, this.#mark + 0.5]); // invalid: mark unchanged
      return;
    }
    const init = this.#spec.initialMarkPriceTicks;
    const bandTicks = Math.max(1, Math.floor((this.#mark * this.#spec.priceBandPpm) / 1_000_000));
    let step = r.int(-Math.ceil(this.#spread / 2), Math.ceil(this.#spread / 2));
    if (r.chance(0.03)) step = r.int(-bandTicks, bandTicks); // a jump
    let next = this.#mark + step;
    // stay within half / double the initial mark (reflect back towards it)
    if (next < init / 2 || next > init * 2) next = this.#mark - step;
    next = this.#clampPrice(next);
    cmd.value = next;
    this.#mark = next;
  }

  #status(cmd: Command): void {
    const r = this.#rng;
    cmd.op = Op.SET_MARKET_STATUS;
    if (r.chance(0.05)) {
      cmd.value = r.pick([2, -1, 7]); // invalid: status unchanged
      return;
    }
    cmd.value = this.#halted ? MarketStatus.ACTIVE : MarketStatus.HALTED;
    this.#halted = !this.#halted;
  }

  /** Breaks exactly one field of a PLACE or MODIFY. */
  #breakOneField(cmd: Command): void {
    const r = this.#rng;
    const s = this.#spec;
    const place = cmd.op === Op.PLACE;
    const choice = r.int(0, place ? 11 : 3);
    switch (choice) {
      case 0:
        cmd.priceTicks = r.pick([0, -1, s.maxPriceTicks + 1, cmd.priceTicks + 0.5]);
        if (place) cmd.orderType = OrderType.LIMIT;
        break;
      case 1:
        cmd.sizeLots = r.pick([-2, s.maxOrderLots + 1, 1.5, s.minOrderLots > 1 ? s.minOrderLots - 1 : 0]);
        if (!place && cmd.sizeLots === 0) cmd.sizeLots = -1;
        break;
      case 2:
        cmd.side = r.pick([2, -1, 3]);
        break;
      case 3: // outside the band
        if (place) cmd.orderType = OrderType.LIMIT;
        cmd.priceTicks = r.chance(0.5) ? this.#bandHigh() + r.int(1, 50) : Math.max(1, this.#bandLow() - r.int(1, 50));
        break;
      case 4:
        cmd.orderType = r.pick([2, 5]);
        break;
      case 5:
        cmd.tif = r.pick([3, -1]);
        break;
      case 6:
        cmd.stpMode = r.pick([StpMode.DEFAULT, 4]);
        break;
      case 7:
        cmd.triggerKind = 3;
        break;
      case 8:
        cmd.flags = r.pick([4, 8, 5, -1]);
        break;
      case 9: // invalid combinations
        if (r.chance(0.4)) {
          cmd.flags |= OrderFlag.POST_ONLY;
          cmd.tif = r.pick([TimeInForce.IOC, TimeInForce.FOK]);
        } else if (r.chance(0.5)) {
          cmd.orderType = OrderType.MARKET;
          cmd.tif = TimeInForce.GTC;
          cmd.triggerKind = TriggerKind.NONE;
        } else {
          cmd.triggerKind = TriggerKind.NONE;
          cmd.ocoOrderId = r.int(1, cmd.seq);
        }
        break;
      case 10:
        cmd.triggerKind = r.chance(0.5) ? TriggerKind.STOP : TriggerKind.TAKE_PROFIT;
        cmd.triggerPriceTicks = r.pick([0, -3, s.maxPriceTicks + 1, 100.5]);
        break;
      case 11: // post-only on a crossing price
        cmd.orderType = OrderType.LIMIT;
        cmd.tif = TimeInForce.GTC;
        cmd.triggerKind = TriggerKind.NONE;
        cmd.ocoOrderId = 0;
        cmd.flags = OrderFlag.POST_ONLY;
        cmd.priceTicks = cmd.side === Side.BUY ? this.#mark + r.int(0, this.#spread) : this.#mark - r.int(0, this.#spread);
        break;
    }
  }
}
