import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientFrame, clientHeaderBytes, Opcode, writeClientFrameHeader, WsFrameParser } from './raw-ws.js';

/** A server→client (unmasked) frame. */
function serverFrame(payload: Uint8Array, opcode: number = Opcode.BINARY): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >>> 8, len & 0xff]) : Buffer.alloc(10);
  if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeUInt32BE(0, 2);
    head.writeUInt32BE(len, 6);
  }
  return Buffer.concat([head, payload]);
}

function collect(): { parser: WsFrameParser; got: { bytes: number[]; opcode: number }[] } {
  const got: { bytes: number[]; opcode: number }[] = [];
  const parser = new WsFrameParser((buf, start, end, opcode) => got.push({ bytes: [...buf.subarray(start, end)], opcode }));
  return { parser, got };
}

const payload = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('raw-ws client frames', () => {
  it('uses the 7-bit, 16-bit and 64-bit length forms with a zero masking key', () => {
    for (const [len, size] of [
      [0, 6],
      [125, 6],
      [126, 8],
      [65535, 8],
      [65536, 14],
    ] as const) {
      assert.equal(clientHeaderBytes(len), size);
      const b = new Uint8Array(size);
      assert.equal(writeClientFrameHeader(b, 0, len), size);
      assert.equal(b[0], 0x82);
      assert.equal(b[1] & 0x80, 0x80, 'mask bit set');
      assert.deepEqual([...b.subarray(size - 4)], [0, 0, 0, 0]);
    }
    const b = new Uint8Array(8);
    writeClientFrameHeader(b, 0, 4112);
    assert.equal((b[2] << 8) | b[3], 4112);
  });

  it('leaves the payload unchanged after the header', () => {
    const p = payload(64);
    const f = clientFrame(p);
    assert.deepEqual([...f.subarray(6)], [...p]);
  });
});

describe('WsFrameParser', () => {
  it('hands out several messages of one chunk in order, without copying', () => {
    const { parser, got } = collect();
    parser.push(Buffer.concat([serverFrame(payload(72, 1)), serverFrame(payload(32, 2)), serverFrame(payload(40, 3))]));
    assert.deepEqual(
      got.map((g) => g.bytes.length),
      [72, 32, 40],
    );
    assert.deepEqual(got[1].bytes, [...payload(32, 2)]);
  });

  it('reassembles frames split at every byte position', () => {
    const stream = Buffer.concat([serverFrame(payload(72, 1)), serverFrame(payload(300, 2)), serverFrame(payload(70_000, 3)), serverFrame(payload(1, 4))]);
    for (const cut of [1, 2, 3, 5, 73, 74, 76, 77, 300, 70_000, stream.length - 1]) {
      const { parser, got } = collect();
      parser.push(stream.subarray(0, cut));
      parser.push(stream.subarray(cut));
      assert.deepEqual(
        got.map((g) => g.bytes.length),
        [72, 300, 70_000, 1],
        `cut at ${cut}`,
      );
      assert.deepEqual(got[2].bytes.slice(0, 5), [...payload(70_000, 3).subarray(0, 5)]);
    }
  });

  it('reassembles a stream fed one byte at a time', () => {
    const stream = Buffer.concat([serverFrame(payload(10, 1)), serverFrame(payload(200, 2), Opcode.PING)]);
    const { parser, got } = collect();
    for (let i = 0; i < stream.length; i++) parser.push(stream.subarray(i, i + 1));
    assert.deepEqual(
      got.map((g) => [g.bytes.length, g.opcode]),
      [
        [10, Opcode.BINARY],
        [200, Opcode.PING],
      ],
    );
    assert.equal(parser.messages, 2);
    assert.equal(parser.bytes, stream.length);
  });

  it('counts fragmented and masked server frames as unsupported instead of throwing', () => {
    const { parser, got } = collect();
    const fragment = serverFrame(payload(4));
    fragment[0] = Opcode.BINARY; // FIN clear
    const masked = Buffer.from([0x82, 0x80 | 2, 0, 0, 0, 0, 9, 9]);
    parser.push(Buffer.concat([fragment, masked, serverFrame(payload(3))]));
    assert.equal(parser.unsupported, 2);
    assert.equal(got.length, 1);
  });
});
