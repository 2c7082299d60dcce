// The native add-on backend (Node only): a prebuilt binary for this
// platform, else a local build. Loading never compiles anything.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFs } from './node-builtins.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Newest first: in a working checkout a fresh local build must win over a
// prebuild left by an earlier `npm pack`; an installed package has only the
// prebuild. ADCP_NATIVE_ADDON names one file instead.
export function nativeCandidates() {
  // An explicit add-on (e.g. the sanitizer build CI runs the JS suites on).
  if (process.env.ADCP_NATIVE_ADDON) return [process.env.ADCP_NATIVE_ADDON];
  const files = [
    join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'adcp_governance.node'),
    join(root, 'build', 'adcp_governance.node'),
    join(root, 'build', 'Release', 'adcp_governance.node'),
  ];
  const mtime = (f) => { try { return nodeFs().statSync(f).mtimeMs; } catch { return -1; } };
  return files.map((f) => [f, mtime(f)]).sort((a, b) => b[1] - a[1]).map(([f]) => f);
}

let cached = null;
export function loadNative() {
  if (cached) return cached;
  const errors = [];
  for (const file of nativeCandidates()) {
    if (!nodeFs().existsSync(file)) {
      errors.push(`${file}: not found`);
      continue;
    }
    try {
      // process.dlopen is what require() does for an add-on, without the
      // CommonJS loader (~2 ms of a cold start in an ES module, issue 15).
      const loaded = { exports: {} };
      process.dlopen(loaded, file);
      const addon = loaded.exports;
      cached = { name: 'native', CoreAgent: addon.CoreAgent, utility: addon.utility, dispose() {} };
      return cached;
    } catch (e) {
      errors.push(`${file}: ${e.message}`);
    }
  }
  const err = new Error(`adcp-governance: the native add-on could not be loaded:\n  ${errors.join('\n  ')}`);
  err.attempts = errors;
  throw err;
}
