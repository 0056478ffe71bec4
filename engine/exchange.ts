import { Code } from './codes.js';
import type { Command } from './command.js';
import { Op } from './command.js';
import { NullSink, TeeSink, type MarketEventSink } from './events.js';
import type { MarketEngine, MarketEngineFactory } from './market-engine.js';
import type { MarketSpec } from './market-spec.js';
import { StateHasher } from './state-hash.js';
import { Ledger, type LedgerOptions } from './ledger/ledger.js';

export interface ExchangeOptions {
  markets: readonly MarketSpec[];
  createMarket: MarketEngineFactory;
  ledgerOptions?: LedgerOptions;
  /** Receives every market event after the ledger has settled it (output ring, recorder). */
  sink?: MarketEventSink;
  /**
   * 'inline' (default): R2 runs inside market.process, event by event (the TeeSink
   * below). 'external': markets report only to `sink` and the caller settles through
   * `ledger.settlementSink(marketId)` itself, in an order of its choosing (journal
   * replay applies market events to the ledger in the order the gateway applied them).
   */
  settlement?: 'inline' | 'external';
}

/** State hashes of every market (ascending marketId) and of the ledger, and their combination. */
export interface ExchangeHashes {
  markets: { marketId: number; hash: string }[];
  ledger: string;
  exchange: string;
}

/**
 * The whole exchange in one thread: the ledger and every market, wired together.
 * Used by tests, the differential and conservation runs, and journal replay. In
 * production the same stages run on different threads (ledger in the sequencer,
 * markets in workers) with rings in between; the stage order does not change:
 *
 *   1. R1   ledger.tryPreTrade(cmd): ledger ops complete here; order ops get their
 *           margin held and cmd.preheldLots / cmd.stpMode filled in. A refusal ends
 *           the command (the market never sees it, no event is emitted).
 *   2. M    market.process(cmd): matching; events go to the market's sink.
 *   3. R2   the market's sink is a TeeSink: first the ledger's settlement for that
 *           market, then the optional output sink. R2 therefore runs inline, event by
 *           event, while the market processes the command.
 *
 * CANCEL_ALL with value = 1 is fanned out to every market in ascending marketId
 * order (the command's marketId is set to each in turn, then restored).
 * SET_MARK_PRICE updates the ledger's reference price in R1 and the market's mark in M.
 *
 * The caller acts as the sequencer: it assigns cmd.seq (strictly increasing) and, for
 * PLACE, cmd.orderId = cmd.seq.
 */
export class Exchange {
  readonly ledger: Ledger;
  /** Markets in ascending marketId order. */
  readonly markets: readonly MarketEngine[];
  readonly #byId = new Map<number, MarketEngine>(); // looked up only, never iterated

  constructor(options: ExchangeOptions) {
    this.ledger = new Ledger(options.markets, options.ledgerOptions);
    const out = options.sink;
    const external = options.settlement === 'external';
    this.markets = this.ledger.markets.map((spec) => {
      const settle = this.ledger.settlementSink(spec.marketId);
      const sink = external ? (out ?? new NullSink()) : out ? new TeeSink(settle, out) : settle;
      const engine = options.createMarket(spec, sink);
      this.#byId.set(spec.marketId, engine);
      return engine;
    });
  }

  market(marketId: number): MarketEngine | undefined {
    return this.#byId.get(marketId);
  }

  /** Processes one command through R1 → market → R2; returns its Code. */
  process(cmd: Command): number {
    const code = this.ledger.tryPreTrade(cmd);
    if (code !== Code.OK) return code;
    return this.route(cmd);
  }

  /**
   * Stages M (+ R2 when settlement is inline) for a command R1 has already passed:
   * ledger ops are complete, order ops and market inputs go to their market(s).
   * Journal replay calls it after re-running R1 itself.
   */
  route(cmd: Command): number {
    switch (cmd.op) {
      case Op.CREATE_ACCOUNT:
      case Op.DEPOSIT:
      case Op.WITHDRAW:
      case Op.SET_LEVERAGE:
      case Op.SET_STP_DEFAULT:
        return Code.OK;
      case Op.CANCEL_ALL:
        if (cmd.value === 1) return this.#cancelAllMarkets(cmd);
        return this.#mustMarket(cmd.marketId).process(cmd);
      default:
        return this.#mustMarket(cmd.marketId).process(cmd);
    }
  }

  #cancelAllMarkets(cmd: Command): number {
    const marketId = cmd.marketId;
    for (const market of this.markets) {
      cmd.marketId = market.spec.marketId;
      market.process(cmd);
    }
    cmd.marketId = marketId;
    return Code.OK;
  }

  #mustMarket(marketId: number): MarketEngine {
    const market = this.#byId.get(marketId);
    if (!market) throw new Error(`exchange: R1 passed a command for unknown market ${marketId}`);
    return market;
  }

  /**
   * Hash of the whole exchange: per market in ascending marketId (marketId, the
   * market's stateHash), then the ledger's stateHash.
   */
  stateHash(): string {
    return this.hashes().exchange;
  }

  /** Every part's hash and the combined one (O(state): walks every book and account once). */
  hashes(): ExchangeHashes {
    const markets = this.markets.map((m) => ({ marketId: m.spec.marketId, hash: m.stateHash() }));
    const ledger = this.ledger.stateHash();
    return { markets, ledger, exchange: combineExchangeHash(markets, ledger) };
  }

  /** Every market's validateInternalState, the ledger's invariants and the conservation law; throws on the first failure. For tests. */
  mustValidate(): void {
    for (const market of this.markets) market.validateInternalState();
    this.ledger.mustValidateInternalState();
    this.ledger.mustConserve();
    for (const market of this.markets) {
      for (let a = 0; a < this.ledger.accountCount; a++) {
        const inMarket = market.positionLots(a);
        const inLedger = this.ledger.positionLots(a, market.spec.marketId);
        if (inMarket !== inLedger) throw new Error(`exchange: account ${a} market ${market.spec.marketId}: market has ${inMarket} lots, ledger ${inLedger}`);
      }
    }
  }
}

/** The exchange hash from its parts: per market in ascending marketId (marketId, hash), then the ledger's hash. */
export function combineExchangeHash(markets: readonly { marketId: number; hash: string }[], ledgerHash: string): string {
  const h = new StateHasher();
  for (const m of markets) h.add(m.marketId).addString(m.hash);
  h.addString(ledgerHash);
  return h.digest();
}
