/**
 * Little-endian byte writer/reader for fixed snapshot layouts (engine state →
 * bytes → engine state). Deterministic: the same calls produce the same bytes.
 *
 * The writer grows by doubling (snapshots are built off the matching path, one
 * allocation per doubling). The reader throws a SnapshotFormatError on any read past
 * the end, so a truncated buffer can never be mistaken for a short but valid one.
 */

export class SnapshotFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotFormatError';
  }
}

export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialBytes = 4096) {
    this.#buf = new Uint8Array(Math.max(16, initialBytes));
    this.#view = new DataView(this.#buf.buffer);
  }

  get length(): number {
    return this.#pos;
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.#buf.subarray(0, this.#pos));
    this.#buf = b;
    this.#view = new DataView(b.buffer);
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#view.setUint8(this.#pos, v);
    this.#pos += 1;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.#pos, v, true);
    this.#pos += 2;
    return this;
  }

  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#pos, v, true);
    this.#pos += 4;
    return this;
  }

  i32(v: number): this {
    this.#ensure(4);
    this.#view.setInt32(this.#pos, v, true);
    this.#pos += 4;
    return this;
  }

  /** A safe integer (or any double) as IEEE-754 binary64. */
  f64(v: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, v, true);
    this.#pos += 8;
    return this;
  }

  /** Overwrites a u32 written earlier (counts known only at the end). */
  patchU32(offset: number, v: number): void {
    this.#view.setUint32(offset, v, true);
  }

  /** A copy of the written bytes, exactly `length` long. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

export class ByteReader {
  readonly #view: DataView;
  readonly #end: number;
  #pos: number;
  readonly #what: string;

  constructor(bytes: Uint8Array, what: string) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#end = bytes.byteLength;
    this.#pos = 0;
    this.#what = what;
  }

  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  #need(n: number): number {
    const at = this.#pos;
    if (at + n > this.#end) throw new SnapshotFormatError(`${this.#what}: truncated (needs ${n} more bytes at offset ${at}, has ${this.#end - at})`);
    this.#pos = at + n;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#need(2), true);
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4), true);
  }

  i32(): number {
    return this.#view.getInt32(this.#need(4), true);
  }

  f64(): number {
    return this.#view.getFloat64(this.#need(8), true);
  }

  /** A safe integer, or a SnapshotFormatError naming the field. */
  int(field: string): number {
    const v = this.f64();
    if (!Number.isSafeInteger(v)) throw new SnapshotFormatError(`${this.#what}: ${field} = ${v} is not a safe integer`);
    return v;
  }

  /** Throws unless every byte was consumed. */
  mustBeAtEnd(): void {
    if (this.#pos !== this.#end) throw new SnapshotFormatError(`${this.#what}: ${this.#end - this.#pos} trailing bytes`);
  }

  fail(message: string): never {
    throw new SnapshotFormatError(`${this.#what}: ${message}`);
  }
}
