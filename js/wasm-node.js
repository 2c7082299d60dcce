// `adcp-governance/wasm` in Node: the WASM build, with Node's signer.
import { createDurable } from './durable.js';
import { createFacade } from './facade.js';
import { platform } from './node.js';

const facade = createFacade({ ...platform, loadBackend: () => platform.loadBackend('wasm') });
export const {
  createGovernanceAgent, init, canonicalize, planHash, payloadHash, statementDigest, toWire, validate,
} = facade;
export const { openGovernanceAgent } = createDurable(facade);
export { fileStore } from './store-file.js';
export { memoryStore } from './store-memory.js';
