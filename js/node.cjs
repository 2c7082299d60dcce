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
// A store whose module loads on first use (the stores are ES modules).
const lazyStore = (make) => {
  let real = null;
  const get = () => (real ??= load().then(make));
  const proxy = {};
  for (const name of ['open', 'append', 'snapshot', 'recover', 'close'])
    proxy[name] = (...args) => get().then((s) => s[name](...args));
  proxy.needsRecovery = () => false;
  proxy.shouldSnapshot = () => false;
  get().then((s) => {  // once loaded, the synchronous members are the store's own
    proxy.needsRecovery = () => s.needsRecovery();
    proxy.shouldSnapshot = () => s.shouldSnapshot();
  });
  return proxy;
};
module.exports = {
  createGovernanceAgent: (options) => load().then((m) => m.createGovernanceAgent(options)),
  openGovernanceAgent: (options) => load().then((m) => m.openGovernanceAgent(options)),
  fileStore: (dir, options) => lazyStore((m) => m.fileStore(dir, options)),
  memoryStore: () => lazyStore((m) => m.memoryStore()),
  init: (options) => load().then((m) => m.init(options)),
  canonicalize: needs('canonicalize'),
  planHash: needs('planHash'),
  payloadHash: needs('payloadHash'),
  statementDigest: needs('statementDigest'),
  toWire: needs('toWire'),
  validate: needs('validate'),
};
