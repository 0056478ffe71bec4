/**
 * Hyperliquid's documented response shapes (as the @nktkas/hyperliquid 0.32 type
 * definitions state them), as small strict schemas: the SDK does not validate
 * responses, so the tests check every response against these. Strict: an object
 * may not carry keys the shape does not name, and every required key must be there.
 */
import assert from 'node:assert/strict';

export type Schema = (v: unknown, path: string, out: string[]) => void;

const fail = (out: string[], path: string, what: string, v: unknown): void => {
  out.push(`${path}: expected ${what}, got ${JSON.stringify(v)?.slice(0, 80)}`);
};

export const str: Schema = (v, p, o) => (typeof v === 'string' ? undefined : fail(o, p, 'a string', v));
export const bool: Schema = (v, p, o) => (typeof v === 'boolean' ? undefined : fail(o, p, 'a boolean', v));
export const int: Schema = (v, p, o) => (Number.isSafeInteger(v) ? undefined : fail(o, p, 'an integer', v));
export const uint: Schema = (v, p, o) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : fail(o, p, 'a non-negative integer', v));
/** ^[0-9]+(\.[0-9]+)?$ */
export const udec: Schema = (v, p, o) => (typeof v === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(v) ? undefined : fail(o, p, 'an unsigned decimal string', v));
/** ^-?[0-9]+(\.[0-9]+)?$ */
export const dec: Schema = (v, p, o) => (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(v) ? undefined : fail(o, p, 'a decimal string', v));
export const hex = (chars?: number): Schema => (v, p, o) =>
  typeof v === 'string' && /^0x[0-9a-f]+$/.test(v) && (chars === undefined || v.length === chars + 2) ? undefined : fail(o, p, `lower-case 0x hex${chars ? ` of ${chars} digits` : ''}`, v);
export const address = hex(40);
export const cloid = hex(32);
export const lit = (...values: unknown[]): Schema => (v, p, o) => (values.includes(v) ? undefined : fail(o, p, `one of ${JSON.stringify(values)}`, v));
export const nullable = (s: Schema): Schema => (v, p, o) => (v === null ? undefined : s(v, p, o));
export const arr = (s: Schema): Schema => (v, p, o) => {
  if (!Array.isArray(v)) return fail(o, p, 'an array', v);
  v.forEach((x, i) => s(x, `${p}[${i}]`, o));
};
export const tuple = (...ss: Schema[]): Schema => (v, p, o) => {
  if (!Array.isArray(v) || v.length !== ss.length) return fail(o, p, `a ${ss.length}-tuple`, v);
  ss.forEach((s, i) => s(v[i], `${p}[${i}]`, o));
};
export const record = (s: Schema): Schema => (v, p, o) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return fail(o, p, 'an object', v);
  for (const [k, x] of Object.entries(v)) s(x, `${p}.${k}`, o);
};
/** An object with exactly these keys (those in `optional` may be absent). */
export const obj = (required: Record<string, Schema>, optional: Record<string, Schema> = {}): Schema => (v, p, o) => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return fail(o, p, 'an object', v);
  const x = v as Record<string, unknown>;
  for (const [k, s] of Object.entries(required)) {
    if (!(k in x)) o.push(`${p}: missing "${k}"`);
    else s(x[k], `${p}.${k}`, o);
  }
  for (const [k, s] of Object.entries(optional)) if (k in x) s(x[k], `${p}.${k}`, o);
  for (const k of Object.keys(x)) if (!(k in required) && !(k in optional)) o.push(`${p}: unexpected key "${k}"`);
};
export const union = (...ss: Schema[]): Schema => (v, p, o) => {
  const errs: string[][] = ss.map((s) => {
    const e: string[] = [];
    s(v, p, e);
    return e;
  });
  if (errs.some((e) => e.length === 0)) return;
  o.push(`${p}: matches no alternative (${errs.map((e) => e[0]).join(' | ')})`);
};

/** Asserts `value` has the shape; returns it for chaining. */
export function mustMatch<T>(schema: Schema, value: T, what: string): T {
  const out: string[] = [];
  schema(value, what, out);
  assert.deepEqual(out, [], `${what} does not have Hyperliquid's shape:\n  ${out.slice(0, 10).join('\n  ')}`);
  return value;
}

// ----------------------------------------------------------------- info

const marginTable = obj({ description: str, marginTiers: arr(obj({ lowerBound: udec, maxLeverage: uint })) });
export const Meta = obj(
  {
    universe: arr(
      obj(
        { szDecimals: uint, name: str, maxLeverage: uint, marginTableId: uint },
        { onlyIsolated: lit(true), isDelisted: lit(true), marginMode: lit('strictIsolated', 'noCross'), growthMode: lit('enabled'), lastGrowthModeChangeTime: str },
      ),
    ),
    marginTables: arr(tuple(uint, marginTable)),
    collateralToken: uint,
  },
);
export const PerpAssetCtx = obj({
  prevDayPx: udec,
  dayNtlVlm: udec,
  markPx: udec,
  midPx: nullable(udec),
  funding: dec,
  openInterest: udec,
  premium: nullable(dec),
  oraclePx: udec,
  impactPxs: nullable(arr(udec)),
  dayBaseVlm: udec,
});
export const MetaAndAssetCtxs = tuple(Meta, arr(PerpAssetCtx));
export const AllMids = record(udec);
const BookLevel = obj({ px: udec, sz: udec, n: uint });
export const L2Book = nullable(obj({ coin: str, time: uint, levels: tuple(arr(BookLevel), arr(BookLevel)) }, { spread: udec }));
const summary = obj({ accountValue: dec, totalNtlPos: udec, totalRawUsd: dec, totalMarginUsed: udec });
export const ClearinghouseState = obj({
  marginSummary: summary,
  crossMarginSummary: summary,
  crossMaintenanceMarginUsed: udec,
  withdrawable: udec,
  assetPositions: arr(
    obj({
      type: lit('oneWay'),
      position: obj({
        coin: str,
        szi: dec,
        leverage: union(obj({ type: lit('isolated'), value: uint, rawUsd: dec }), obj({ type: lit('cross'), value: uint })),
        entryPx: udec,
        positionValue: udec,
        unrealizedPnl: dec,
        returnOnEquity: dec,
        liquidationPx: nullable(udec),
        marginUsed: udec,
        maxLeverage: uint,
        cumFunding: obj({ allTime: dec, sinceOpen: dec, sinceChange: dec }),
      }),
    }),
  ),
  time: uint,
});
const side = lit('B', 'A');
export const OpenOrder = obj({ coin: str, side, limitPx: udec, sz: udec, oid: uint, timestamp: uint, origSz: udec }, { cloid, reduceOnly: lit(true) });
export const OpenOrders = arr(OpenOrder);
export const FrontendOpenOrder = obj({
  coin: str,
  side,
  limitPx: udec,
  sz: udec,
  oid: uint,
  timestamp: uint,
  origSz: udec,
  triggerCondition: str,
  isTrigger: bool,
  triggerPx: udec,
  children: arr(() => {}),
  isPositionTpsl: bool,
  reduceOnly: bool,
  orderType: lit('Market', 'Limit', 'Stop Market', 'Stop Limit', 'Take Profit Market', 'Take Profit Limit'),
  tif: nullable(lit('Gtc', 'Ioc', 'Alo', 'FrontendMarket', 'LiquidationMarket')),
  cloid: nullable(cloid),
});
export const FrontendOpenOrders = arr(FrontendOpenOrder);
export const ORDER_STATUSES = [
  'open', 'filled', 'canceled', 'triggered', 'rejected', 'marginCanceled', 'vaultWithdrawalCanceled', 'openInterestCapCanceled', 'selfTradeCanceled',
  'reduceOnlyCanceled', 'siblingFilledCanceled', 'delistedCanceled', 'liquidatedCanceled', 'scheduledCancel', 'tickRejected', 'minTradeNtlRejected',
  'perpMarginRejected', 'reduceOnlyRejected', 'badAloPxRejected', 'iocCancelRejected', 'badTriggerPxRejected', 'marketOrderNoLiquidityRejected',
  'positionIncreaseAtOpenInterestCapRejected', 'positionFlipAtOpenInterestCapRejected', 'tooAggressiveAtOpenInterestCapRejected',
  'openInterestIncreaseRejected', 'insufficientSpotBalanceRejected', 'oracleRejected', 'perpMaxPositionRejected',
];
const orderProcessingStatus = lit(...ORDER_STATUSES);
export const OrderStatus = union(
  obj({ status: lit('order'), order: obj({ order: FrontendOpenOrder, status: orderProcessingStatus, statusTimestamp: uint }) }),
  obj({ status: lit('unknownOid') }),
);
export const UserFill = obj(
  {
    coin: str,
    px: udec,
    sz: udec,
    side,
    time: uint,
    startPosition: dec,
    dir: str,
    closedPnl: dec,
    hash: hex(64),
    oid: uint,
    crossed: bool,
    fee: dec,
    tid: uint,
    feeToken: str,
    twapId: nullable(uint),
  },
  { builderFee: udec, cloid, liquidation: obj({ liquidatedUser: address, markPx: udec, method: lit('market', 'backstop') }) },
);
export const UserFills = arr(UserFill);
export const Candles = arr(
  obj({ t: uint, T: uint, s: str, i: lit('1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '8h', '12h', '1d', '3d', '1w', '1M'), o: udec, c: udec, h: udec, l: udec, v: udec, n: uint }),
);

// ---------------------------------------------------------------- exchange

export const ErrorResponse = obj({ status: lit('err'), response: str });
export const SuccessResponse = obj({ status: lit('ok'), response: obj({ type: lit('default') }) });
const orderStatusEntry = union(
  obj({ resting: obj({ oid: uint }, { cloid }) }),
  obj({ filled: obj({ totalSz: udec, avgPx: udec, oid: uint }, { cloid }) }),
  obj({ error: str }),
  lit('waitingForFill', 'waitingForTrigger'),
);
export const OrderResponse = obj({ status: lit('ok'), response: obj({ type: lit('order'), data: obj({ statuses: arr(orderStatusEntry) }) }) });
export const CancelResponse = obj({ status: lit('ok'), response: obj({ type: lit('cancel'), data: obj({ statuses: arr(union(lit('success'), obj({ error: str }))) }) }) });

// --------------------------------------------------------------- websocket

export const L2BookEvent = obj({ coin: str, time: uint, levels: tuple(arr(BookLevel), arr(BookLevel)) }, { spread: udec });
export const TradesEvent = arr(obj({ coin: str, side, px: udec, sz: udec, time: uint, hash: hex(64), tid: uint, users: tuple(address, address) }));
export const BboEvent = obj({ coin: str, time: uint, bbo: tuple(nullable(BookLevel), nullable(BookLevel)) });
export const AllMidsEvent = obj({ mids: AllMids }, { dex: str });
export const OrderUpdatesEvent = arr(obj({ order: OpenOrder, status: orderProcessingStatus, statusTimestamp: uint }));
export const UserFillsEvent = obj({ user: address, fills: UserFills }, { isSnapshot: lit(true) });
export const UserEventsEvent = union(obj({ fills: UserFills }), obj({ nonUserCancel: arr(obj({ coin: str, oid: uint })) }));
