// Edge runtimes (workerd, Vercel Edge): `core.wasm` is imported as a
// compiled WebAssembly.Module (they forbid compiling from bytes), signing
// with @noble/curves.
import wasmModule from '../dist/core.wasm';
import { createDurable } from './durable.js';
import { createFacade } from './facade.js';
import { loadWasm } from './backend-wasm.js';
import { createNobleSigner } from './signer-noble.js';

let wasm = null;
export const platform = {
  async loadBackend(name) {
    if (name === 'native') throw new Error('adcp-governance: the native backend exists only in Node');
    wasm ??= loadWasm({ wasmModule });
    return wasm;
  },
  createSigner: (options) => createNobleSigner(options),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
};

const facade = createFacade(platform);
export const {
  createGovernanceAgent, init, canonicalize, planHash, payloadHash, statementDigest, toWire, validate,
} = facade;
export const { openGovernanceAgent } = createDurable(facade);
export { memoryStore } from './store-memory.js';
export { durableObjectStore } from './store-durable-object.js';
