// `adcp-governance/wasm` in Node: the WASM build, with Node's signer.
import { createFacade } from './facade.js';
import { platform } from './node.js';

export const {
  createGovernanceAgent, init, canonicalize, planHash, payloadHash, statementDigest, toWire, validate,
} = createFacade({ ...platform, loadBackend: () => platform.loadBackend('wasm') });
