#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof, or the e2e benchmarks'
// --target-node-flags="--cpu-prof --cpu-prof-dir=DIR"): the functions with the most
// self time, or with --inclusive the most time including their callees, as % of the
// profile (idle included, so "(idle)" says how busy the thread was).
//
//   node scripts/cpuprofile-top.mjs <file.cpuprofile> [--inclusive] [--top 40] [--match REGEX]
//
// A function is named "name file:line" (the last two path segments). Chrome DevTools
// opens the same file for the full tree.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a) && args[args.indexOf(a) - 1] !== '--match');
if (!file) {
  process.stderr.write('usage: node scripts/cpuprofile-top.mjs <file.cpuprofile> [--inclusive] [--top 40] [--match REGEX]\n');
  process.exit(2);
}
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const inclusive = args.includes('--inclusive');
const top = Number(opt('--top', '40'));
const match = opt('--match', undefined);
const filter = match ? new RegExp(match) : undefined;

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;

// Self time per node: each sample's time delta goes to the node it hit.
const selfMicros = new Map();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
let totalMicros = 0;
for (const t of selfMicros.values()) totalMicros += t;

const sums = new Map();
for (const [id, t] of selfMicros) {
  if (!inclusive) {
    const k = label(byId.get(id));
    sums.set(k, (sums.get(k) ?? 0) + t);
    continue;
  }
  // Inclusive: every distinct function on the path to the root gets the time once (recursion counted once).
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parentOf.get(cur)) {
    const k = label(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    sums.set(k, (sums.get(k) ?? 0) + t);
  }
}
const rows = [...sums.entries()]
  .filter(([k]) => !k.startsWith('(root)') && (!filter || filter.test(k)))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top);
process.stdout.write(`${file}: ${(totalMicros / 1000).toFixed(0)} ms sampled, ${inclusive ? 'inclusive' : 'self'} time\n`);
for (const [k, t] of rows) process.stdout.write(`${((100 * t) / totalMicros).toFixed(1).padStart(6)}%  ${k}\n`);
