import { Code } from '../codes.js';
import { Command, Op } from '../command.js';
import type { MarketEngine, MarketEngineFactory } from '../market-engine.js';
import type { MarketSpec } from '../market-spec.js';
import { COMMAND_RECORD_LENGTH, decodeCommand } from '../ring/command-codec.js';
import { EventEncoder } from '../ring/event-codec.js';
import { restoreMarket } from '../exchange-snapshot.js';
import type { FastMarket } from '../book/fast-market.js';
import { captureFastMarketImage, type MarketImage } from '../book/fast-market-snapshot.js';

/**
 * The markets one worker owns, fed with encoded command records and producing
 * encoded event records. Thread-agnostic (the worker loop and tests both use it):
 * deterministic, no clock.
 */
export class MarketHost {
  readonly encoder = new EventEncoder();
  /** Durability: the copies taken for a SNAPSHOT command, for the worker loop to send (then cleared). */
  snapshot: { cutSeq: number; images: { marketId: number; image: MarketImage }[] } | undefined;
  readonly #markets = new Map<number, MarketEngine>();
  readonly #cmd = new Command();

  /** `initial`: snapshot bytes of markets to load (journal recovery, docs/durability.md); the others start empty. */
  constructor(specs: MarketSpec[], createMarket: MarketEngineFactory, initial: readonly { marketId: number; bytes: Uint8Array }[] = []) {
    for (const spec of specs) this.#markets.set(spec.marketId, createMarket(spec, this.encoder));
    for (const part of initial) {
      const market = this.#markets.get(part.marketId);
      if (market === undefined) throw new Error(`MarketHost: snapshot of market ${part.marketId}, which this host does not own`);
      restoreMarket(market, part.bytes);
    }
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
      if (cmd.op === Op.SNAPSHOT) {
        // Durability: copy every market's arrays (the only pause), then mark the event stream.
        const images = [...this.#markets.values()].map((m) => ({ marketId: m.spec.marketId, image: captureFastMarketImage(m as FastMarket) }));
        this.snapshot = { cutSeq: cmd.value, images };
        enc.snapshotMark(cmd.value);
        continue;
      }
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
