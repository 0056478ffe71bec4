/**
 * Pre-encoding of one connection's planned ops into binary-protocol frames, before
 * the timed run (docs/protocol-binary.md). Every op gets its own frame with
 * requestId = plan index + 1 (unique per connection for the whole run, so a late
 * answer to an earlier step is recognised and ignored).
 *
 * CANCEL and MODIFY need the exchange's order id of their target, which exists
 * only once the target's ACCEPTED arrived. Their frames are encoded with a
 * placeholder id; the sender copies the frame and writes the real id at offset 16
 * (both layouts carry `orderId` there). When the id is not known yet at send time,
 * the sender sends the op's fallback instead: a CANCEL_BY_CLOID of the target's
 * cloid (the target's NEW_ORDER went out earlier on the same connection, and the
 * server processes a connection's frames in order, so the cloid is known to it).
 */
import { writeCancel, writeCancelByCloid, writeModify, writeNewOrder } from '../../gateway/binary/client-encode.js';
import { FrameBytes } from '../../gateway/binary/frames.js';
import { OrderType, StpMode, TimeInForce } from '../../engine/types.js';
import { OpKind, type PlannedOps } from './workload.js';

/** Byte offset of `orderId` in CANCEL and MODIFY frames. */
export const ORDER_ID_OFFSET = 16;
const CLOID_TAG = 0x62656e63; // "benc"

export interface StepFrames {
  base: number;
  count: number;
  kind: Uint8Array;
  /** Plan index of the target order (CANCEL / MODIFY), else −1. */
  target: Float64Array;
  /** Every op's frame, back to back. */
  bytes: Uint8Array;
  off: Uint32Array;
  len: Uint8Array;
  /** Row → index into `fallback` (32-byte CANCEL_BY_CLOID frames), −1 for rows without one. */
  fallbackRow: Int32Array;
  fallback: Uint8Array;
}

/** The 16-byte cloid of a connection's order: tag, connection, plan index. */
export function writeCloid(out: Uint8Array, at: number, connectionTag: number, planIdx: number): void {
  const dv = new DataView(out.buffer, out.byteOffset + at, 16);
  dv.setUint32(0, CLOID_TAG, true);
  dv.setUint32(4, connectionTag >>> 0, true);
  dv.setUint32(8, planIdx % 2 ** 32, true);
  dv.setUint32(12, Math.floor(planIdx / 2 ** 32), true);
}

export function encodeStep(plan: PlannedOps, connectionTag: number): StepFrames {
  const n = plan.count;
  let total = 0;
  let fallbacks = 0;
  for (let i = 0; i < n; i++) {
    const k = plan.kind[i];
    total += k === OpKind.PLACE || k === OpKind.IOC ? FrameBytes.NEW_ORDER : k === OpKind.CANCEL ? FrameBytes.CANCEL : FrameBytes.MODIFY;
    if (k === OpKind.CANCEL || k === OpKind.MODIFY) fallbacks++;
  }
  const bytes = new Uint8Array(total);
  const off = new Uint32Array(n);
  const len = new Uint8Array(n);
  const fallback = new Uint8Array(fallbacks * FrameBytes.CANCEL_BY_CLOID);
  const fallbackRow = new Int32Array(n).fill(-1);
  const cloid = new Uint8Array(16);
  let at = 0;
  let fb = 0;
  for (let i = 0; i < n; i++) {
    const planIdx = plan.base + i;
    const requestId = planIdx + 1;
    const k = plan.kind[i];
    const marketId = plan.marketId[i];
    off[i] = at;
    let size: number;
    if (k === OpKind.PLACE || k === OpKind.IOC) {
      writeCloid(cloid, 0, connectionTag, planIdx);
      size = writeNewOrder(bytes, at, requestId, {
        marketId,
        side: plan.side[i],
        orderType: OrderType.LIMIT,
        tif: k === OpKind.PLACE ? TimeInForce.GTC : TimeInForce.IOC,
        stpMode: StpMode.DEFAULT,
        priceTicks: plan.priceTicks[i],
        sizeLots: plan.sizeLots[i],
        cloid,
      });
    } else {
      const target = plan.target[i];
      size =
        k === OpKind.CANCEL
          ? writeCancel(bytes, at, requestId, { marketId, orderId: 1 })
          : writeModify(bytes, at, requestId, { marketId, orderId: 1, side: plan.side[i], newPriceTicks: plan.priceTicks[i], newSizeLots: 0 });
      writeCloid(cloid, 0, connectionTag, target);
      writeCancelByCloid(fallback, fb * FrameBytes.CANCEL_BY_CLOID, requestId, { marketId, cloid });
      fallbackRow[i] = fb++;
    }
    len[i] = size;
    at += size;
  }
  return { base: plan.base, count: n, kind: plan.kind, target: plan.target, bytes, off, len, fallbackRow, fallback };
}
