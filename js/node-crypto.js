// node:crypto, loaded on first use (issue 15: cold start). Loading it takes
// several milliseconds in a fresh process: importing the package does not
// pay that, and making the first agent pays it while a WASM module compiles
// in the background. A synchronous require keeps every caller synchronous.
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);
let loaded = null;

export const nodeCrypto = () => (loaded ??= requireBuiltin('node:crypto'));
