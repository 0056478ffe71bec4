import type { WebSocket } from 'uWebSockets.js';
import { MAX_LOGIN_ATTEMPTS } from '../binary/frames.js';

const OUTBOX_INITIAL_BYTES = 4096;
/** An outbox that grew beyond this (a burst) is given back after the flush. */
const OUTBOX_KEEP_BYTES = 256 * 1024;

/**
 * A view of buf[at, end) to hand to ws.send, which copies the bytes at once. Frames
 * come in a handful of fixed sizes, so one scratch array per size (copied into) saves
 * allocating a view per frame: the outbox flush is on every order's path.
 */
const scratchBySize = new Map<number, Uint8Array>();
const MAX_SCRATCH_SIZES = 64;
const MAX_SCRATCH_BYTES = 4096;

function frameView(buf: Buffer, at: number, end: number): Uint8Array {
  const size = end - at;
  let scratch = scratchBySize.get(size);
  if (scratch === undefined) {
    if (size > MAX_SCRATCH_BYTES || scratchBySize.size >= MAX_SCRATCH_SIZES) return buf.subarray(at, end);
    scratch = new Uint8Array(size);
    scratchBySize.set(size, scratch);
  }
  // A byte loop, not buf.copy / set(subarray): both allocate a view of the source range.
  for (let i = 0; i < size; i++) scratch[i] = buf[at + i];
  return scratch;
}

/** What uWS keeps per socket: a pointer to our session object. */
export interface SocketData {
  session: BinarySession | undefined;
}

/**
 * One binary-protocol connection. Plain state, no behaviour beyond sending: the
 * endpoint (binary-endpoint.ts) drives it and the router (report-router.ts) writes
 * reports to it.
 */
export class BinarySession {
  readonly id: number;
  readonly ws: WebSocket<SocketData>;
  readonly connectedMs: number;
  accountId = -1;
  loggedIn = false;
  /** The challenge this connection may answer (single use), and when it was issued. */
  nonce: Uint8Array | undefined;
  nonceIssuedMs = 0;
  attemptsLeft = MAX_LOGIN_ATTEMPTS;
  /** Time of the last frame received (any frame counts as a heartbeat). */
  lastSeenMs: number;
  /** Dead-man countdown; 0 = off. */
  deadManMs = 0;
  /** Orders placed through this connection that are still open: orderId → marketId. */
  readonly liveOrders = new Map<number, number>();
  /** Market-data subscriptions: marketId → Channel bits. */
  readonly subscriptions = new Map<number, number>();
  closed = false;

  constructor(id: number, ws: WebSocket<SocketData>, nowMs: number) {
    this.id = id;
    this.ws = ws;
    this.connectedMs = nowMs;
    this.lastSeenMs = nowMs;
  }

  /**
   * Sends one frame now (uWS copies the bytes, so encoder views may be reused at
   * once). Anything queued goes first, so frames never overtake each other. Returns
   * false if the socket is gone.
   */
  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.#outEnds.length > 0) this.flushQueued();
    this.ws.send(bytes, true, false);
    return true;
  }

  // ---- outbox: frames produced while draining events, sent in one corked write
  //
  // Outside a uWS callback every ws.send is its own write(2); reports are produced
  // while draining the engine's events (a promise turn, not a uWS callback), several
  // per command and often several per session per drain. The router queues them here
  // and flushes each session once per drain batch inside ws.cork: one syscall per
  // session per batch instead of one per frame. Bounded by one drain batch's output.

  #out: Buffer = Buffer.allocUnsafeSlow(OUTBOX_INITIAL_BYTES);
  #outBytes = 0;
  /** End offset of each queued frame in #out. */
  readonly #outEnds: number[] = [];

  /** Copies one frame into the outbox. Returns true if the outbox was empty (the caller marks the session to flush). */
  queue(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const wasEmpty = this.#outEnds.length === 0;
    const end = this.#outBytes + bytes.byteLength;
    if (end > this.#out.length) {
      let size = this.#out.length * 2;
      while (size < end) size *= 2;
      const grown = Buffer.allocUnsafeSlow(size);
      this.#out.copy(grown, 0, 0, this.#outBytes);
      this.#out = grown;
    }
    this.#out.set(bytes, this.#outBytes);
    this.#outBytes = end;
    this.#outEnds.push(end);
    return wasEmpty;
  }

  /** Sends every queued frame (one WebSocket message each) in one corked write. */
  flushQueued(): void {
    if (this.#outEnds.length === 0) return;
    if (!this.closed) this.ws.cork(this.#sendQueued);
    this.#outBytes = 0;
    this.#outEnds.length = 0;
    if (this.#out.length > OUTBOX_KEEP_BYTES) this.#out = Buffer.allocUnsafeSlow(OUTBOX_INITIAL_BYTES);
  }

  readonly #sendQueued = (): void => {
    const ws = this.ws;
    const buf = this.#out;
    let at = 0;
    for (const end of this.#outEnds) {
      ws.send(frameView(buf, at, end), true, false);
      at = end;
    }
  };

  /** Bytes waiting for this socket: queued here plus buffered in uWS/kernel (slow-consumer detection). */
  bufferedBytes(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount() + this.#outBytes;
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.end(code, reason);
  }
}
