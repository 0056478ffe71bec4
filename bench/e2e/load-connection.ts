/**
 * One load connection of the generator: a raw WebSocket to /binary logged in as a
 * demo account, sending pre-encoded frames on an open-loop schedule and timing the
 * answers.
 *
 * Schedule. A generator process sends its ops at a fixed interval I (1 / its rate);
 * op k of the process goes at k × I on connection k mod C. So row j of connection
 * c is due at (j × C + c) × I after the step start, whatever happened to earlier
 * ops: a slow answer never delays a later send (open loop).
 *
 * Sending. `sendDue(now)` sends every row due by `now` that was not sent yet: one
 * frame as one WebSocket message, several as BATCH messages of up to 64 frames, all
 * in one socket write. A socket whose unsent bytes exceed MAX_QUEUED_BYTES waits
 * (rows stay due; their latency keeps counting from the schedule).
 *
 * Timing. Latency = receive time − SCHEDULED send time (not the actual one: that
 * would hide queueing in the generator and the socket, "coordinated omission").
 * The clock is read once per TCP chunk received.
 */
import type { KeyObject } from 'node:crypto';
import { Code } from '../../engine/codes.js';
import { performance } from 'node:perf_hooks';
import { exportEd25519PublicKeyRaw, signLogin } from '../../gateway/binary/auth.js';
import { encodeLogin } from '../../gateway/binary/client-encode.js';
import { FrameBytes, FrameType, MAX_BATCH_FRAMES } from '../../gateway/binary/frames.js';
import { openRawWebSocket, writeClientFrameHeader, type RawWebSocket } from './raw-ws.js';
import { RowSchedule } from './row-schedule.js';
import type { StepRecorder } from './recorder.js';
import { ORDER_ID_OFFSET, type StepFrames } from './step-frames.js';
import { OpKind } from './workload.js';

const MAX_QUEUED_BYTES = 256 * 1024;
const LOGIN_REQUEST_ID = 0xfffffff0;
const BATCH_HEADER = FrameBytes.BATCH_HEADER;

const u64 = (b: Buffer, o: number): number => b.readUInt32LE(o) + b.readUInt32LE(o + 4) * 2 ** 32;

export class LoadConnection {
  readonly index: number;
  readonly tag: number;
  accountId = 0;
  closeCode = 0;
  #ws: RawWebSocket | undefined;
  #nonce: Uint8Array | undefined;
  #login: { resolve: (accountId: number) => void; reject: (e: Error) => void; privateKey: KeyObject; publicKey: Uint8Array } | undefined;
  /** planIdx → exchange order id, for resting orders (targets of CANCEL / MODIFY). */
  readonly #orderIds = new Map<number, number>();
  /** orderId → row, for IOCs waiting for their first fill. */
  readonly #iocPending = new Map<number, number>();

  // ---- the current step
  #f: StepFrames | undefined;
  #src!: Buffer;
  #fallbackSrc!: Buffer;
  #rec!: StepRecorder;
  #acked = new Uint8Array(0);
  #next = 0;
  /** When each row is due (the open-loop rule, shared with json-connection.ts). */
  readonly #s = new RowSchedule();
  #rxMs = 0;
  #measuredAnswered = 0;
  /** Per batch: where each row's frame comes from (offset into main bytes, or −1 − fallback offset). */
  readonly #srcOff = new Float64Array(MAX_BATCH_FRAMES);
  readonly #orderIdOf = new Float64Array(MAX_BATCH_FRAMES);

  private constructor(index: number, tag: number) {
    this.index = index;
    this.tag = tag;
  }

  /** Connects and logs in with account 0 and a fresh key (demo mode creates and funds the account). */
  static async open(url: string, index: number, tag: number, privateKey: KeyObject, timeoutMs = 10_000): Promise<LoadConnection> {
    const c = new LoadConnection(index, tag);
    const loggedIn = new Promise<number>((resolve, reject) => {
      c.#login = { resolve, reject, privateKey, publicKey: exportEd25519PublicKeyRaw(privateKey) };
    });
    c.#ws = await openRawWebSocket(url, {
      onMessage: (buf, start, end) => c.#onMessage(buf, start, end),
      onClose: (code) => c.#onClose(code),
      onChunk: () => {
        c.#rxMs = performance.now();
      },
    });
    c.#sendLogin();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection ${index}: no LOGIN_OK within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      c.accountId = await Promise.race([loggedIn, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  get socketQueuedBytes(): number {
    return this.#ws?.socket.writableLength ?? 0;
  }

  close(): void {
    this.#ws?.close();
  }

  /** Starts a step: rows of `f`, row j due at (j × stride + phase) × intervalUs after t0Ms; rows before warmupUs are not measured. */
  beginStep(f: StepFrames, rec: StepRecorder, t0Ms: number, intervalUs: number, stride: number, phase: number, warmupUs: number): void {
    this.#f = f;
    this.#src = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
    this.#fallbackSrc = Buffer.from(f.fallback.buffer, f.fallback.byteOffset, f.fallback.byteLength);
    this.#rec = rec;
    this.#acked = new Uint8Array(f.count);
    this.#next = 0;
    this.#measuredAnswered = 0;
    this.#s.begin(f.count, t0Ms, intervalUs, stride, phase, warmupUs);
    rec.c.measuredOps += f.count - this.#s.firstMeasured;
    this.#iocPending.clear();
  }

  schedUs(row: number): number {
    return this.#s.schedUs(row);
  }

  /** Rows due by `nowUs` (since the step start): [0, dueEnd). */
  dueEnd(nowUs: number): number {
    return this.#f ? this.#s.dueEnd(nowUs) : 0;
  }

  get allSent(): boolean {
    return !this.#f || this.#next >= this.#f.count || this.closeCode !== 0;
  }

  /** Row index of the next unsent op (for the pacer's "when is the next send"). */
  get nextRow(): number {
    return this.#next;
  }

  /** Measured rows not answered yet (0 once the socket closed: nothing more will come). */
  get pendingMeasured(): number {
    if (!this.#f || this.closeCode !== 0) return 0;
    return this.#f.count - this.#s.firstMeasured - this.#measuredAnswered;
  }

  /** Sends every due row not sent yet. Returns the number of rows sent. */
  sendDue(nowUs: number): number {
    const f = this.#f;
    if (!f || this.closeCode !== 0) return 0;
    const end = this.dueEnd(nowUs);
    const first = this.#next;
    if (end <= first) return 0;
    const rec = this.#rec;
    const ws = this.#ws!;
    if (ws.socket.writableLength > MAX_QUEUED_BYTES) {
      rec.c.backpressureWaits++;
      return 0;
    }
    const count = end - first;
    const out = Buffer.allocUnsafe(count * FrameBytes.NEW_ORDER + Math.ceil(count / MAX_BATCH_FRAMES) * (BATCH_HEADER + 8));
    let at = 0;
    for (let row = first; row < end; ) {
      const k = Math.min(MAX_BATCH_FRAMES, end - row);
      let payload = k > 1 ? BATCH_HEADER : 0;
      for (let i = 0; i < k; i++) payload += this.#resolve(row + i, i);
      at += writeClientFrameHeader(out, at, payload);
      if (k > 1) {
        out.fill(0, at, at + BATCH_HEADER);
        out[at] = 1;
        out[at + 1] = FrameType.BATCH;
        out.writeUInt16LE(k, at + 8);
        at += BATCH_HEADER;
      }
      for (let i = 0; i < k; i++) at += this.#copyFrame(row + i, i, out, at);
      row += k;
    }
    ws.write(out.subarray(0, at));
    rec.c.bytesOut += at;
    rec.noteSent(this.#s, first, end, nowUs);
    this.#next = end;
    return count;
  }

  /** Decides where row's frame comes from (slot i of the batch being built); returns its size. */
  #resolve(row: number, i: number): number {
    const f = this.#f!;
    const kind = f.kind[row];
    if (kind !== OpKind.CANCEL && kind !== OpKind.MODIFY) {
      this.#srcOff[i] = f.off[row];
      return f.len[row];
    }
    const target = f.target[row];
    const orderId = this.#orderIds.get(target);
    if (orderId === undefined) {
      this.#srcOff[i] = -1 - f.fallbackRow[row] * FrameBytes.CANCEL_BY_CLOID;
      this.#rec.c.fallbacks++;
      if (kind === OpKind.CANCEL) this.#orderIds.delete(target);
      return FrameBytes.CANCEL_BY_CLOID;
    }
    if (kind === OpKind.CANCEL) this.#orderIds.delete(target);
    this.#srcOff[i] = f.off[row];
    this.#orderIdOf[i] = orderId;
    return f.len[row];
  }

  #copyFrame(row: number, i: number, out: Buffer, at: number): number {
    const f = this.#f!;
    const src = this.#srcOff[i];
    if (src < 0) {
      const o = -1 - src;
      this.#fallbackSrc.copy(out, at, o, o + FrameBytes.CANCEL_BY_CLOID);
      return FrameBytes.CANCEL_BY_CLOID;
    }
    const len = f.len[row];
    this.#src.copy(out, at, src, src + len);
    const kind = f.kind[row];
    if (kind === OpKind.CANCEL || kind === OpKind.MODIFY) {
      const id = this.#orderIdOf[i];
      out.writeUInt32LE(id % 2 ** 32, at + ORDER_ID_OFFSET);
      out.writeUInt32LE(Math.floor(id / 2 ** 32), at + ORDER_ID_OFFSET + 4);
    }
    return len;
  }

  /** Ends the step at `endMs`: measured ops still unanswered are recorded with latency endMs − scheduled. */
  finishStep(endMs: number): void {
    const f = this.#f;
    if (!f) return;
    this.#rec.noteUnanswered(this.#s, this.#acked, f.kind, this.#next, endMs);
    this.#f = undefined;
  }

  // ---- receiving -------------------------------------------------------------------

  #onMessage(buf: Buffer, s: number, e: number): void {
    if (e - s < 8) return;
    const type = buf[s + 1];
    const requestId = buf.readUInt32LE(s + 4);
    const rec = this.#f ? this.#rec : undefined;
    if (rec) {
      rec.c.messagesIn++;
      rec.c.bytesIn += e - s;
    }
    switch (type) {
      case FrameType.CHALLENGE:
        return this.#onChallenge(buf, s);
      case FrameType.LOGIN_OK:
        this.#login?.resolve(u64(buf, s + 8));
        this.#login = undefined;
        return;
      case FrameType.LOGIN_REJECTED:
        this.#login?.reject(new Error(`connection ${this.index}: LOGIN_REJECTED code ${buf.readInt32LE(s + 8)}`));
        this.#login = undefined;
        return;
      case FrameType.FILL:
        if (buf[s + 11] === 1) this.#onTakerFill(u64(buf, s + 16));
        return;
      case FrameType.DONE:
        this.#iocPending.delete(u64(buf, s + 16));
        return;
    }
    if (requestId === 0 || requestId === LOGIN_REQUEST_ID) return;
    const f = this.#f;
    if (!f || !rec) return;
    const planIdx = requestId - 1;
    const row = planIdx - f.base;
    if (row < 0 || row >= f.count) {
      rec.c.late++;
      return;
    }
    if (this.#acked[row] !== 0) return;
    this.#acked[row] = 1;
    const kind = f.kind[row];
    if (type === FrameType.ACCEPTED) {
      const orderId = u64(buf, s + 16);
      if (kind === OpKind.PLACE) this.#orderIds.set(planIdx, orderId);
      else if (kind === OpKind.IOC && row >= this.#s.firstMeasured) this.#iocPending.set(orderId, row);
    } else if (type === FrameType.REJECTED) {
      const code = buf.readInt32LE(s + 8);
      rec.reject(code);
      if ((code === Code.OVERLOADED || code === Code.RATE_LIMITED) && row >= this.#s.firstMeasured) rec.c.shed++;
    } else if (type === FrameType.ERROR) {
      rec.error(buf.readInt32LE(s + 8));
      if (row >= this.#s.firstMeasured) rec.c.shed++;
    }
    if (row < this.#s.firstMeasured) return;
    const ns = this.#s.latencyNs(row, this.#rxMs);
    rec.ack.record(ns);
    rec.ackKind[kind].record(ns);
    rec.c.measuredAcked++;
    this.#measuredAnswered++;
    if (kind === OpKind.IOC) rec.c.iocAcked++;
    const rel = this.#rxMs - this.#s.t0Ms;
    if (rel > rec.c.lastMeasuredAckMs) rec.c.lastMeasuredAckMs = rel;
  }

  #onTakerFill(orderId: number): void {
    const row = this.#iocPending.get(orderId);
    if (row === undefined) return;
    this.#iocPending.delete(orderId);
    const rec = this.#rec;
    rec.fill.record(this.#s.latencyNs(row, this.#rxMs));
    rec.c.iocFilled++;
  }

  #onChallenge(buf: Buffer, s: number): void {
    if (!this.#login) return;
    this.#nonce = Uint8Array.from(buf.subarray(s + 8, s + 40));
    // The CHALLENGE may arrive with the handshake's bytes, before open() has the socket.
    if (this.#ws) this.#sendLogin();
  }

  #sendLogin(): void {
    const l = this.#login;
    const nonce = this.#nonce;
    if (!l || !nonce) return;
    this.#nonce = undefined;
    const signature = signLogin(l.privateKey, nonce, 0, l.publicKey);
    this.#ws!.sendMessage(encodeLogin(LOGIN_REQUEST_ID, { accountId: 0, publicKey: l.publicKey, signature }));
  }

  #onClose(code: number): void {
    this.closeCode = code || 1006;
    if (this.#f) this.#rec.c.disconnects++;
    this.#login?.reject(new Error(`connection ${this.index} closed (${code}) before login`));
    this.#login = undefined;
  }
}
