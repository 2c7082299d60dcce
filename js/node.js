// Node entry point: the native add-on first, the WASM build when the add-on
// is missing (or when asked: backend 'wasm').
import { createDurable } from './durable.js';
import { createFacade } from './facade.js';
import { loadNative } from './backend-native.js';
import { nodeCrypto, nodeFs } from './node-builtins.js';
import { createNodeSigner } from './signer-node.js';

// The WASM glue is imported only when the WASM backend is used: a native
// agent's cold start does not load it (issue 15).
let wasm = null;
async function loadWasmNode() {
  // The module starts compiling at once (V8 validates it off the main
  // thread) and compiles while the glue is imported and node:crypto loads
  // for the signer, instead of after them (issue 15: WASM cold start). The
  // bytes are read synchronously so that nothing waits for an I/O callback
  // first: 0.7 MB from the page cache.
  wasm ??= (async () => {
    const compiling = WebAssembly.compile(nodeFs().readFileSync(new URL('../dist/core.wasm', import.meta.url)));
    const [{ loadWasm }, wasmModule] = await Promise.all([import('./backend-wasm.js'), compiling]);
    return loadWasm({ wasmModule });
  })();
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
  randomBytes: (n) => nodeCrypto().randomFillSync(new Uint8Array(n)),
};

const facade = createFacade(platform);
export const {
  createGovernanceAgent, init, canonicalize, planHash, payloadHash, statementDigest, toWire, validate,
} = facade;
// Durable agents (issue 12): fileStore is the embedded default in Node.
export const { openGovernanceAgent } = createDurable(facade);
export { fileStore } from './store-file.js';
export { memoryStore } from './store-memory.js';
