/**
 * A minimal HTTP/1.1 client over one keep-alive TCP socket, for the JSON benchmark's
 * `POST /exchange` variant: requests are laid out before the step (`httpRequest`);
 * responses come back in request order, so the k-th response answers the k-th
 * request. The caller keeps ONE request in flight: uWebSockets.js closes the
 * connection (1006 here) when a request arrives while the previous response is still
 * pending (tried: 200 requests at 1,000/s on one socket, closed after the first).
 *
 * Just enough of HTTP/1.1 for a benchmark against a known server: Content-Length
 * bodies (uWS's `end(text)`), no chunked encoding (counted as unsupported), no TLS.
 */
import { connect, type Socket } from 'node:net';

/** One whole request: `POST path` with a JSON body. */
export function httpRequest(path: string, body: Buffer, host: string): Buffer {
  const head = Buffer.from(`POST ${path} HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`, 'latin1');
  return Buffer.concat([head, body]);
}

/** Receives a response: `buf[start, end)` is its body, valid only during the call. */
export type ResponseHandler = (status: number, buf: Buffer, start: number, end: number) => void;

const CRLF2 = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/** Incremental parser of responses; `push` each TCP chunk. */
export class HttpResponseParser {
  #carry: Buffer | undefined;
  /** Responses it could not frame (no Content-Length). */
  unsupported = 0;

  constructor(private readonly onResponse: ResponseHandler) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.#carry) {
      buf = Buffer.concat([this.#carry, chunk]);
      this.#carry = undefined;
    }
    let at = 0;
    for (;;) {
      const headEnd = buf.indexOf(CRLF2, at);
      if (headEnd < 0) break;
      const head = buf.toString('latin1', at, headEnd);
      const status = Number(head.slice(9, 12));
      const length = CONTENT_LENGTH.exec(head)?.[1];
      if (length === undefined) {
        this.unsupported++;
        at = headEnd + 4;
        continue;
      }
      const start = headEnd + 4;
      const end = start + Number(length);
      if (end > buf.length) break;
      this.onResponse(status, buf, start, end);
      at = end;
    }
    if (at < buf.length) this.#carry = Buffer.from(buf.subarray(at));
  }
}

export interface RawHttp {
  readonly socket: Socket;
  readonly parser: HttpResponseParser;
  /** Writes whole requests (one or many). */
  write(bytes: Uint8Array): boolean;
  close(): void;
}

/** Connects to http://host:port (keep-alive: one socket for every request). */
export function openRawHttp(url: string, hooks: { onResponse: ResponseHandler; onClose: (code: number) => void; onChunk?: () => void }): Promise<RawHttp> {
  const u = new URL(url);
  if (u.protocol !== 'http:') throw new Error(`raw-http speaks http:// only, got ${url}`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 80), noDelay: true });
    const parser = new HttpResponseParser(hooks.onResponse);
    let open = false;
    socket.on('connect', () => {
      open = true;
      resolve({ socket, parser, write: (bytes) => socket.write(bytes), close: () => void socket.end() });
    });
    socket.on('data', (chunk: Buffer) => {
      hooks.onChunk?.();
      parser.push(chunk);
    });
    socket.on('error', (err) => {
      if (!open) reject(err);
    });
    socket.on('close', () => {
      if (open) hooks.onClose(1006);
    });
  });
}
