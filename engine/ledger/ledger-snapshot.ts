import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { LedgerState } from './ledger-state.js';

/**
 * Snapshot of the ledger as a fixed little-endian layout, and its restore.
 *
 *   header   u32 magic 0x5347444c ("LDGS" as bytes), u16 version (1), u16 0
 *   markets  u32 n; per market in ascending marketId: f64 marketId, f64 refPriceTicks
 *   accounts u32 accountCount; per account in id order:
 *              f64 freeMicros, u8 stpDefault, u8 inLiquidation, u16 k,
 *              then k slots that differ from a fresh account's (same rule as the
 *              ledger's state hash), each: u16 marketIndex, f64 lots, f64 costMicros,
 *              f64 marginMicros, f64 orderMarginMicros, f64 pendingBuyLots,
 *              f64 pendingSellLots, f64 userImPpm
 *   totals   f64 feesCollected, insuranceFund, deposits, withdrawals, feesWaived, badDebt
 *
 * Configuration (market specs, demo credit, limits) is not in the snapshot: the
 * restore checks that the markets are the same ones, and the journal's meta record
 * pins the rest. Deterministic; O(accounts × markets).
 */

export const LEDGER_SNAPSHOT_MAGIC = 0x5347444c;
export const LEDGER_SNAPSHOT_VERSION = 1;

function isFreshSlot(st: LedgerState, p: number, m: number): boolean {
  return (
    st.lots[p] === 0 &&
    st.cost[p] === 0 &&
    st.margin[p] === 0 &&
    st.orderMargin[p] === 0 &&
    st.pendingBuy[p] === 0 &&
    st.pendingSell[p] === 0 &&
    st.userImPpm[p] === st.defaultUserImPpm[m]
  );
}

export function encodeLedgerSnapshot(st: LedgerState): Uint8Array {
  const w = new ByteWriter(64 + st.marketCount * 16 + st.accountCount * 24);
  w.u32(LEDGER_SNAPSHOT_MAGIC).u16(LEDGER_SNAPSHOT_VERSION).u16(0);
  w.u32(st.marketCount);
  for (let m = 0; m < st.marketCount; m++) w.f64(st.specs[m].marketId).f64(st.refPriceTicks[m]);
  w.u32(st.accountCount);
  for (let a = 0; a < st.accountCount; a++) {
    let k = 0;
    for (let m = 0; m < st.marketCount; m++) if (!isFreshSlot(st, st.slot(a, m), m)) k++;
    w.f64(st.free[a]).u8(st.stpDefault[a]).u8(st.inLiquidation[a]).u16(k);
    for (let m = 0; m < st.marketCount; m++) {
      const p = st.slot(a, m);
      if (isFreshSlot(st, p, m)) continue;
      w.u16(m).f64(st.lots[p]).f64(st.cost[p]).f64(st.margin[p]).f64(st.orderMargin[p]);
      w.f64(st.pendingBuy[p]).f64(st.pendingSell[p]).f64(st.userImPpm[p]);
    }
  }
  w.f64(st.feesCollectedMicros).f64(st.insuranceFundMicros).f64(st.depositsMicros).f64(st.withdrawalsMicros);
  w.f64(st.feesWaivedMicros).f64(st.badDebtMicros);
  return w.finish();
}

/** Loads a snapshot into a FRESH ledger state (no accounts). Throws SnapshotFormatError on a malformed or foreign snapshot. */
export function restoreLedgerSnapshot(st: LedgerState, bytes: Uint8Array): void {
  if (st.accountCount !== 0) throw new Error('restoreLedgerSnapshot: the ledger must be fresh');
  const r = new ByteReader(bytes, 'ledger snapshot');
  if (r.u32() !== LEDGER_SNAPSHOT_MAGIC) r.fail('bad magic (not a ledger snapshot)');
  const version = r.u16();
  if (version !== LEDGER_SNAPSHOT_VERSION) r.fail(`format version ${version} is not supported (this build reads ${LEDGER_SNAPSHOT_VERSION})`);
  r.u16();
  const markets = r.u32();
  if (markets !== st.marketCount) r.fail(`snapshot has ${markets} markets, this ledger ${st.marketCount}`);
  for (let m = 0; m < markets; m++) {
    const id = r.int('marketId');
    if (id !== st.specs[m].marketId) r.fail(`market ${m} is ${id} in the snapshot, ${st.specs[m].marketId} here`);
    const ref = r.int('refPriceTicks');
    if (ref < 1 || ref > st.specs[m].maxPriceTicks) r.fail(`reference price ${ref} of market ${id} out of range`);
    st.refPriceTicks[m] = ref;
  }
  const accounts = r.u32();
  if (accounts > st.maxAccounts) r.fail(`${accounts} accounts exceed this ledger's maxAccounts ${st.maxAccounts}`);
  for (let a = 0; a < accounts; a++) {
    if (st.createAccount() !== a) r.fail(`cannot create account ${a}`);
    st.free[a] = r.int('free');
    st.stpDefault[a] = r.u8();
    st.inLiquidation[a] = r.u8();
    const k = r.u16();
    let lastM = -1;
    for (let i = 0; i < k; i++) {
      const m = r.u16();
      if (m <= lastM || m >= st.marketCount) r.fail(`account ${a}: slot for market index ${m} out of order or range`);
      lastM = m;
      const p = st.slot(a, m);
      st.lots[p] = r.int('lots');
      st.cost[p] = r.int('cost');
      st.margin[p] = r.int('margin');
      st.orderMargin[p] = r.int('orderMargin');
      st.pendingBuy[p] = r.int('pendingBuy');
      st.pendingSell[p] = r.int('pendingSell');
      st.userImPpm[p] = r.int('userImPpm');
    }
  }
  st.feesCollectedMicros = r.int('feesCollected');
  st.insuranceFundMicros = r.int('insuranceFund');
  st.depositsMicros = r.int('deposits');
  st.withdrawalsMicros = r.int('withdrawals');
  st.feesWaivedMicros = r.int('feesWaived');
  st.badDebtMicros = r.int('badDebt');
  r.mustBeAtEnd();
}
