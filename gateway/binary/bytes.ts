/**
 * Little-endian integer reads and writes on a Uint8Array, by byte arithmetic.
 *
 * Why not DataView: a DataView is bound to one ArrayBuffer, and the server gets a
 * fresh ArrayBuffer per WebSocket message, so decoding through a DataView would
 * allocate one per message. These functions work on any Uint8Array (Buffer
 * included) at any offset and allocate nothing.
 *
 * 64-bit fields are carried as JS numbers. A read returns NaN when the value is not
 * a safe integer (|v| > 2^53 − 1), so a caller can report INTEGER_NOT_SAFE instead of
 * losing precision; the 32-bit halves are combined as hi × 2^32 + lo, which is exact
 * for every safe integer.
 */

const TWO_POW_32 = 4294967296;
/** hi word bound of a safe integer: 2^53 − 1 = 0x001F_FFFF_FFFF_FFFF. */
const MAX_SAFE_HI = 0x1fffff;

export function readU8(b: Uint8Array, o: number): number {
  return b[o];
}

export function readU16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

export function readU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

export function readI32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

/** Unsigned 64-bit; NaN when above Number.MAX_SAFE_INTEGER. */
export function readU64(b: Uint8Array, o: number): number {
  const hi = readU32(b, o + 4);
  if (hi > MAX_SAFE_HI) return NaN;
  return hi * TWO_POW_32 + readU32(b, o);
}

/** Signed 64-bit (two's complement); NaN outside ±Number.MAX_SAFE_INTEGER. */
export function readI64(b: Uint8Array, o: number): number {
  const hi = readI32(b, o + 4);
  const lo = readU32(b, o);
  if (hi > MAX_SAFE_HI || hi < -MAX_SAFE_HI - 1 || (hi === -MAX_SAFE_HI - 1 && lo === 0)) return NaN;
  return hi * TWO_POW_32 + lo;
}

export function writeU8(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
}

/** Writes the low 32 bits of v (signed or unsigned: the bytes are the same). */
export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

/**
 * Writes a safe integer as 64-bit two's complement (covers u64 and i64 fields).
 * The caller guarantees `Number.isSafeInteger(v)`; `mustSafeU64`/`mustSafeI64` check it.
 */
export function writeI64(b: Uint8Array, o: number, v: number): void {
  const hi = Math.floor(v / TWO_POW_32);
  writeU32(b, o, v - hi * TWO_POW_32);
  writeU32(b, o + 4, hi);
}

/** Alias that says "unsigned" at call sites; same bytes as writeI64 for v ≥ 0. */
export const writeU64 = writeI64;

/** Copies `length` bytes; a plain loop (short fields: cheaper than TypedArray.set on a fresh subarray). */
export function copyBytes(src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number, length: number): void {
  for (let i = 0; i < length; i++) dst[dstOffset + i] = src[srcOffset + i];
}

/** True when `length` bytes from `o` are all zero (reserved padding checks). */
export function isZero(b: Uint8Array, o: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (b[o + i] !== 0) return false;
  return true;
}

export function mustSafeU64(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a safe integer ≥ 0, got ${v}`);
}

export function mustSafeI64(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be a safe integer, got ${v}`);
}

export function mustUint(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} must be an integer in [0, ${max}], got ${v}`);
}

export function mustBytes(name: string, v: Uint8Array, length: number): void {
  if (!(v instanceof Uint8Array) || v.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${v?.length}`);
}
