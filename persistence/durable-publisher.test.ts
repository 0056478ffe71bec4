/**
 * DurablePublisher on its own: events drained in many small batches are published in
 * drain order, only once the journal's watermark covers each batch, and never twice,
 * including when releases lag long enough for the held buffer to be compacted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordingSink } from '../engine/events.js';
import type { EventStreamHandler } from '../engine/ring/event-codec.js';
import { DurablePublisher } from './durable-publisher.js';

/** Records each published command as [causeSeq, orderId of its ACCEPT, DONE code] and each drain end. */
class Published extends RecordingSink implements EventStreamHandler {
  readonly commands: number[][] = [];
  drainEnds = 0;
  #current: number[] = [];
  setContext(_marketId: number, causeSeq: number): void {
    if (this.#current[0] !== causeSeq) this.#current = [causeSeq];
  }
  override onAccept(orderId: number): void {
    this.#current.push(orderId);
  }
  onDone(code: number): void {
    this.#current.push(code);
    this.commands.push(this.#current);
    this.#current = [];
  }
  onDrainEnd(): void {
    this.drainEnds++;
  }
}

/** One drained command: ACCEPT then DONE, as a market worker would emit them. */
function drainCommand(p: DurablePublisher, seq: number): void {
  p.setContext(1, seq);
  p.onAccept(seq * 10, 7, 0, 100, 1, 0, false);
  p.setContext(1, seq);
  p.onDone(0);
}

describe('DurablePublisher', () => {
  it('publishes each batch in order once the journal covers it, and nothing before', () => {
    const out = new Published();
    const journal = { seq: 0, eventCursor: 0 };
    const p = new DurablePublisher(out, () => ({ ...journal }), { seq: 0, eventCursor: 0 });
    for (let seq = 1; seq <= 6; seq++) {
      journal.seq = seq; // sequenced (appended) before its events are drained
      drainCommand(p, seq);
      p.onDrainEnd(); // one batch per command
    }
    assert.equal(p.heldBatches, 6);
    assert.equal(out.commands.length, 0, 'nothing leaves before the journal acknowledged it');
    p.release(3, 0);
    assert.deepEqual(
      out.commands.map((c) => c[0]),
      [1, 2, 3],
      'exactly the covered batches, in drain order',
    );
    assert.deepEqual(out.commands[0], [1, 10, 0], 'events arrive intact');
    assert.equal(out.drainEnds, 1, 'one drain end per release');
    assert.equal(p.heldBatches, 3);
    p.release(3, 0);
    assert.equal(out.commands.length, 3, 'a repeated watermark publishes nothing twice');
    assert.equal(out.drainEnds, 1);
    p.release(6, 0);
    assert.deepEqual(
      out.commands.map((c) => c[0]),
      [1, 2, 3, 4, 5, 6],
    );
    assert.equal(p.heldBatches, 0);
    assert.equal(p.released, 12);
  });

  it('a batch drained after the watermark already covers it is published at once', () => {
    const out = new Published();
    const p = new DurablePublisher(out, () => ({ seq: 5, eventCursor: 0 }), { seq: 5, eventCursor: 0 });
    drainCommand(p, 5);
    p.onDrainEnd();
    assert.deepEqual(
      out.commands.map((c) => c[0]),
      [5],
    );
    assert.equal(p.heldBatches, 0);
  });

  it('stays in order when releases always lag a batch behind (the held buffer is compacted)', () => {
    const out = new Published();
    const journal = { seq: 0, eventCursor: 0 };
    const p = new DurablePublisher(out, () => ({ ...journal }), { seq: 0, eventCursor: 0 });
    // 2 records per command; 100,000 commands = 200,000 records, beyond the compaction threshold
    // several times over, with one batch always held.
    const total = 100_000;
    for (let seq = 1; seq <= total; seq++) {
      journal.seq = seq;
      drainCommand(p, seq);
      p.onDrainEnd();
      if (seq > 1) p.release(seq - 1, 0);
      assert.equal(p.heldBatches, 1);
    }
    p.release(total, 0);
    assert.equal(out.commands.length, total);
    for (let i = 0; i < total; i++) {
      const c = out.commands[i];
      if (c[0] !== i + 1 || c[1] !== (i + 1) * 10 || c[2] !== 0) assert.fail(`command ${i + 1} published as ${JSON.stringify(c)}`);
    }
  });

  it('an event-cursor watermark behind the batch holds it even when the seq is covered', () => {
    const out = new Published();
    const journal = { seq: 1, eventCursor: 4 };
    const p = new DurablePublisher(out, () => ({ ...journal }), { seq: 0, eventCursor: 0 });
    drainCommand(p, 1);
    p.onDrainEnd();
    p.release(1, 3);
    assert.equal(out.commands.length, 0, 'settlement events journaled up to cursor 4 are not durable yet');
    p.release(1, 4);
    assert.equal(out.commands.length, 1);
  });
});
