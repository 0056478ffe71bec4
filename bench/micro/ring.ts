/**
 * Micro: the gateway → worker command ring (engine/ring/record-ring.ts, ringbuf.js
 * over a SharedArrayBuffer) on one thread: batches of 64 records pushed and popped
 * (the runtime's batch size), raw and with the command codec (encodeCommand /
 * decodeCommand of engine/ring/command-codec.ts). Cross-thread wake-ups are the
 * `wait` benchmark's subject.
 */
import { Command, Op } from '../../engine/command.js';
import { COMMAND_RECORD_LENGTH, decodeCommand, encodeCommand } from '../../engine/ring/command-codec.js';
import { RecordRing } from '../../engine/ring/record-ring.js';
import type { MicroTask, MicroTopic } from './task.js';

const BATCH = 64;

export const ringTopic: MicroTopic = {
  async tasks() {
    const ring = RecordRing.create(16_384, COMMAND_RECORD_LENGTH);
    const batch = new Float64Array(BATCH * COMMAND_RECORD_LENGTH);
    const out = new Float64Array(BATCH * COMMAND_RECORD_LENGTH);
    const cmd = new Command();
    const back = new Command();
    cmd.op = Op.PLACE;
    cmd.marketId = 1;
    cmd.accountId = 7;
    cmd.priceTicks = 1_000_000;
    cmd.sizeLots = 5;
    for (let i = 0; i < BATCH; i++) encodeCommand(cmd, batch, i * COMMAND_RECORD_LENGTH);
    let seq = 0;
    const tasks: MicroTask[] = [
      {
        name: 'ring: push + pop 64 command records (18 f64 each)',
        opsPerIteration: BATCH,
        fn: () => {
          if (ring.pushMany(batch, BATCH) !== BATCH) throw new Error('ring full');
          if (ring.popMany(out, BATCH) !== BATCH) throw new Error('ring empty');
        },
      },
      {
        name: 'ring: encode + push + pop + decode 64 commands',
        opsPerIteration: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) {
            cmd.seq = ++seq;
            encodeCommand(cmd, batch, i * COMMAND_RECORD_LENGTH);
          }
          ring.pushMany(batch, BATCH);
          ring.popMany(out, BATCH);
          for (let i = 0; i < BATCH; i++) decodeCommand(out, i * COMMAND_RECORD_LENGTH, back);
        },
      },
      {
        name: 'ring: push + pop one record at a time',
        opsPerIteration: BATCH,
        fn: () => {
          for (let i = 0; i < BATCH; i++) {
            ring.tryPush(batch);
            ring.popMany(out, 1);
          }
        },
      },
    ];
    return tasks;
  },
};
