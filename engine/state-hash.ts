/**
 * A deterministic 64-bit state hash over a canonical sequence of numbers.
 *
 * Both book implementations feed the same canonical walk of their state (documented
 * in docs/matching.md, "State hash") into a StateHasher, so equal hashes mean equal
 * state. Not cryptographic: it detects divergence, it does not authenticate.
 * Every number is hashed as its two 32-bit halves, so any safe integer (and -0 vs 0
 * is normalised) contributes exactly.
 */
export class StateHasher {
  #h1 = 0x811c9dc5 | 0;
  #h2 = 0x01000193 | 0;
  #count = 0;

  /** Adds one safe integer (negative allowed). */
  add(value: number): this {
    const v = value === 0 ? 0 : value;
    const lo = v >>> 0; // low 32 bits of the two's-complement-like split below
    const hi = Math.floor(v / 4294967296) | 0;
    this.#mix(lo | 0);
    this.#mix(hi);
    this.#count++;
    return this;
  }

  /** Adds a string (symbols); UTF-16 code units. */
  addString(text: string): this {
    this.add(text.length);
    for (let i = 0; i < text.length; i++) this.#mix(text.charCodeAt(i));
    return this;
  }

  #mix(word: number): void {
    // Two independent multiply-xorshift lanes (murmur3-style finalisers).
    let a = Math.imul(this.#h1 ^ word, 0x85ebca6b);
    a ^= a >>> 13;
    this.#h1 = Math.imul(a, 0xc2b2ae35) ^ (a >>> 16);
    let b = Math.imul(this.#h2 + word, 0xcc9e2d51);
    b = (b << 15) | (b >>> 17);
    this.#h2 = Math.imul(b ^ this.#h1, 0x1b873593) + 0xe6546b64;
  }

  /** 16 hex digits; the element count is folded in so a prefix never equals the whole. */
  digest(): string {
    const c = this.#count;
    const a = Math.imul(this.#h1 ^ c, 0x9e3779b1) >>> 0;
    const b = Math.imul(this.#h2 ^ (c * 31), 0x85ebca77) >>> 0;
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}
