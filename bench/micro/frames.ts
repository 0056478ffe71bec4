/**
 * Micro: binary protocol frame codecs (docs/protocol-binary.md). Server side:
 * `tryDecodeRequest` of NEW_ORDER / CANCEL and of a 64-frame BATCH (BatchCursor),
 * `ReportEncoder` ACCEPTED / FILL / CANCELLED (the allocation-free hot paths).
 * Client side: `writeNewOrder` (what the load generator pre-encodes) and
 * `decodeReport` (the typed client's decoder, which allocates an object per frame).
 */
import { Code } from '../../engine/codes.js';
import { decodeReport } from '../../gateway/binary/client-decode.js';
import { encodeBatch, encodeCancel, encodeNewOrder, writeNewOrder } from '../../gateway/binary/client-encode.js';
import { BatchCursor, tryDecodeRequest } from '../../gateway/binary/decode.js';
import { ReportEncoder } from '../../gateway/binary/encode.js';
import { MAX_BATCH_FRAMES } from '../../gateway/binary/frames.js';
import { RequestFrame } from '../../gateway/binary/request-frame.js';
import type { MicroTask, MicroTopic } from './task.js';

const N = 256;

export const framesTopic: MicroTopic = {
  async tasks() {
    const order = { marketId: 1, side: 0, orderType: 0, tif: 0, priceTicks: 350_000, sizeLots: 10, cloid: '00112233445566778899aabbccddeeff' };
    const newOrder = encodeNewOrder(42, order);
    const cancel = encodeCancel(43, { marketId: 1, orderId: 123_456 });
    const batch = encodeBatch(Array.from({ length: MAX_BATCH_FRAMES }, (_, i) => encodeNewOrder(i + 1, { ...order, priceTicks: 350_000 + i })));
    const frame = new RequestFrame();
    const cursor = new BatchCursor();
    const enc = new ReportEncoder();
    const copy = new Uint8Array(128);
    const clientBuf = new Uint8Array(64 * N);
    const accepted = Uint8Array.from(enc.encodeAccepted(42, 1, 0, 0, 9_001, 9_001, 1_700_000_000_000_000, 350_000, 10, 1, 2, 3, 4));
    let sink = 0;
    const must = (code: number): void => {
      if (code !== Code.OK) throw new Error(`decode failed ${code}`);
    };
    const tasks: MicroTask[] = [
      {
        name: 'frames: server decode NEW_ORDER (64 B)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) must(tryDecodeRequest(newOrder, frame));
        },
      },
      {
        name: 'frames: server decode CANCEL (24 B)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) must(tryDecodeRequest(cancel, frame));
        },
      },
      {
        name: 'frames: server decode BATCH of 64 NEW_ORDERs (per sub-frame)',
        opsPerIteration: MAX_BATCH_FRAMES,
        fn: () => {
          must(tryDecodeRequest(batch, frame));
          cursor.begin(batch, 0, frame.batchCount);
          while (cursor.hasNext()) must(cursor.tryDecodeNext(frame));
        },
      },
      {
        name: 'frames: server encode ACCEPTED (72 B)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) sink += enc.encodeAccepted(i, 1, 0, 0, 9_000 + i, 9_000 + i, 1_700_000_000_000_000, 350_000, 10, 1, 2, 3, 4)[20];
        },
      },
      {
        name: 'frames: server encode FILL (72 B)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) sink += enc.encodeFill(0, 1, 0, 1, 9_000 + i, 77 + i, 350_000, 3, 7, -2, 1_700_000_000_000_000)[20];
        },
      },
      {
        name: 'frames: server encode + copy CANCELLED (40 B)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) copy.set(enc.encodeCancelled(i, 1, 0, 1, 9_000 + i, 5, 1_700_000_000_000_000));
        },
      },
      {
        name: 'frames: client writeNewOrder (generator pre-encoding)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) writeNewOrder(clientBuf, i * 64, i + 1, order);
        },
      },
      {
        name: 'frames: client decodeReport ACCEPTED (allocates)',
        opsPerIteration: N,
        fn: () => {
          for (let i = 0; i < N; i++) if (!decodeReport(accepted).ok) throw new Error('decode');
        },
      },
    ];
    void sink;
    return tasks;
  },
};
