import { Command } from '../../engine/command.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './frames.js';

/**
 * The decoded form of one client→server frame. One instance per connection (or per
 * gateway thread) is reused for every message: `tryDecodeRequest` overwrites the
 * fields the frame's type uses and leaves the others stale, so read only the fields
 * of `type` (listed per field below).
 *
 * Order frames (NEW_ORDER, CANCEL, CANCEL_BY_CLOID, MODIFY, MASS_CANCEL) are decoded
 * straight into `command`, the engine's Command record; the gateway fills in
 * `accountId` from the session and the sequencer `seq` / `tsUs`. The 16-byte cloid
 * lands in `command.cloid0..3` as four little-endian int32 words (bytes 0..3 →
 * cloid0), the same words the report encoder writes back.
 */
export class RequestFrame {
  /** Header. `type` is 0 when the header could not be read. */
  version = 0;
  type = 0;
  requestId = 0;
  /** Total bytes of this frame (for BATCH: of the whole batch). */
  frameBytes = 0;

  /** On a non-OK decode: which field (FieldId), and whether the socket must be closed. */
  errorField = 0;
  fatal = false;

  /** NEW_ORDER, CANCEL, CANCEL_BY_CLOID, MODIFY, MASS_CANCEL. */
  readonly command = new Command();

  /** LOGIN_REQUEST, LOGIN. */
  accountId = 0;
  /** LOGIN_REQUEST, LOGIN: raw Ed25519 public key (copied; owned by this object). */
  readonly publicKey = new Uint8Array(PUBLIC_KEY_BYTES);
  /** LOGIN: Ed25519 signature over the login message (see auth.ts). */
  readonly signature = new Uint8Array(SIGNATURE_BYTES);

  /** HEARTBEAT: echoed in HEARTBEAT_ACK. */
  clientTimeUs = 0;
  /** SET_DEAD_MAN: 0 = off. */
  timeoutMs = 0;

  /** SUBSCRIBE, UNSUBSCRIBE, RESYNC (the market); MASS_CANCEL also sets command.marketId. */
  marketId = 0;
  /** SUBSCRIBE, UNSUBSCRIBE: Channel bits. */
  channels = 0;
  /** SUBSCRIBE: L2 snapshot levels per side, DEFAULT_L2_DEPTH substituted for 0. */
  depth = 0;

  /** BATCH: number of sub-frames (iterate them with BatchCursor). */
  batchCount = 0;
}
