// `adcp-governance/native`: the Node add-on only (no WASM fallback).
import { createFacade } from './facade.js';
import { platform } from './node.js';

export const {
  createGovernanceAgent, init, canonicalize, planHash, payloadHash, statementDigest, toWire, validate,
} = createFacade({ ...platform, loadBackend: () => platform.loadBackend('native') });
