/**
 * The physical-limit baseline: a bare uWebSockets.js server on /binary that does the
 * least a gateway must do per order frame, in its own process (forked by
 * bench/e2e.ts, IPC as in ./protocol.ts).
 *
 * It speaks just enough of the binary protocol for the same generator and the same
 * pre-encoded frames: a CHALLENGE on connect, LOGIN_OK for any LOGIN (no signature
 * check), HEARTBEAT_ACK; every other frame, alone or inside a BATCH (walked by the
 * fixed frame sizes, not decoded), is answered with one 72-byte ACCEPTED carrying
 * its requestId and a fresh order id, in its own WebSocket message, like the
 * engine's first answer. No matching, no ledger, no rings, no second report per
 * order (the engine also sends DONE / FILL / CANCELLED). The engine/echo ratio is
 * therefore the share of the machine's message-passing limit the engine keeps.
 */
import uws from 'uWebSockets.js';
import { ReportEncoder } from '../../gateway/binary/encode.js';
import { FrameType, requestFrameBytes } from '../../gateway/binary/frames.js';
import { detectUwsImplementation } from '../../gateway/uws-check.js';
import { serveTargetRequests, type TargetReply } from './protocol.js';

const PATH = '/binary';
const impl = detectUwsImplementation();
if (!impl.native) {
  process.send?.({ type: 'error', message: `echo server refuses the uWebSockets.js JS fallback: ${impl.detail}` } satisfies TargetReply);
  process.exit(1);
}

const enc = new ReportEncoder();
const nonce = new Uint8Array(32);
let nextAccount = 1;
let nextOrderId = 1;
const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

type Ws = uws.WebSocket<Record<string, never>>;

function answer(ws: Ws, b: Uint8Array, at: number): void {
  const type = b[at + 1];
  const requestId = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
  if (type === FrameType.LOGIN) ws.send(enc.encodeLoginOk(requestId, nextAccount++, nextAccount, nowUs()), true);
  else if (type === FrameType.HEARTBEAT) ws.send(enc.encodeHeartbeatAck(requestId, 0, nowUs()), true);
  else if (type === FrameType.LOGIN_REQUEST) ws.send(enc.encodeChallenge(requestId, nonce, 30_000), true);
  else ws.send(enc.encodeAccepted(requestId, 0, 0, 0, nextOrderId++, nextOrderId, 0, 1, 1, 0, 0, 0, 0), true);
}

const app = uws.App();
app.ws<Record<string, never>>(PATH, {
  compression: 0,
  maxPayloadLength: 16 * 1024,
  idleTimeout: 120,
  maxBackpressure: 4 * 1024 * 1024,
  open: (ws) => void ws.send(enc.encodeChallenge(0, nonce, 30_000), true),
  message: (ws, message) => {
    const b = new Uint8Array(message);
    if (b.length < 8) return;
    if (b[1] !== FrameType.BATCH) return answer(ws, b, 0);
    const count = b[8] | (b[9] << 8);
    let at = 16;
    for (let i = 0; i < count && at + 8 <= b.length; i++) {
      answer(ws, b, at);
      at += requestFrameBytes(b[at + 1]) || b.length;
    }
  },
});

let listen: uws.us_listen_socket | false = false;
app.listen('127.0.0.1', 0, (s) => {
  listen = s;
  if (!s) {
    process.send?.({ type: 'error', message: 'echo server: cannot listen' } satisfies TargetReply);
    process.exit(1);
  }
  const port = uws.us_socket_local_port(s as unknown as uws.us_socket);
  process.send?.({ type: 'ready', port, path: PATH, detail: { server: 'uWebSockets.js echo', uws: impl.detail } } satisfies TargetReply);
});

serveTargetRequests(async () => {
  if (listen) uws.us_listen_socket_close(listen);
  listen = false;
});
