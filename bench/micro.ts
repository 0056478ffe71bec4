/**
 * Micro benchmarks (tinybench): `npm run bench -- micro [--topics book,ring] [--quick]`.
 * Each topic runs in a child process of its own (bench/micro-child.ts): book ops per
 * order type, ring push/pop, binary frame encode/decode, JSON parse of HL-style
 * orders, journal append. JSON lines on stdout (one per task, from the children),
 * tables on stderr, bench/results/<timestamp>/micro.json and micro.md.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './lib/child.js';
import { numberOption, parseArgs } from './lib/cli.js';
import { resultsDir, writeJson } from './lib/results.js';
import { human } from './lib/stats.js';
import { machineLine, printMachine } from './machine.js';

const TOPICS = ['book', 'ring', 'frames', 'json', 'journal'];
const { options } = parseArgs(process.argv.slice(2));
const quick = options.has('quick');
const timeMs = numberOption(options, 'time-ms', quick ? 300 : 1000);
const topics = (options.get('topics') ?? TOPICS.join(',')).split(',');
for (const t of topics) if (!TOPICS.includes(t)) throw new Error(`unknown topic "${t}" (known: ${TOPICS.join(', ')})`);
const child = fileURLToPath(new URL('./micro-child.js', import.meta.url));

const machine = printMachine();
const rows: Record<string, unknown>[] = [];
for (const [i, t] of topics.entries()) {
  process.stderr.write(`[micro ${i + 1}/${topics.length}] ${t} (tinybench, ${timeMs} ms per task, own process)\n`);
  const out = await runChild(child, ['--topic', t, '--time-ms', String(timeMs)]);
  for (const r of out) {
    rows.push(r);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}

const md = [
  '## micro',
  '',
  `Command: \`node ${process.argv.slice(1).join(' ')}\`  `,
  `${machineLine(machine)}  `,
  `tinybench, ${timeMs} ms per task; each iteration runs a batch of ops, figures are per op.`,
  '',
  '| task | ops/s | ns/op | ±% |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => (r.skipped ? `| ${r.topic}: skipped (${r.skipped}) | | | |` : `| ${r.task} | ${human(r.opsPerSec as number)} | ${r.nsPerOp} | ${r.rmePct} |`)),
  '',
].join('\n');
const dir = resultsDir();
writeFileSync(join(dir, 'micro.md'), md);
const file = writeJson(dir, 'micro.json', { bench: 'micro', command: `node ${process.argv.slice(1).join(' ')}`, machine, options: { timeMs, topics }, rows });
process.stderr.write(`results: ${file}\n`);
