/**
 * What the server does with a frame the decoder refused (docs/protocol-binary.md,
 * "Errors and disconnects").
 *
 * The socket is closed only when the peer's bytes cannot be trusted to be this
 * protocol at all: a header that cannot be read, an unsupported version, or a
 * message above the size bound. Everything else was a well-delimited frame (the
 * WebSocket message boundary delimits it), so the next message is unaffected: the
 * server answers with an ERROR frame (code, the offending requestId and type, the
 * FieldId) and keeps the connection.
 */
import { Code } from '../../engine/codes.js';

/** WebSocket close codes (RFC 6455 §7.4.1) used by the binary protocol. */
export const WsClose = {
  NORMAL: 1000,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;

/**
 * The WebSocket close code for a decode result, or 0 when the connection stays open
 * and an ERROR frame is sent instead. `fatal` is RequestFrame.fatal from the decoder.
 */
export function closeCodeFor(code: number, fatal: boolean): number {
  if (!fatal) return 0;
  if (code === Code.FRAME_TOO_LARGE) return WsClose.MESSAGE_TOO_BIG;
  return WsClose.PROTOCOL_ERROR;
}

/**
 * Close reason text (≤ 123 bytes of UTF-8 per RFC 6455), stable strings so clients can
 * match them. Shared by the decoder's fatal results and the session rules.
 */
export function closeReasonFor(code: number): string {
  switch (code) {
    case Code.FRAME_TOO_LARGE:
      return 'FRAME_TOO_LARGE';
    case Code.UNSUPPORTED_VERSION:
      return 'UNSUPPORTED_VERSION';
    case Code.TRUNCATED_FRAME:
      return 'TRUNCATED_HEADER';
    case Code.MALFORMED:
      return 'TEXT_FRAME'; // a text WebSocket message on the binary endpoint (close 1003)
    case Code.LOGIN_FAILED:
      return 'LOGIN_FAILED'; // MAX_LOGIN_ATTEMPTS failed logins, or no login within LOGIN_TIMEOUT_MS (close 1008)
    default:
      return 'PROTOCOL_ERROR';
  }
}
