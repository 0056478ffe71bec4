import type { Command } from '../command.js';

/**
 * Fixed layout of a Command as 18 Float64 slots (144 bytes): the same record goes
 * into the market rings and (later) the journal. Every field is a safe integer or
 * a 32-bit word, so a Float64 holds it exactly. Enums are packed into one slot.
 *
 *  slot  field                slot  field
 *   0    op                    9    cloid3
 *   1    seq                  10    packed enums (see below)
 *   2    tsUs                 11    priceTicks
 *   3    marketId             12    sizeLots
 *   4    accountId            13    triggerPriceTicks
 *   5    orderId              14    ocoOrderId
 *   6    cloid0               15    preheldLots
 *   7    cloid1               16    amount
 *   8    cloid2               17    value
 *
 * packed enums = side | orderType<<4 | tif<<8 | flags<<12 | stpMode<<16 | triggerKind<<20,
 * 4 bits each, so an out-of-range value below 16 survives the trip and is refused
 * by the engine's own validation (the gateway decoder refuses larger ones first).
 */
export const COMMAND_RECORD_LENGTH = 18;

export function encodeCommand(cmd: Command, out: Float64Array, offset: number): void {
  out[offset] = cmd.op;
  out[offset + 1] = cmd.seq;
  out[offset + 2] = cmd.tsUs;
  out[offset + 3] = cmd.marketId;
  out[offset + 4] = cmd.accountId;
  out[offset + 5] = cmd.orderId;
  out[offset + 6] = cmd.cloid0;
  out[offset + 7] = cmd.cloid1;
  out[offset + 8] = cmd.cloid2;
  out[offset + 9] = cmd.cloid3;
  out[offset + 10] =
    (cmd.side & 15) | ((cmd.orderType & 15) << 4) | ((cmd.tif & 15) << 8) | ((cmd.flags & 15) << 12) | ((cmd.stpMode & 15) << 16) | ((cmd.triggerKind & 15) << 20);
  out[offset + 11] = cmd.priceTicks;
  out[offset + 12] = cmd.sizeLots;
  out[offset + 13] = cmd.triggerPriceTicks;
  out[offset + 14] = cmd.ocoOrderId;
  out[offset + 15] = cmd.preheldLots;
  out[offset + 16] = cmd.amount;
  out[offset + 17] = cmd.value;
}

export function decodeCommand(src: Float64Array, offset: number, cmd: Command): Command {
  cmd.op = src[offset];
  cmd.seq = src[offset + 1];
  cmd.tsUs = src[offset + 2];
  cmd.marketId = src[offset + 3];
  cmd.accountId = src[offset + 4];
  cmd.orderId = src[offset + 5];
  cmd.cloid0 = src[offset + 6] | 0;
  cmd.cloid1 = src[offset + 7] | 0;
  cmd.cloid2 = src[offset + 8] | 0;
  cmd.cloid3 = src[offset + 9] | 0;
  const e = src[offset + 10];
  cmd.side = e & 15;
  cmd.orderType = (e >> 4) & 15;
  cmd.tif = (e >> 8) & 15;
  cmd.flags = (e >> 12) & 15;
  cmd.stpMode = (e >> 16) & 15;
  cmd.triggerKind = (e >> 20) & 15;
  cmd.priceTicks = src[offset + 11];
  cmd.sizeLots = src[offset + 12];
  cmd.triggerPriceTicks = src[offset + 13];
  cmd.ocoOrderId = src[offset + 14];
  cmd.preheldLots = src[offset + 15];
  cmd.amount = src[offset + 16];
  cmd.value = src[offset + 17];
  return cmd;
}
