// The WebAssembly backend: the Embind module in dist/ (core.js + core.wasm),
// instantiated from bytes, a compiled WebAssembly.Module or a URL.
import createGovernanceCore from '../dist/core.js';

// Embind handles are not garbage collected: dispose() deletes them and a
// FinalizationRegistry is the backstop for agents that are simply dropped.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((handle) => { try { handle.delete(); } catch { /* already deleted */ } })
  : null;

export async function loadWasm({ wasmBinary, wasmModule, wasmUrl } = {}) {
  // The binding moves texts with these (wasm/bindings.cc); every supported
  // runtime has them, but a missing one must not fail inside WASM frames.
  if (typeof TextEncoder !== 'function' || typeof TextDecoder !== 'function')
    throw new Error('adcp-governance: the WASM backend needs TextEncoder and TextDecoder');
  const options = { locateFile: (path) => (wasmUrl ? String(wasmUrl) : path) };
  if (wasmBinary) options.wasmBinary = wasmBinary;
  if (wasmModule) {
    // Edge runtimes forbid compiling from bytes: instantiate the module given.
    options.instantiateWasm = (imports, done) => {
      WebAssembly.instantiate(wasmModule, imports).then((instance) => done(instance, wasmModule));
      return {};
    };
  }
  const module = await createGovernanceCore(options);
  return {
    name: 'wasm',
    CoreAgent: module.CoreAgent,
    utility: module.utility,
    dispose: (handle) => handle.delete(),
    register: (agent, handle) => registry?.register(agent, handle, agent),
    unregister: (agent) => registry?.unregister(agent),
  };
}
