/**
 * Client order ids: 16 opaque bytes chosen by the client; all zero = none.
 * On the wire they are 16 bytes; in the engine's Command they are four int32 words,
 * cloid0 = bytes 0..3 read little-endian, …, cloid3 = bytes 12..15. Client code
 * handles them as 32-character lowercase hex strings (usable as Map keys).
 */
import { CLOID_BYTES } from './frames.js';

export const ZERO_CLOID_HEX = '0'.repeat(CLOID_BYTES * 2);

/** 16 bytes from a Uint8Array (copied) or 32 hex characters; throws RangeError otherwise. */
export function mustCloidBytes(cloid: Uint8Array | string): Uint8Array {
  if (typeof cloid === 'string') {
    if (!/^[0-9a-fA-F]{32}$/.test(cloid)) throw new RangeError(`cloid must be 32 hex characters, got "${cloid}"`);
    return Uint8Array.from(Buffer.from(cloid, 'hex'));
  }
  if (!(cloid instanceof Uint8Array) || cloid.length !== CLOID_BYTES) throw new RangeError(`cloid must be ${CLOID_BYTES} bytes`);
  return Uint8Array.from(cloid);
}

/** Hex string of the 16 cloid bytes at `offset`. */
export function cloidHexAt(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, CLOID_BYTES).toString('hex');
}

/** Hex string of a Command's cloid words (for logs and tests). */
export function cloidHexFromWords(c0: number, c1: number, c2: number, c3: number): string {
  const b = Buffer.alloc(CLOID_BYTES);
  b.writeInt32LE(c0 | 0, 0);
  b.writeInt32LE(c1 | 0, 4);
  b.writeInt32LE(c2 | 0, 8);
  b.writeInt32LE(c3 | 0, 12);
  return b.toString('hex');
}

/** A fresh random cloid (client convenience). */
export function randomCloidHex(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(CLOID_BYTES))).toString('hex');
}
