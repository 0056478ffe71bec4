/**
 * A minimal WebSocket client over a raw TCP socket, for the load generator.
 *
 * Why not the `ws` package: it costs a callback, a Buffer and a masking pass per
 * message on both directions, and tops out near 160 k messages/s on these machines
 * (architecture.md, "Measured"), below what the engine may take. Here:
 *  - sending: the caller lays out whole WebSocket frames (header from
 *    `writeClientFrameHeader` + payload) for many messages in one Buffer and writes
 *    it with ONE `socket.write`. The masking key is 0x00000000, which RFC 6455
 *    allows (the key must be present, it is XOR-ed into the payload, and zero leaves
 *    the payload as it is): no masking pass, pre-encoded payloads go out unchanged;
 *  - receiving: `WsFrameParser` walks the TCP chunks and hands each message to the
 *    caller as (buffer, start, end) without copying, except when a frame straddles
 *    two chunks (then the tail is carried over).
 *
 * It speaks just enough of RFC 6455 for a benchmark against a known server:
 * binary/text/close/ping/pong, no extensions, no fragmented server messages (uWS
 * does not fragment), no TLS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Bytes of a client frame header (with its 4-byte masking key) for a payload of `len` bytes. */
export function clientHeaderBytes(len: number): number {
  return len < 126 ? 6 : len < 65536 ? 8 : 14;
}

/**
 * Writes a FIN client frame header with masking key 0 at `off`; returns its size.
 * The payload follows it unchanged.
 */
export function writeClientFrameHeader(buf: Uint8Array, off: number, len: number, opcode: number = Opcode.BINARY): number {
  buf[off] = 0x80 | opcode;
  let at = off + 2;
  if (len < 126) buf[off + 1] = 0x80 | len;
  else if (len < 65536) {
    buf[off + 1] = 0x80 | 126;
    buf[off + 2] = len >>> 8;
    buf[off + 3] = len & 0xff;
    at = off + 4;
  } else {
    buf[off + 1] = 0x80 | 127;
    for (let i = 0; i < 8; i++) buf[off + 2 + i] = i < 2 ? 0 : Math.floor(len / 2 ** (8 * (7 - i))) & 0xff;
    at = off + 10;
  }
  buf[at] = 0;
  buf[at + 1] = 0;
  buf[at + 2] = 0;
  buf[at + 3] = 0;
  return at + 4 - off;
}

/** One whole client frame (header + payload) in a new Buffer: for rare control and login frames. */
export function clientFrame(payload: Uint8Array, opcode: number = Opcode.BINARY): Buffer {
  const out = Buffer.allocUnsafe(clientHeaderBytes(payload.length) + payload.length);
  const h = writeClientFrameHeader(out, 0, payload.length, opcode);
  out.set(payload, h);
  return out;
}

/** Receives a message: `buf[start, end)` is its payload, valid only during the call. */
export type MessageHandler = (buf: Buffer, start: number, end: number, opcode: number) => void;

/**
 * Incremental parser of server→client frames (unmasked). `push` each TCP chunk;
 * complete frames are handed out in order. Counts what it cannot handle instead of
 * throwing (masked or fragmented server frames, reserved bits).
 */
export class WsFrameParser {
  #carry: Buffer | undefined;
  /** Frames the parser did not understand (the benchmark reports them). */
  unsupported = 0;
  messages = 0;
  bytes = 0;

  constructor(private readonly onMessage: MessageHandler) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let buf = chunk;
    if (this.#carry) {
      buf = Buffer.concat([this.#carry, chunk]);
      this.#carry = undefined;
    }
    const n = buf.length;
    let at = 0;
    for (;;) {
      if (n - at < 2) break;
      const b0 = buf[at];
      const b1 = buf[at + 1];
      let len = b1 & 0x7f;
      let h = 2;
      if (len === 126) {
        if (n - at < 4) break;
        len = (buf[at + 2] << 8) | buf[at + 3];
        h = 4;
      } else if (len === 127) {
        if (n - at < 10) break;
        len = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
        h = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) h += 4;
      if (n - at < h + len) break;
      const start = at + h;
      const end = start + len;
      const opcode = b0 & 0x0f;
      if (masked || (b0 & 0x70) !== 0 || (b0 & 0x80) === 0 || opcode === Opcode.CONTINUATION) this.unsupported++;
      else {
        this.messages++;
        this.onMessage(buf, start, end, opcode);
      }
      at = end;
    }
    if (at < n) this.#carry = Buffer.from(buf.subarray(at));
  }
}

export interface RawWebSocket {
  readonly socket: Socket;
  readonly parser: WsFrameParser;
  /** Writes pre-framed bytes (one or many whole frames). */
  write(bytes: Uint8Array): boolean;
  /** Sends one binary message (allocates; for set-up traffic). */
  sendMessage(payload: Uint8Array): void;
  /** Close handshake (1000) and socket end. */
  close(): void;
}

export interface RawWebSocketHooks {
  /** Every binary and text message (pings are answered with pongs here). */
  onMessage: MessageHandler;
  /** Once, when the socket closes: the code of the server's CLOSE frame, or 1006. */
  onClose: (code: number) => void;
  /** Before each TCP chunk is parsed (e.g. to read the clock once per chunk). */
  onChunk?: () => void;
}

/** Connects to ws://host:port/path and completes the opening handshake. */
export function openRawWebSocket(url: string, hooks: RawWebSocketHooks): Promise<RawWebSocket> {
  const { onMessage, onClose, onChunk } = hooks;
  const u = new URL(url);
  if (u.protocol !== 'ws:') throw new Error(`raw-ws speaks ws:// only, got ${url}`);
  const key = randomBytes(16).toString('base64');
  const expectAccept = createHash('sha1').update(key + GUID).digest('base64');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 80), noDelay: true });
    let closeCode = 1006;
    let upgraded = false;
    let head = Buffer.alloc(0);
    const ws: RawWebSocket = {
      socket,
      parser: new WsFrameParser((buf, start, end, opcode) => {
        if (opcode === Opcode.BINARY || opcode === Opcode.TEXT) onMessage(buf, start, end, opcode);
        else if (opcode === Opcode.PING) socket.write(clientFrame(buf.subarray(start, end), Opcode.PONG));
        else if (opcode === Opcode.CLOSE) {
          closeCode = end - start >= 2 ? buf.readUInt16BE(start) : 1005;
          socket.end();
        }
      }),
      write: (bytes) => socket.write(bytes),
      sendMessage: (payload) => void socket.write(clientFrame(payload)),
      close: () => {
        if (socket.destroyed) return;
        const body = Buffer.from([0x03, 0xe8]);
        socket.write(clientFrame(body, Opcode.CLOSE));
        socket.end();
      },
    };
    socket.on('connect', () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) {
        onChunk?.();
        ws.parser.push(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = head.subarray(0, end).toString('latin1');
      const status = /^HTTP\/1\.1 (\d+)/.exec(text)?.[1];
      const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(text)?.[1];
      if (status !== '101' || accept !== expectAccept) {
        socket.destroy();
        reject(new Error(`WebSocket upgrade to ${url} refused: ${text.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      resolve(ws);
      const rest = head.subarray(end + 4);
      head = Buffer.alloc(0);
      if (rest.length) ws.parser.push(Buffer.from(rest));
    });
    socket.on('error', (err) => {
      if (!upgraded) reject(err);
    });
    socket.on('close', () => {
      if (upgraded) onClose(closeCode);
      else reject(new Error(`connection to ${url} closed during the handshake`));
    });
  });
}
