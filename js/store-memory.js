// memoryStore(): no durability at all -- the agent lives in this process's
// memory only (the behaviour of createGovernanceAgent). For tests and for
// hosts that persist elsewhere.
export function memoryStore() {
  return {
    kind: 'memory',
    async open() { return { snapshot: null, changeSets: [], seq: 0 }; },
    async append() { return { durable: Promise.resolve() }; },
    needsRecovery: () => false,
    shouldSnapshot: () => false,
    async snapshot() {},
    async recover() { throw new Error('memoryStore: nothing to recover from'); },
    async close() {},
  };
}
