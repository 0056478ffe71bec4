/**
 * A scripted stand-in for the binary endpoint, for client tests only: a `ws` server
 * that speaks the protocol with the real codec (decode.ts, encode.ts, auth.ts) and
 * answers with canned results instead of an engine. It also shows the intended use
 * of the codec by a server: one RequestFrame and one ReportEncoder reused for every
 * message, the close policy for fatal decode results, ERROR frames otherwise.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { Code, CancelReason } from '../../engine/codes.js';
import { newNonce, tryVerifyLogin } from '../binary/auth.js';
import { closeCodeFor, closeReasonFor } from '../binary/close-policy.js';
import { BatchCursor, tryDecodeRequest } from '../binary/decode.js';
import { ReportEncoder } from '../binary/encode.js';
import { CHALLENGE_VALID_MS, Channel, DoneStatus, FrameType, MAX_LOGIN_ATTEMPTS, MAX_REQUEST_FRAME_BYTES, ModifyCause, SnapshotFlag } from '../binary/frames.js';
import { RequestFrame } from '../binary/request-frame.js';

/**
 * The `ws` server does not copy an unmasked payload: it may hold the view until the
 * socket drains, and the ReportEncoder reuses its buffer, so copy. (uWebSockets.js
 * copies inside send(), so a uWS server sends the encoder's view directly.)
 */
function sendCopy(ws: WebSocket, bytes: Uint8Array): void {
  ws.send(bytes.slice());
}

/** Price the fake refuses with PRICE_OUT_OF_BAND, to script a REJECTED. */
export const FAKE_REJECT_PRICE_TICKS = 13;

interface Session {
  nonce: Uint8Array | undefined;
  accountId: number;
  loggedIn: boolean;
  attemptsLeft: number;
}

export class FakeBinaryServer {
  readonly #wss: WebSocketServer;
  readonly #frame = new RequestFrame();
  readonly #cursor = new BatchCursor();
  readonly #enc = new ReportEncoder();
  readonly #activeKeys: Map<string, number>;
  readonly sockets = new Set<WebSocket>();
  /** Every decode result, for assertions: [code, type]. */
  readonly decoded: [number, number][] = [];
  l2Seq = 0;
  #nextOrderId = 1000;

  private constructor(wss: WebSocketServer, activeKeys: Map<string, number>) {
    this.#wss = wss;
    this.#activeKeys = activeKeys;
    wss.on('connection', (ws) => this.#onConnection(ws));
  }

  /** `activeKeys`: raw public key hex → account id. */
  static start(activeKeys: Map<string, number>): Promise<FakeBinaryServer> {
    return new Promise((resolve) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_REQUEST_FRAME_BYTES + 1024 });
      wss.once('listening', () => resolve(new FakeBinaryServer(wss, activeKeys)));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  /** Sends an L2_UPDATE with an explicit seq to every connection (the test scripts gaps). */
  pushL2Update(marketId: number, seq: number, levels: [side: number, priceTicks: number, totalLots: number, orderCount: number][]): void {
    this.#enc.beginL2(FrameType.L2_UPDATE, 0, marketId, seq, 1);
    for (const [side, px, lots, n] of levels) this.#enc.addL2Level(side, px, lots, n);
    const bytes = this.#enc.finishL2();
    for (const ws of this.sockets) sendCopy(ws, bytes);
  }

  pushTrade(marketId: number, seq: number): void {
    const bytes = this.#enc.encodeTrade(0, marketId, 0, seq, seq, 100, 1, 1);
    for (const ws of this.sockets) sendCopy(ws, bytes);
  }

  #onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    const session: Session = { nonce: undefined, accountId: -1, loggedIn: false, attemptsLeft: MAX_LOGIN_ATTEMPTS };
    ws.on('close', () => this.sockets.delete(ws));
    this.#sendChallenge(ws, session, 0);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return ws.close(1003, closeReasonFor(Code.MALFORMED));
      this.#onMessage(ws, session, data as Buffer);
    });
  }

  #sendChallenge(ws: WebSocket, session: Session, requestId: number): void {
    session.nonce = newNonce();
    sendCopy(ws, this.#enc.encodeChallenge(requestId, session.nonce, CHALLENGE_VALID_MS));
  }

  #onMessage(ws: WebSocket, session: Session, bytes: Uint8Array): void {
    const f = this.#frame;
    const code = tryDecodeRequest(bytes, f);
    this.decoded.push([code, f.type]);
    if (code !== Code.OK) {
      const close = closeCodeFor(code, f.fatal);
      if (close !== 0) return ws.close(close, closeReasonFor(code));
      sendCopy(ws, this.#enc.encodeError(f.requestId, code, f.type, f.errorField, 0));
      return;
    }
    if (f.type === FrameType.BATCH) {
      if (!session.loggedIn) return void sendCopy(ws, this.#enc.encodeError(f.requestId, Code.NOT_AUTHENTICATED, f.type, 0, 0));
      this.#cursor.begin(bytes, 0, f.batchCount);
      for (let i = 0; this.#cursor.hasNext(); i++) {
        const subCode = this.#cursor.tryDecodeNext(f);
        if (subCode !== Code.OK) sendCopy(ws, this.#enc.encodeError(f.requestId, subCode, f.type, f.errorField, i));
        else this.#handle(ws, session, f);
      }
      return;
    }
    this.#handle(ws, session, f);
  }

  #handle(ws: WebSocket, session: Session, f: RequestFrame): void {
    const enc = this.#enc;
    const c = f.command;
    switch (f.type) {
      case FrameType.LOGIN_REQUEST:
        return this.#sendChallenge(ws, session, f.requestId);
      case FrameType.LOGIN: {
        if (session.loggedIn) return void sendCopy(ws, enc.encodeLoginRejected(f.requestId, Code.ALREADY_AUTHENTICATED, session.attemptsLeft));
        const nonce = session.nonce;
        session.nonce = undefined; // single use
        const verdict = nonce ? tryVerifyLogin(this.#activeKeys, f.accountId, f.publicKey, nonce, f.signature) : Code.LOGIN_FAILED;
        if (verdict === Code.OK) {
          session.loggedIn = true;
          session.accountId = f.accountId;
          return void sendCopy(ws, enc.encodeLoginOk(f.requestId, f.accountId, 1, 1));
        }
        session.attemptsLeft--;
        sendCopy(ws, enc.encodeLoginRejected(f.requestId, verdict, session.attemptsLeft));
        if (session.attemptsLeft === 0) return ws.close(1008, closeReasonFor(Code.LOGIN_FAILED));
        return this.#sendChallenge(ws, session, f.requestId);
      }
      case FrameType.HEARTBEAT:
        return void sendCopy(ws, enc.encodeHeartbeatAck(f.requestId, f.clientTimeUs, 2));
    }
    if (!session.loggedIn) return void sendCopy(ws, enc.encodeError(f.requestId, Code.NOT_AUTHENTICATED, f.type, 0, 0));
    switch (f.type) {
      case FrameType.NEW_ORDER: {
        const orderId = ++this.#nextOrderId;
        if (c.priceTicks === FAKE_REJECT_PRICE_TICKS) {
          return void sendCopy(ws, enc.encodeRejected(f.requestId, Code.PRICE_OUT_OF_BAND, c.marketId, f.type, c.side, orderId, orderId, c.cloid0, c.cloid1, c.cloid2, c.cloid3));
        }
        return void sendCopy(ws, enc.encodeAccepted(f.requestId, c.marketId, c.side, c.flags, orderId, orderId, 5, c.priceTicks, c.sizeLots, c.cloid0, c.cloid1, c.cloid2, c.cloid3));
      }
      case FrameType.CANCEL:
        sendCopy(ws, enc.encodeCancelled(f.requestId, c.marketId, 0, CancelReason.USER, c.orderId, 1, 6));
        return void sendCopy(ws, enc.encodeDone(0, c.marketId, 0, DoneStatus.CANCELLED, c.orderId, 6));
      case FrameType.CANCEL_BY_CLOID:
        return void sendCopy(ws, enc.encodeRejected(f.requestId, Code.UNKNOWN_ORDER, c.marketId, f.type, 0, 0, 0, c.cloid0, c.cloid1, c.cloid2, c.cloid3));
      case FrameType.MODIFY:
        return void sendCopy(ws, enc.encodeModified(f.requestId, c.marketId, c.side, ModifyCause.CLIENT, true, c.orderId, c.priceTicks, 1, c.sizeLots || 1, 7, 7));
      case FrameType.MASS_CANCEL:
        return void sendCopy(ws, enc.encodeAck(f.requestId, f.type, 0)); // value: orders cancelled
      case FrameType.SET_DEAD_MAN:
        return void sendCopy(ws, enc.encodeAck(f.requestId, f.type, f.timeoutMs));
      case FrameType.UNSUBSCRIBE:
        return void sendCopy(ws, enc.encodeAck(f.requestId, f.type, 0));
      case FrameType.SUBSCRIBE:
        sendCopy(ws, enc.encodeAck(f.requestId, f.type, f.channels));
        if (f.channels & Channel.L2) this.#sendSnapshot(ws, f.requestId, f.marketId);
        return;
      case FrameType.RESYNC:
        return this.#sendSnapshot(ws, f.requestId, f.marketId);
    }
  }

  /** A fixed one-level book at the current l2Seq. */
  #sendSnapshot(ws: WebSocket, requestId: number, marketId: number): void {
    const enc = this.#enc;
    enc.beginL2(FrameType.L2_SNAPSHOT, requestId, marketId, this.l2Seq, 1);
    enc.addL2Level(0, 100, 10, 1);
    enc.addL2Level(1, 101, 20, 2);
    sendCopy(ws, enc.finishL2(SnapshotFlag.BIDS_COMPLETE | SnapshotFlag.ASKS_COMPLETE));
  }
}
