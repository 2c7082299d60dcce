// CommonJS entry for Node: the API is the same, reached through the ESM
// module (`await import()` is legal in CJS); the agent factory and init are
// async anyway, and the utilities work once either has resolved.
'use strict';
let api = null;
const load = () => import('./node.js').then((m) => (api = m));
const needs = (name) => (...args) => {
  if (!api) throw new Error(`adcp-governance: await createGovernanceAgent() or init() before ${name}()`);
  return api[name](...args);
};
module.exports = {
  createGovernanceAgent: (options) => load().then((m) => m.createGovernanceAgent(options)),
  init: (options) => load().then((m) => m.init(options)),
  canonicalize: needs('canonicalize'),
  planHash: needs('planHash'),
  payloadHash: needs('payloadHash'),
  statementDigest: needs('statementDigest'),
  toWire: needs('toWire'),
  validate: needs('validate'),
};
