// Node built-ins that are slow to load, loaded on first use with a
// synchronous require (so every caller stays synchronous). Issue 15, cold
// start, measured in fresh processes:
//   - node:crypto takes 5-10 ms: importing the package does not pay it, and
//     making the first agent pays it while a WASM module compiles;
//   - node:fs as an ES module takes ~3 ms, because its ES module facade reads
//     every export, and the ReadStream getter loads all of node:stream;
//     required, it is already loaded.
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);
let crypto = null, fs = null;

export const nodeCrypto = () => (crypto ??= requireBuiltin('node:crypto'));
export const nodeFs = () => (fs ??= requireBuiltin('node:fs'));
