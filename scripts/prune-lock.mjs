#!/usr/bin/env node
// Removes from package-lock.json the optional dependencies that have no entry in
// the lock. Why: the registry these machines reach has no darwin/win32/linux-arm
// builds of some native packages (msgpackr-extract's platform binaries answer 404),
// so `npm install` cannot record them, and `npm ci` then refuses the lock as out of
// sync ("Missing: … from lock file"). Those packages are optional, platform-specific
// binaries that would never be installed on linux-x64 anyway.
// Run after any `npm install` that changes the lock: `npm run lock:prune`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
let pruned = 0;
for (const [name, entry] of Object.entries(lock.packages ?? {})) {
  const optional = entry.optionalDependencies;
  if (!optional) continue;
  const base = name === '' ? 'node_modules/' : `${name}/node_modules/`;
  for (const dep of Object.keys(optional)) {
    if (!lock.packages[`${base}${dep}`] && !lock.packages[`node_modules/${dep}`]) {
      delete optional[dep];
      pruned++;
      console.error(`pruned optional ${dep} of ${name || '(root)'}: not in the lock (unavailable on this registry)`);
    }
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.error(`${pruned} optional dependencies pruned`);
