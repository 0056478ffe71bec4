import { performance } from 'node:perf_hooks';
import { Op, type Command } from '../../engine/command.js';

/**
 * The single writer of order: gives each accepted command the next sequence number
 * and a timestamp. This is where wall-clock time enters the system; the engine only
 * ever sees `cmd.tsUs`, so replaying the journal reproduces the same state.
 *
 * Timestamps are microseconds since the Unix epoch (nanoseconds would exceed 2^53),
 * non-decreasing even if the wall clock steps back.
 */
export class Sequencer {
  #nextSeq: number;
  #lastTsUs = 0;

  constructor(firstSeq = 1) {
    this.#nextSeq = firstSeq;
  }

  /** The seq the next stamped command will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  nowUs(): number {
    const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    if (now > this.#lastTsUs) this.#lastTsUs = now;
    return this.#lastTsUs;
  }

  /** Stamps seq and tsUs; a PLACE's order id is its seq. */
  stamp(cmd: Command): void {
    cmd.seq = this.#nextSeq++;
    cmd.tsUs = this.nowUs();
    if (cmd.op === Op.PLACE) cmd.orderId = cmd.seq;
  }

  /** After recovery: continue after the last journaled seq. */
  resumeAfter(lastSeq: number, lastTsUs: number): void {
    this.#nextSeq = lastSeq + 1;
    this.#lastTsUs = Math.max(this.#lastTsUs, lastTsUs);
  }
}
