/**
 * Is uWebSockets.js running natively?
 *
 * The dependency is an npm alias of @trufflesuite/uws-js-unofficial. Its entry point
 * (node_modules/uWebSockets.js/src/uws.js) chooses at require time:
 *   1. UWS_USE_FALLBACK = "true" | "True" | "TRUE" | "1" → the JS fallback (dist/index.js, built on `ws`);
 *   2. otherwise it requires binaries/uws_<platform>_<arch>_<process.versions.modules>.node,
 *      and if that throws (no binary for this platform / Node ABI, or it fails to load)
 *      it prints a warning and silently returns the JS fallback.
 * The fallback is roughly ten times slower, so the daemon refuses to run on it unless
 * `allowJsFallback` is set.
 *
 * Detection repeats that choice without loading the fallback: it loads the native
 * binary itself, then checks that the package entry resolves to that very object
 * (Node caches both, so the server's later `import uWS from 'uWebSockets.js'`
 * receives the same native module).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { PerpdConfig } from './config.js';

export interface UwsImplementation {
  native: boolean;
  /** One sentence: which binary, or why the fallback. */
  detail: string;
}

const FALLBACK_FLAG_VALUES = ['true', 'True', 'TRUE', '1'];

export function detectUwsImplementation(env: NodeJS.ProcessEnv = process.env): UwsImplementation {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('uWebSockets.js');
  } catch {
    return { native: false, detail: 'uWebSockets.js is not installed (run npm install)' };
  }
  const packageDir = join(dirname(entry), '..');
  const version = readPackageVersion(packageDir);
  const flag = env.UWS_USE_FALLBACK;
  if (flag !== undefined && FALLBACK_FLAG_VALUES.includes(flag)) {
    return { native: false, detail: `UWS_USE_FALLBACK=${flag} forces the JS fallback of uWebSockets.js ${version} (unset UWS_USE_FALLBACK)` };
  }
  const binaryName = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  const binary = join(packageDir, 'binaries', binaryName);
  const target = `${process.platform}-${process.arch}, Node ${process.version} (ABI ${process.versions.modules})`;
  if (!existsSync(binary)) {
    return {
      native: false,
      detail: `uWebSockets.js ${version} has no native binary for ${target} (looked for binaries/${binaryName}); it falls back to JS. Use a Node version and platform it ships a binary for (Node 20 on linux-x64 is ABI 115)`,
    };
  }
  let nativeModule: unknown;
  try {
    nativeModule = require(binary);
  } catch (err) {
    return { native: false, detail: `the native binary ${binary} failed to load (${(err as Error).message.split('\n')[0]}); uWebSockets.js falls back to JS` };
  }
  let loaded: unknown;
  try {
    loaded = require('uWebSockets.js');
  } catch (err) {
    return { native: false, detail: `uWebSockets.js failed to load: ${(err as Error).message}` };
  }
  if (loaded !== nativeModule) {
    return { native: false, detail: `uWebSockets.js ${version} resolved to a module other than its native binary ${binary} (JS fallback)` };
  }
  return { native: true, detail: `uWebSockets.js ${version} native binary ${binaryName} for ${target}` };
}

function readPackageVersion(packageDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name?: string; version?: string };
    return `${pkg.version ?? '?'} (${pkg.name ?? 'unknown package'})`;
  } catch {
    return '(version unknown)';
  }
}

/**
 * Start-up gate: returns the detection when uWS is native, or when it is not but
 * `allowJsFallback` is set (then it logs a warning); otherwise throws saying what to do.
 */
export function mustUseNativeUws(
  config: Pick<PerpdConfig, 'allowJsFallback'>,
  logger: Logger,
  detect: () => UwsImplementation = detectUwsImplementation,
): UwsImplementation {
  const impl = detect();
  if (impl.native) {
    logger.info({ uws: impl }, 'uWebSockets.js is native');
    return impl;
  }
  if (config.allowJsFallback) {
    logger.warn({ uws: impl }, 'uWebSockets.js runs on its slow JS fallback (allowJsFallback is set)');
    return impl;
  }
  throw new Error(
    `uWebSockets.js would run on its slow JS (ws-based) fallback: ${impl.detail}. ` +
      'Fix the native binary, or set allowJsFallback: true in the config file (or PERPD_ALLOW_JS_FALLBACK=true) to run anyway at a fraction of the throughput',
  );
}
