import type { WebSocket } from 'uWebSockets.js';
import { MAX_LOGIN_ATTEMPTS } from '../binary/frames.js';

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
   * Sends one frame (uWS copies the bytes, so encoder views may be reused at once).
   * Returns false if the socket is gone.
   */
  send(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    this.ws.send(bytes, true, false);
    return true;
  }

  /** Bytes queued in the kernel/uWS for this socket (slow-consumer detection). */
  bufferedBytes(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.end(code, reason);
  }
}
