// Browsers, Deno and other runtimes with fetch: the WASM build loaded from
// its URL next to this package, signing with @noble/curves.
import { createDurable } from './durable.js';
import { createFacade } from './facade.js';
import { loadWasm } from './backend-wasm.js';
import { createNobleSigner } from './signer-noble.js';

let wasm = null;
export const platform = {
  async loadBackend(name, options = {}) {
    if (name === 'native') throw new Error('adcp-governance: the native backend exists only in Node');
    wasm ??= loadWasm({ wasmUrl: options.wasmUrl ?? new URL('../dist/core.wasm', import.meta.url) });
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
export { indexedDbStore } from './store-indexeddb.js';
