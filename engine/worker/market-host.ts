import { Code } from '../codes.js';
import { Command, Op } from '../command.js';
import type { MarketEngine, MarketEngineFactory } from '../market-engine.js';
import type { MarketSpec } from '../market-spec.js';
import { COMMAND_RECORD_LENGTH, decodeCommand } from '../ring/command-codec.js';
import { EventEncoder } from '../ring/event-codec.js';

/**
 * The markets one worker owns, fed with encoded command records and producing
 * encoded event records. Thread-agnostic (the worker loop and tests both use it):
 * deterministic, no clock.
 */
export class MarketHost {
  readonly encoder = new EventEncoder();
  readonly #markets = new Map<number, MarketEngine>();
  readonly #cmd = new Command();

  constructor(specs: MarketSpec[], createMarket: MarketEngineFactory) {
    for (const spec of specs) this.#markets.set(spec.marketId, createMarket(spec, this.encoder));
  }

  market(marketId: number): MarketEngine | undefined {
    return this.#markets.get(marketId);
  }

  /**
   * Applies `count` command records from `src`. Returns false if a SHUTDOWN record
   * was seen (records after it are not applied).
   */
  processRecords(src: Float64Array, count: number): boolean {
    const cmd = this.#cmd;
    const enc = this.encoder;
    for (let i = 0; i < count; i++) {
      decodeCommand(src, i * COMMAND_RECORD_LENGTH, cmd);
      if (cmd.op === Op.SHUTDOWN) return false;
      enc.begin(cmd.marketId, cmd.seq);
      const market = this.#markets.get(cmd.marketId);
      let code: number;
      if (market === undefined) {
        code = Code.UNKNOWN_MARKET;
        enc.onReject(cmd.seq, cmd.op === Op.PLACE ? cmd.seq : cmd.orderId, cmd.accountId, code, cmd.side, cmd.preheldLots);
      } else {
        code = market.process(cmd);
      }
      enc.end(code);
    }
    return true;
  }
}
