/**
 * One micro-benchmark topic in its own process (spawned by bench/micro.ts):
 *   node dist/bench/micro-child.js --topic book|ring|frames|json|journal [--time-ms 500]
 * Prints the machine line and a table on stderr, one JSON line per task on stdout:
 *   {"bench":"micro","topic":…,"task":…,"opsPerSec":…,"nsPerOp":…,"p99NsPerOp":…,"rmePct":…,"samples":…}
 * (per operation: each tinybench iteration runs a batch of `opsPerIteration` ops).
 */
import { Bench } from 'tinybench';
import { numberOption, parseArgs } from './lib/cli.js';
import { human } from './lib/stats.js';
import { printMachine } from './machine.js';
import { bookTopic } from './micro/book.js';
import { framesTopic } from './micro/frames.js';
import { journalTopic } from './micro/journal.js';
import { jsonTopic } from './micro/json.js';
import { ringTopic } from './micro/ring.js';
import { addTasks, type MicroTopic } from './micro/task.js';

export const MICRO_TOPICS: Record<string, MicroTopic> = { book: bookTopic, ring: ringTopic, frames: framesTopic, json: jsonTopic, journal: journalTopic };

const { options } = parseArgs(process.argv.slice(2));
const topicName = options.get('topic') ?? '';
const topic = MICRO_TOPICS[topicName];
if (!topic) throw new Error(`unknown micro topic "${topicName}" (known: ${Object.keys(MICRO_TOPICS).join(', ')})`);
const timeMs = numberOption(options, 'time-ms', 500);

printMachine();
const tasks = await topic.tasks();
if (!Array.isArray(tasks)) {
  process.stderr.write(`  micro ${topicName}: skipped: ${tasks.skipped}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'micro', topic: topicName, skipped: tasks.skipped })}\n`);
} else {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(250, timeMs / 2), throws: true });
  addTasks(bench, tasks);
  await bench.run();
  for (const t of bench.tasks) {
    const spec = tasks.find((x) => x.name === t.name)!;
    const r = t.result;
    if (!r) continue;
    const B = spec.opsPerIteration;
    const row = {
      bench: 'micro',
      topic: topicName,
      task: t.name,
      opsPerSec: Math.round(r.throughput.mean * B),
      nsPerOp: Math.round(((r.latency.mean * 1e6) / B) * 10) / 10,
      p99NsPerOp: Math.round((((r.latency.p99 ?? NaN) * 1e6) / B) * 10) / 10,
      rmePct: Math.round(r.latency.rme * 10) / 10,
      samples: r.latency.samples.length,
      opsPerIteration: B,
    };
    process.stderr.write(`  ${t.name.padEnd(62)} ${human(row.opsPerSec).padStart(9)} ops/s  ${String(row.nsPerOp).padStart(8)} ns/op  (p99 ${row.p99NsPerOp} ns/op per batch, ±${row.rmePct}%)\n`);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}
await topic.close?.();
