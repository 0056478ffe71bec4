/**
 * Server-side encoder of server→client frames (docs/protocol-binary.md).
 *
 * One ReportEncoder owns one preallocated buffer of MAX_REPORT_FRAME_BYTES. Every
 * `encode…` call writes its frame at offset 0 and returns a view of it.
 *
 *   THE RETURNED VIEW IS VALID UNTIL THE NEXT CALL ON THE SAME ENCODER.
 *   Send it (uWS copies on send) or copy it before encoding again.
 *
 * Allocation: none for fixed-size frames (the view for each frame type is created
 * once, in the constructor). L2 frames have a variable size, so `finishL2` creates
 * one subarray view per L2 message; an L2 message is encoded once and sent to every
 * subscriber of the market, so that is one small object per book change batch, not
 * per subscriber.
 *
 * Inputs are trusted engine values: the caller guarantees safe integers and in-range
 * enums (no checks on this path; the decoder is where hostile input is handled).
 * `cloid0..3` are the Command's four int32 words, written back as the 16 cloid bytes.
 */
import { writeI64, writeU16, writeU32, writeU64, writeU8 } from './bytes.js';
import { FrameBytes, FrameType, MAX_L2_DEPTH, MAX_L2_UPDATE_LEVELS, MAX_REPORT_FRAME_BYTES, NONCE_BYTES, PROTOCOL_VERSION } from './frames.js';

export class ReportEncoder {
  readonly #bytes = new Uint8Array(MAX_REPORT_FRAME_BYTES);
  /** One cached view per fixed-size frame type (index = type). */
  readonly #views: Uint8Array[] = [];
  /** L2 frame being built. */
  #l2Type = 0;
  #l2Count = 0;
  #l2BidCount = 0;
  #l2AskCount = 0;

  constructor() {
    const fixed: [number, number][] = [
      [FrameType.CHALLENGE, FrameBytes.CHALLENGE],
      [FrameType.LOGIN_OK, FrameBytes.LOGIN_OK],
      [FrameType.LOGIN_REJECTED, FrameBytes.LOGIN_REJECTED],
      [FrameType.HEARTBEAT_ACK, FrameBytes.HEARTBEAT_ACK],
      [FrameType.ACK, FrameBytes.ACK],
      [FrameType.ERROR, FrameBytes.ERROR],
      [FrameType.ACCEPTED, FrameBytes.ACCEPTED],
      [FrameType.REJECTED, FrameBytes.REJECTED],
      [FrameType.FILL, FrameBytes.FILL],
      [FrameType.CANCELLED, FrameBytes.CANCELLED],
      [FrameType.MODIFIED, FrameBytes.MODIFIED],
      [FrameType.DONE, FrameBytes.DONE],
      [FrameType.TRIGGERED, FrameBytes.TRIGGERED],
      [FrameType.TRADE, FrameBytes.TRADE],
      [FrameType.BBO, FrameBytes.BBO],
    ];
    for (const [type, size] of fixed) this.#views[type] = this.#bytes.subarray(0, size);
  }

  /** Header + zeroed body (reserved bytes are always written as zero). */
  #begin(type: number, requestId: number, size: number): Uint8Array {
    const b = this.#bytes;
    this.#l2Type = 0;
    b.fill(0, 0, size);
    b[0] = PROTOCOL_VERSION;
    b[1] = type;
    writeU32(b, 4, requestId);
    return b;
  }

  // ---- session ------------------------------------------------------------------

  /** CHALLENGE: 8 nonce [32] | 40 validForMs u32 | 44 reserved u32. */
  encodeChallenge(requestId: number, nonce: Uint8Array, validForMs: number): Uint8Array {
    const b = this.#begin(FrameType.CHALLENGE, requestId, FrameBytes.CHALLENGE);
    for (let i = 0; i < NONCE_BYTES; i++) b[8 + i] = nonce[i];
    writeU32(b, 40, validForMs);
    return this.#views[FrameType.CHALLENGE];
  }

  /** LOGIN_OK: 8 accountId u64 | 16 sessionId u64 | 24 serverTimeUs u64. */
  encodeLoginOk(requestId: number, accountId: number, sessionId: number, serverTimeUs: number): Uint8Array {
    const b = this.#begin(FrameType.LOGIN_OK, requestId, FrameBytes.LOGIN_OK);
    writeU64(b, 8, accountId);
    writeU64(b, 16, sessionId);
    writeU64(b, 24, serverTimeUs);
    return this.#views[FrameType.LOGIN_OK];
  }

  /** LOGIN_REJECTED: 8 code i32 | 12 attemptsLeft u8 | 13 reserved [3]. */
  encodeLoginRejected(requestId: number, code: number, attemptsLeft: number): Uint8Array {
    const b = this.#begin(FrameType.LOGIN_REJECTED, requestId, FrameBytes.LOGIN_REJECTED);
    writeU32(b, 8, code);
    writeU8(b, 12, attemptsLeft);
    return this.#views[FrameType.LOGIN_REJECTED];
  }

  /** HEARTBEAT_ACK: 8 clientTimeUs u64 (echoed) | 16 serverTimeUs u64. */
  encodeHeartbeatAck(requestId: number, clientTimeUs: number, serverTimeUs: number): Uint8Array {
    const b = this.#begin(FrameType.HEARTBEAT_ACK, requestId, FrameBytes.HEARTBEAT_ACK);
    writeU64(b, 8, clientTimeUs);
    writeU64(b, 16, serverTimeUs);
    return this.#views[FrameType.HEARTBEAT_ACK];
  }

  /** ACK: 8 requestType u8 | 9 reserved [3] | 12 value u32 (meaning per request type, see the doc). */
  encodeAck(requestId: number, requestType: number, value: number): Uint8Array {
    const b = this.#begin(FrameType.ACK, requestId, FrameBytes.ACK);
    writeU8(b, 8, requestType);
    writeU32(b, 12, value);
    return this.#views[FrameType.ACK];
  }

  /** ERROR: 8 code i32 | 12 requestType u8 | 13 fieldId u8 | 14 detail u16. */
  encodeError(requestId: number, code: number, requestType: number, fieldId: number, detail: number): Uint8Array {
    const b = this.#begin(FrameType.ERROR, requestId, FrameBytes.ERROR);
    writeU32(b, 8, code);
    writeU8(b, 12, requestType);
    writeU8(b, 13, fieldId);
    writeU16(b, 14, detail);
    return this.#views[FrameType.ERROR];
  }

  // ---- execution reports --------------------------------------------------------

  /**
   * ACCEPTED: 8 marketId u16 | 10 side u8 | 11 orderFlags u8 (OrderFlag bits | ACCEPTED_IS_TRIGGER) |
   * 12 reserved u32 | 16 orderId u64 | 24 seq u64 | 32 tsUs u64 | 40 priceTicks u64 (0 = MARKET) |
   * 48 acceptedSizeLots u64 | 56 cloid [16].
   */
  encodeAccepted(
    requestId: number,
    marketId: number,
    side: number,
    orderFlags: number,
    orderId: number,
    seq: number,
    tsUs: number,
    priceTicks: number,
    acceptedSizeLots: number,
    cloid0: number,
    cloid1: number,
    cloid2: number,
    cloid3: number,
  ): Uint8Array {
    const b = this.#begin(FrameType.ACCEPTED, requestId, FrameBytes.ACCEPTED);
    writeU16(b, 8, marketId);
    writeU8(b, 10, side);
    writeU8(b, 11, orderFlags);
    writeU64(b, 16, orderId);
    writeU64(b, 24, seq);
    writeU64(b, 32, tsUs);
    writeU64(b, 40, priceTicks);
    writeU64(b, 48, acceptedSizeLots);
    writeCloidWords(b, 56, cloid0, cloid1, cloid2, cloid3);
    return this.#views[FrameType.ACCEPTED];
  }

  /**
   * REJECTED: 8 code i32 | 12 marketId u16 | 14 requestType u8 | 15 side u8 | 16 orderId u64 |
   * 24 seq u64 (0 = refused before sequencing) | 32 cloid [16].
   */
  encodeRejected(
    requestId: number,
    code: number,
    marketId: number,
    requestType: number,
    side: number,
    orderId: number,
    seq: number,
    cloid0: number,
    cloid1: number,
    cloid2: number,
    cloid3: number,
  ): Uint8Array {
    const b = this.#begin(FrameType.REJECTED, requestId, FrameBytes.REJECTED);
    writeU32(b, 8, code);
    writeU16(b, 12, marketId);
    writeU8(b, 14, requestType);
    writeU8(b, 15, side);
    writeU64(b, 16, orderId);
    writeU64(b, 24, seq);
    writeCloidWords(b, 32, cloid0, cloid1, cloid2, cloid3);
    return this.#views[FrameType.REJECTED];
  }

  /**
   * FILL: 8 marketId u16 | 10 side u8 | 11 liquidity u8 | 12 reserved u32 | 16 orderId u64 |
   * 24 tradeId u64 | 32 priceTicks u64 | 40 sizeLots u64 | 48 remainingLots u64 |
   * 56 feeMicros i64 (negative = rebate) | 64 tsUs u64.
   */
  encodeFill(
    requestId: number,
    marketId: number,
    side: number,
    liquidity: number,
    orderId: number,
    tradeId: number,
    priceTicks: number,
    sizeLots: number,
    remainingLots: number,
    feeMicros: number,
    tsUs: number,
  ): Uint8Array {
    const b = this.#begin(FrameType.FILL, requestId, FrameBytes.FILL);
    writeU16(b, 8, marketId);
    writeU8(b, 10, side);
    writeU8(b, 11, liquidity);
    writeU64(b, 16, orderId);
    writeU64(b, 24, tradeId);
    writeU64(b, 32, priceTicks);
    writeU64(b, 40, sizeLots);
    writeU64(b, 48, remainingLots);
    writeI64(b, 56, feeMicros);
    writeU64(b, 64, tsUs);
    return this.#views[FrameType.FILL];
  }

  /** CANCELLED: 8 marketId u16 | 10 side u8 | 11 reason u8 (CancelReason) | 12 reserved u32 | 16 orderId u64 | 24 remainingLots u64 | 32 tsUs u64. */
  encodeCancelled(requestId: number, marketId: number, side: number, reason: number, orderId: number, remainingLots: number, tsUs: number): Uint8Array {
    const b = this.#begin(FrameType.CANCELLED, requestId, FrameBytes.CANCELLED);
    writeU16(b, 8, marketId);
    writeU8(b, 10, side);
    writeU8(b, 11, reason);
    writeU64(b, 16, orderId);
    writeU64(b, 24, remainingLots);
    writeU64(b, 32, tsUs);
    return this.#views[FrameType.CANCELLED];
  }

  /**
   * MODIFIED: 8 marketId u16 | 10 side u8 | 11 cause u8 (ModifyCause) | 12 requeued u8 | 13 reserved [3] |
   * 16 orderId u64 | 24 priceTicks u64 | 32 oldRemainingLots u64 | 40 newRemainingLots u64 | 48 seq u64 | 56 tsUs u64.
   */
  encodeModified(
    requestId: number,
    marketId: number,
    side: number,
    cause: number,
    requeued: boolean,
    orderId: number,
    priceTicks: number,
    oldRemainingLots: number,
    newRemainingLots: number,
    seq: number,
    tsUs: number,
  ): Uint8Array {
    const b = this.#begin(FrameType.MODIFIED, requestId, FrameBytes.MODIFIED);
    writeU16(b, 8, marketId);
    writeU8(b, 10, side);
    writeU8(b, 11, cause);
    writeU8(b, 12, requeued ? 1 : 0);
    writeU64(b, 16, orderId);
    writeU64(b, 24, priceTicks);
    writeU64(b, 32, oldRemainingLots);
    writeU64(b, 40, newRemainingLots);
    writeU64(b, 48, seq);
    writeU64(b, 56, tsUs);
    return this.#views[FrameType.MODIFIED];
  }

  /** DONE: 8 marketId u16 | 10 side u8 | 11 status u8 (DoneStatus) | 12 reserved u32 | 16 orderId u64 | 24 tsUs u64. */
  encodeDone(requestId: number, marketId: number, side: number, status: number, orderId: number, tsUs: number): Uint8Array {
    const b = this.#begin(FrameType.DONE, requestId, FrameBytes.DONE);
    writeU16(b, 8, marketId);
    writeU8(b, 10, side);
    writeU8(b, 11, status);
    writeU64(b, 16, orderId);
    writeU64(b, 24, tsUs);
    return this.#views[FrameType.DONE];
  }

  /** TRIGGERED: 8 marketId u16 | 10 side u8 | 11 reserved [5] | 16 orderId u64 | 24 markPriceTicks u64 | 32 tsUs u64. */
  encodeTriggered(requestId: number, marketId: number, side: number, orderId: number, markPriceTicks: number, tsUs: number): Uint8Array {
    const b = this.#begin(FrameType.TRIGGERED, requestId, FrameBytes.TRIGGERED);
    writeU16(b, 8, marketId);
    writeU8(b, 10, side);
    writeU64(b, 16, orderId);
    writeU64(b, 24, markPriceTicks);
    writeU64(b, 32, tsUs);
    return this.#views[FrameType.TRIGGERED];
  }

  // ---- market data --------------------------------------------------------------

  /** TRADE: 8 marketId u16 | 10 takerSide u8 | 11 reserved [5] | 16 seq u64 | 24 tradeId u64 | 32 priceTicks u64 | 40 sizeLots u64 | 48 tsUs u64. */
  encodeTrade(requestId: number, marketId: number, takerSide: number, seq: number, tradeId: number, priceTicks: number, sizeLots: number, tsUs: number): Uint8Array {
    const b = this.#begin(FrameType.TRADE, requestId, FrameBytes.TRADE);
    writeU16(b, 8, marketId);
    writeU8(b, 10, takerSide);
    writeU64(b, 16, seq);
    writeU64(b, 24, tradeId);
    writeU64(b, 32, priceTicks);
    writeU64(b, 40, sizeLots);
    writeU64(b, 48, tsUs);
    return this.#views[FrameType.TRADE];
  }

  /**
   * BBO: 8 marketId u16 | 10 reserved [6] | 16 seq u64 | 24 bidPriceTicks u64 | 32 bidSizeLots u64 |
   * 40 askPriceTicks u64 | 48 askSizeLots u64 | 56 tsUs u64. An empty side is price 0, size 0.
   */
  encodeBbo(
    requestId: number,
    marketId: number,
    seq: number,
    bidPriceTicks: number,
    bidSizeLots: number,
    askPriceTicks: number,
    askSizeLots: number,
    tsUs: number,
  ): Uint8Array {
    const b = this.#begin(FrameType.BBO, requestId, FrameBytes.BBO);
    writeU16(b, 8, marketId);
    writeU64(b, 16, seq);
    writeU64(b, 24, bidPriceTicks);
    writeU64(b, 32, bidSizeLots);
    writeU64(b, 40, askPriceTicks);
    writeU64(b, 48, askSizeLots);
    writeU64(b, 56, tsUs);
    return this.#views[FrameType.BBO];
  }

  /**
   * Starts an L2_SNAPSHOT or L2_UPDATE:
   *   8 marketId u16 | 10 SNAPSHOT: bidCount u16, UPDATE: count u16 | 12 SNAPSHOT: askCount u16, UPDATE: reserved u16 |
   *   14 SNAPSHOT: flags u16 (SnapshotFlag), UPDATE: reserved u16 | 16 seq u64 | 24 tsUs u64 | 32 levels.
   * Then `addL2Level` per level (snapshot: bids best→worst, then asks best→worst), then `finishL2`.
   * Starting another frame on this encoder abandons the L2 frame.
   */
  beginL2(type: typeof FrameType.L2_SNAPSHOT | typeof FrameType.L2_UPDATE, requestId: number, marketId: number, seq: number, tsUs: number): void {
    const b = this.#begin(type, requestId, FrameBytes.L2_HEADER);
    writeU16(b, 8, marketId);
    writeU64(b, 16, seq);
    writeU64(b, 24, tsUs);
    this.#l2Type = type;
    this.#l2Count = 0;
    this.#l2BidCount = 0;
    this.#l2AskCount = 0;
  }

  /**
   * Level: +0 priceTicks u64 | +8 totalLots u64 (0 = level removed; updates only) | +16 orderCount u32 |
   * +20 side u8 | +21 reserved [3]. Returns false (and writes nothing) when the frame is full or,
   * in a snapshot, a bid follows an ask: the caller splits updates into several messages
   * and stops a snapshot at MAX_L2_DEPTH per side.
   */
  addL2Level(side: number, priceTicks: number, totalLots: number, orderCount: number): boolean {
    const isSnapshot = this.#l2Type === FrameType.L2_SNAPSHOT;
    if (this.#l2Type === 0) return false;
    if (isSnapshot) {
      if (side === 0 ? this.#l2AskCount > 0 || this.#l2BidCount >= MAX_L2_DEPTH : this.#l2AskCount >= MAX_L2_DEPTH) return false;
    } else if (this.#l2Count >= MAX_L2_UPDATE_LEVELS) {
      return false;
    }
    const b = this.#bytes;
    const at = FrameBytes.L2_HEADER + this.#l2Count * FrameBytes.L2_LEVEL;
    writeU64(b, at, priceTicks);
    writeU64(b, at + 8, totalLots);
    writeU32(b, at + 16, orderCount);
    b[at + 20] = side;
    b[at + 21] = 0;
    b[at + 22] = 0;
    b[at + 23] = 0;
    this.#l2Count++;
    if (side === 0) this.#l2BidCount++;
    else this.#l2AskCount++;
    return true;
  }

  /** Completes the L2 frame and returns its view (valid until the next call). `snapshotFlags`: SnapshotFlag bits, snapshots only. */
  finishL2(snapshotFlags = 0): Uint8Array {
    const b = this.#bytes;
    if (this.#l2Type === FrameType.L2_SNAPSHOT) {
      writeU16(b, 10, this.#l2BidCount);
      writeU16(b, 12, this.#l2AskCount);
      writeU16(b, 14, snapshotFlags);
    } else {
      writeU16(b, 10, this.#l2Count);
    }
    this.#l2Type = 0;
    return b.subarray(0, FrameBytes.L2_HEADER + this.#l2Count * FrameBytes.L2_LEVEL);
  }

  /** The number of levels added since beginL2 (so the caller can tell an empty update). */
  get l2LevelCount(): number {
    return this.#l2Count;
  }
}

function writeCloidWords(b: Uint8Array, at: number, c0: number, c1: number, c2: number, c3: number): void {
  writeU32(b, at, c0);
  writeU32(b, at + 4, c1);
  writeU32(b, at + 8, c2);
  writeU32(b, at + 12, c3);
}
