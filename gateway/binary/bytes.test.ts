import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readI64, readU64, writeI64, writeU64 } from './bytes.js';

function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

test('u64 values up to 2^53 − 1 read back exactly and the bytes match DataView', () => {
  for (const v of [0, 1, 255, 256, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 48 + 12345, Number.MAX_SAFE_INTEGER]) {
    const b = new Uint8Array(8);
    writeU64(b, 0, v);
    assert.deepEqual(b, u64Bytes(BigInt(v)), `bytes of ${v}`);
    assert.equal(readU64(b, 0), v);
  }
});

test('u64 values above Number.MAX_SAFE_INTEGER read as NaN instead of a rounded number', () => {
  for (const v of [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) assert.ok(Number.isNaN(readU64(u64Bytes(v), 0)), `${v}`);
});

test('i64 values in ±(2^53 − 1) read back exactly, including negative fees', () => {
  for (const v of [0, -1, 1, -(2 ** 31), -(2 ** 32), -(2 ** 32) - 1, -123_456_789_012, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]) {
    const b = new Uint8Array(8);
    writeI64(b, 0, v);
    assert.deepEqual(b, u64Bytes(BigInt(v)), `bytes of ${v}`);
    assert.equal(readI64(b, 0), v);
  }
});

test('i64 values outside ±(2^53 − 1) read as NaN', () => {
  for (const v of [-(2n ** 53n), -(2n ** 53n) - 1n, 2n ** 53n, -(2n ** 63n), 2n ** 63n - 1n]) assert.ok(Number.isNaN(readI64(u64Bytes(v), 0)), `${v}`);
});

test('reads and writes honour a non-zero offset', () => {
  const b = new Uint8Array(20);
  writeU64(b, 5, 2 ** 40 + 7);
  assert.equal(readU64(b, 5), 2 ** 40 + 7);
  assert.equal(b[4], 0);
  assert.equal(b[13], 0);
});
