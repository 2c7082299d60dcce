// Node entry point: the native add-on first, the WASM build when the add-on
// is missing (or when asked: backend 'wasm').
import { readFile } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { createDurable } from './durable.js';
import { createFacade } from './facade.js';
import { loadNative } from './backend-native.js';
import { createNodeSigner } from './signer-node.js';

// The WASM glue is imported only when the WASM backend is used: a native
// agent's cold start does not load it (issue 15).
let wasm = null;
async function loadWasmNode() {
  // The module compiles (V8 validates it off the main thread) while the glue
  // is imported, instead of after it (issue 15: WASM cold start).
  wasm ??= Promise.all([import('./backend-wasm.js'),
    readFile(new URL('../dist/core.wasm', import.meta.url)).then((bytes) => WebAssembly.compile(bytes))])
    .then(([{ loadWasm }, wasmModule]) => loadWasm({ wasmModule }));
  return wasm;
}

export const platform = {
  async loadBackend(name) {
    if (name === 'wasm') return loadWasmNode();
    if (name === 'native') return loadNative();
    try {
      return loadNative();
    } catch (nativeError) {
      try {
        return await loadWasmNode();
      } catch (wasmError) {
        throw new Error(`${nativeError.message}\nand the WASM fallback failed: ${wasmError.message}`);
      }
    }
  },
  createSigner: (options) => createNodeSigner(options),
  randomBytes: (n) => randomFillSync(new Uint8Array(n)),
};

const facade = createFacade(platform);
export const {
  createGovernanceAgent, init, canonicalize, planHash, payloadHash, statementDigest, toWire, validate,
} = facade;
// Durable agents (issue 12): fileStore is the embedded default in Node.
export const { openGovernanceAgent } = createDurable(facade);
export { fileStore } from './store-file.js';
export { memoryStore } from './store-memory.js';
