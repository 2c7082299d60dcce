// A durable governance agent (issue 12): the in-process agent plus a store
// that persists every change set before the call's answer is released.
//
//   const agent = await openGovernanceAgent({ store: fileStore('data'), issuer, ... });
//   const result = await agent.checkGovernance(request, auth);   // durable when it resolves
//
// Calls run one at a time, in order (the core is not re-entrant and change
// sets apply in sequence). A call that changed the state resolves only after
// `store.append(changeSet)` resolved. When the store fails (ENOSPC, EIO,
// EACCES, a lost connection), the call answers SERVICE_UNAVAILABLE
// (transient), nothing is acknowledged, and the agent's memory is rebuilt
// from what the store holds, so memory and the store never disagree.
//
// Store contract (memoryStore, fileStore, indexedDbStore, postgresStore):
//   open()                 -> {snapshot: string | Uint8Array | null, changeSets: string[], seq}  recover
//                             (seq: the last durable change set's number, 0 for none)
//   append(text, seq)      -> resolves once written, in order, to {durable: Promise} that
//                             resolves once durable (seq = the change set's `after.changes`);
//                             a store that commits one at a time resolves when durable
//   shouldSnapshot()       -> boolean
//   needsRecovery()        -> true after a failed append, until recover()
//   snapshot(text, seq)    -> resolves once the snapshot is durable
//   writeSnapshot(text, seq), finishSnapshot(seq)   (optional, fileStore)
//                          -> the snapshot written beside the calls, then its
//                             journal rotation, run between appends
//   recover()              -> the same as open() for the durable state (after a failure)
//   close()
// A shared store (postgresStore: other instances write the same tenant) sets
// `shared` and has, instead of append():
//   begin(seq)             -> locks the tenant; {changeSets (written by others after seq),
//                             append(text, seq), commit(seq), rollback()}: each call runs
//                             in one such transaction and is answered after commit

const ASYNC_TASKS = {
  syncPlans: 'sync_plans', checkGovernance: 'check_governance', reportPlanOutcome: 'report_plan_outcome',
  reportPlanAdjustment: 'report_plan_adjustment', getPlanAuditLogs: 'get_plan_audit_logs',
  recordOutcome: 'record_outcome', listOutcomes: 'list_outcomes', getValueSummary: 'get_value_summary',
};

// retry_after: the store was busy (no pooled connection, the tenant's lock
// not granted in time); servers answer such a failure with 503 + Retry-After.
const unavailable = (message, retryAfter) => JSON.stringify({
  status: 'failed', errors: [{ code: 'SERVICE_UNAVAILABLE', message, recovery: 'transient',
    ...(retryAfter ? { retry_after: retryAfter } : {}) }],
});

// The sequence number of a change set: its `after.changes`.
function sequenceOf(changeSet) {
  const m = /"after":\{"changes":(\d+)/.exec(changeSet);
  if (!m) throw new Error('adcp-governance: a change set without after.changes');
  return Number(m[1]);
}

export function createDurable(facade) {
  async function restore(options, recovered) {
    const { snapshot, changeSets } = recovered;
    const agent = await facade.createGovernanceAgent({ ...options, onChange: undefined, changeSets: true,
      state: snapshot ?? undefined });
    for (const changeSet of changeSets) agent.applyChangeSet(changeSet);
    return agent;
  }

  /**
   * @param {object} options  createGovernanceAgent options plus `store`
   *   (default memoryStore) and `log(level, message, fields)`.
   */
  async function openGovernanceAgent(options = {}) {
    const { store, log = (level, message, fields) => console.error(JSON.stringify({ level, msg: message, ...fields })),
      ...agentOptions } = options;
    if (!store || typeof store.open !== 'function') throw new TypeError('openGovernanceAgent: options.store is required');
    const opened = await store.open();
    let agent = await restore(agentOptions, opened);
    let seq = opened.seq;  // the last durable change set
    let queue = Promise.resolve();
    let closed = false, closing = false;

    // Runs `work(agent)` after every earlier job, one at a time.
    function serialized(work) {
      const run = queue.then(() => (closed ? unavailable('the agent is closed') : work(agent)));
      queue = run.catch(() => {});
      return run;
    }

    // A call: its answer is released once its change set, and every change
    // set before it, is durable (a read waits too, so nothing it saw can be
    // rolled back). The next call may run while a group fsync is pending. A
    // snapshot, when due, runs as the next job (the caller does not wait).
    let lastDurable = Promise.resolve();
    function persisted(work) {
      if (store.shared) return serialized(() => inTransaction(work));
      const job = serialized(async (a) => {
        const out = work(a);
        const changeSet = a.lastChangeSet();
        if (changeSet) {
          try {
            lastDurable = (await store.append(changeSet, sequenceOf(changeSet))).durable;
            seq = sequenceOf(changeSet);
          } catch (e) {
            return { out: await failed(e), durable: Promise.resolve() };
          }
          if (store.shouldSnapshot() && !snapshotting) takeSnapshot().catch(() => {});
        }
        return { out, durable: lastDurable };
      });
      return job.then(async (r) => {
        if (typeof r === 'string') return r;  // closed
        try {
          await r.durable;
          return r.out;
        } catch (e) {
          return serialized(() => failed(e));
        }
      });
    }

    // A shared store: the call runs inside the store's transaction (the
    // tenant's lock; the change sets other instances wrote since ours,
    // applied in order; the call; its change set at the next seq; commit).
    // A failure leaves memory possibly ahead of the database: it is reloaded
    // before the next call (not now: the database may be down).
    let stale = false;
    async function inTransaction(work) {
      let tx = null;
      try {
        if (stale) { await reload({ keepOpen: true }); stale = false; }
        tx = await store.begin(seq);
        for (const changeSet of tx.changeSets) {
          agent.applyChangeSet(changeSet);
          seq = sequenceOf(changeSet);
        }
        const out = work(agent);
        const changeSet = agent.lastChangeSet();
        const at = changeSet ? sequenceOf(changeSet) : 0;
        if (changeSet) await tx.append(changeSet, at);
        await tx.commit(at);
        if (changeSet) seq = at;
        if (store.shouldSnapshot() && !snapshotting) takeSnapshot().catch(() => {});
        return out;
      } catch (e) {
        // Memory may be ahead only once the transaction began (catch-up or
        // the call ran); a refused begin (busy, no connection) left it as is.
        if (tx) stale = true;
        await tx?.rollback(e);
        log('error', 'the store failed: the call is not acknowledged; memory is reloaded before the next call',
          { code: e?.code, message: e?.message });
        return unavailable(`the store could not run the call (${e?.code ?? e?.message ?? 'error'}); retry`, e?.retryAfter);
      }
    }

    // A store failure: nothing is acknowledged; memory goes back to the
    // durable state (once, however many calls the failure concerned).
    async function failed(e) {
      log('error', 'the store failed: calls since the last durable change are not acknowledged; reloading',
        { code: e?.code, message: e?.message });
      if (store.needsRecovery()) await reload();
      return unavailable(`the store could not persist the change (${e?.code ?? e?.message ?? 'error'}); retry`);
    }

    // Memory goes back to what the store holds (nothing unacknowledged stays).
    async function reload({ keepOpen = false } = {}) {
      const previous = agent;
      try {
        const recovered = await store.recover();
        agent = await restore(agentOptions, recovered);
        seq = recovered.seq;
        previous.dispose();
      } catch (e) {
        if (keepOpen) throw e;  // a shared store: the next call tries again
        log('error', 'reloading the durable state failed; the agent refuses calls until reopened',
          { message: e?.message });
        closed = true;
        throw e;
      }
    }

    // A snapshot: the state is exported on the call queue (consistent with
    // `seq`); a store that can (fileStore) writes it beside the calls and
    // only its journal rotation waits for a gap between appends, so a large
    // state does not stall every caller behind it.
    // One is written at a time. One that came due while another was being
    // written is taken right after it, not skipped, so a slow disk delays
    // rotation but does not drop it. Chained only after a success (a failing
    // store is not retried in a loop), only when change sets came after the
    // snapshot (a store whose shouldSnapshot() stays true cannot spin), and
    // once at most after close() began (close() ends under load).
    let snapshotting = null;
    let chainsAfterClose = 1;
    function takeSnapshot() {
      if (snapshotting) return snapshotting;
      snapshotting = writeSnapshot().finally(() => { snapshotting = null; });
      snapshotting.then((at) => {
        if (at === null || closed || seq <= at || !store.shouldSnapshot()) return;
        if (closing && chainsAfterClose-- <= 0) return;
        takeSnapshot().catch(() => {});
      }, () => {});
      return snapshotting;
    }
    // The change set the snapshot was taken at, or null for none taken.
    async function writeSnapshot() {
      try {
        if (!store.writeSnapshot) {
          const at = await serialized(async (a) => {
            const at = seq;
            await store.snapshot(a.exportState(), at);
            return at;
          });
          return typeof at === 'number' ? at : null;  // else closed meanwhile
        }
        // (Not while memory may be ahead of a shared store: after a failure.)
        const taken = await serialized(async (a) => (stale ? null : { text: a.exportState(), at: seq }));
        if (!taken || typeof taken === 'string') return null;  // stale, or closed meanwhile
        await store.writeSnapshot(taken.text, taken.at);
        await serialized(() => store.finishSnapshot(taken.at));
        return taken.at;
      } catch (e) {
        log('warn', 'snapshot failed; the journal still holds every change', { code: e?.code, message: e?.message });
        throw Object.assign(new Error(`snapshot failed: ${e?.message ?? e}`),
          { code: 'SERVICE_UNAVAILABLE', recovery: 'transient', cause: e });
      }
    }

    const durable = {
      get backend() { return agent.backend; },
      /** The CoreResult JSON text, once its change set is durable. */
      callRaw: (task, request, auth) => persisted((a) => a.callRaw(task, request, auth)),
      call: async (task, request, auth) => JSON.parse(await durable.callRaw(task, request, auth)),
      getTask: async (taskId) => JSON.parse(await persisted((a) => JSON.stringify(a.getTask(taskId)))),
      admin: async (op) => JSON.parse(await persisted((a) => JSON.stringify(a.admin(op)))),
      exportState: () => agent.exportState(),
      publicJwk: () => agent.publicJwk(),
      /** Writes a snapshot now (after every queued call). */
      snapshot: () => takeSnapshot().then(() => undefined),
      /** Waits for queued calls, then releases the store (and its lock). */
      close: async () => {
        closing = true;
        await queue;
        while (snapshotting) {
          await snapshotting.catch(() => {});
          await queue;
        }
        closed = true;
        agent.dispose();
        await store.close();
      },
    };
    for (const [method, task] of Object.entries(ASYNC_TASKS))
      durable[method] = (request, auth) => durable.call(task, request, auth);
    for (const name of ['canonicalize', 'planHash', 'payloadHash', 'statementDigest', 'toWire', 'validate'])
      durable[name] = (...args) => agent[name](...args);
    return durable;
  }

  return { openGovernanceAgent };
}
