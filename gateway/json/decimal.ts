/**
 * Exact decimal strings at the JSON edge. Values are parsed into a scaled integer
 * (`units / 10^scale`) and converted to engine integers by exact division: nothing
 * is rounded and no floating point is involved. Formatting goes the other way, from
 * integers (ticks, lots, micros) to the shortest decimal string (trailing zeros
 * trimmed, no exponent), which is what Hyperliquid sends.
 */

/** `units / 10^scale`, with trailing fractional zeros removed (so `scale` is the real number of decimals). */
export interface ScaledDecimal {
  units: bigint;
  scale: number;
}

const UNSIGNED_DECIMAL = /^\d+(\.\d+)?$/;
/** Longer strings are refused before any BigInt work (bounded input). */
export const MAX_DECIMAL_CHARS = 40;

/** Parses a plain unsigned decimal string ("123", "0.0012"); undefined for anything else (sign, exponent, spaces, numbers). */
export function tryParseUnsignedDecimal(text: unknown): ScaledDecimal | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_DECIMAL_CHARS || !UNSIGNED_DECIMAL.test(text)) return undefined;
  const dot = text.indexOf('.');
  let whole = dot < 0 ? text : text.slice(0, dot);
  let frac = dot < 0 ? '' : text.slice(dot + 1);
  frac = frac.replace(/0+$/, '');
  whole = whole.replace(/^0+(?=\d)/, '');
  return { units: BigInt(whole + frac), scale: frac.length };
}

/** Significant figures of a non-zero value ("0.00123" → 3, "120.5" → 4, "1200" → 2). */
export function significantFigures(d: ScaledDecimal): number {
  if (d.units === 0n) return 0;
  return d.units.toString().replace(/0+$/, '').length;
}

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** value / unit when it is a whole number, else undefined. Both must be ≥ 0 and unit > 0. */
export function divideExact(value: ScaledDecimal, unit: ScaledDecimal): bigint | undefined {
  const num = value.units * pow10(unit.scale);
  const den = unit.units * pow10(value.scale);
  if (den === 0n || num % den !== 0n) return undefined;
  return num / den;
}

/** `units / 10^scale` as the shortest decimal string ("-1.5", "3", "0.001"). */
export function formatScaled(units: bigint | number, scale: number): string {
  const v = typeof units === 'bigint' ? units : BigInt(units);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? digits.slice(digits.length - scale).replace(/0+$/, '') : '';
  const body = frac.length > 0 ? `${whole}.${frac}` : whole;
  return neg && body !== '0' ? `-${body}` : body;
}

/**
 * num / den as a decimal string with at most `maxDecimals` decimals, truncated toward
 * zero (display values such as average prices; never fed back into money).
 */
export function formatRatio(num: bigint, den: bigint, maxDecimals: number): string {
  if (den === 0n) throw new RangeError('formatRatio: zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  return formatScaled((num * pow10(maxDecimals)) / den, maxDecimals);
}

/** Micros (1e-6 USDC) as a USD decimal string. */
export function formatMicros(micros: number | bigint): string {
  return formatScaled(micros, 6);
}
