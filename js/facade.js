// The one JavaScript API over either backend (native add-on or WASM).
// Backend-agnostic: each entry point (node.js, web.js, edge.js, ...) passes
// a `platform` that knows how to load a backend and sign on that runtime.
// Requests and responses are plain objects; JSON text is the backends' job.

const TASKS = {
  syncPlans: 'sync_plans',
  checkGovernance: 'check_governance',
  reportPlanOutcome: 'report_plan_outcome',
  reportPlanAdjustment: 'report_plan_adjustment',
  getPlanAuditLogs: 'get_plan_audit_logs',
  recordOutcome: 'record_outcome',
  listOutcomes: 'list_outcomes',
  getValueSummary: 'get_value_summary',
};

// Spec configuration keys (README "Configuration"), accepted at the top level
// of the options as well as under `config`.
const CONFIG_KEYS = [
  'default_mode', 'intent_token_ttl_seconds', 'execution_token_ttl_seconds', 'delivery_reporting_interval_seconds',
  'consultation_ttl_seconds', 'max_consultation_attempts', 'escalation_timeout_seconds', 'low_confidence_threshold',
  'aggregation_window_days', 'replay_ttl_seconds', 'budget_reduction_below_committed', 'industry_triggers_human_review',
  'geo_drift_tolerance_pct', 'drift', 'runtime_attestations', 'budget_holds', 'protocol', 'id_mode',
  'allow_unsigned_tokens', 'compat', 'max_request_bytes', 'delivery_variance_tolerance',
];

function toError(e) {
  return e instanceof Error ? e : new Error(typeof e === 'string' ? e : 'hook failed');
}

// Hooks handed to a backend never throw (a JS throw must not unwind through
// WASM frames): a failure is returned as an Error value, which the binding
// turns into the core's SERVICE_UNAVAILABLE path.
function guard(fn, convert) {
  return (...args) => {
    try {
      const v = fn(...args);
      if (v && typeof v.then === 'function') return new Error('hooks must be synchronous');
      return convert(v);
    } catch (e) {
      return toError(e);
    }
  };
}

function jsonHook(fn) {
  return guard((...texts) => fn(...texts.map((t) => JSON.parse(t))), (v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

// The platform's CSPRNG drawn in 4 KB blocks: ids and jtis take 10-16 bytes
// each, and one system call per id cost about 8 % of a governed buy (issue
// 15). Each byte is handed out once. A host's own `random` is called as it
// is (seeded tests depend on its exact calls).
const RANDOM_POOL_BYTES = 4096;
function pooledRandom(fill) {
  let pool = new Uint8Array(0), used = 0;
  return (n) => {
    if (n > RANDOM_POOL_BYTES) return fill(n);
    if (used + n > pool.length) {
      pool = fill(RANDOM_POOL_BYTES);
      used = 0;
    }
    used += n;
    return pool.slice(used - n, used);
  };
}

function authJson(auth) {
  if (auth === undefined || auth === null) return '{}';
  if (typeof auth === 'string') return JSON.stringify({ agent_url: auth });
  return jsonText(auth);
}

function parseUtility(text) {
  const r = JSON.parse(text);
  if (!r.ok) throw new TypeError(r.error);
  return r.value;
}

// Text handed to a backend is well-formed UTF-16: a lone surrogate becomes
// U+FFFD, which is what N-API's UTF-8 conversion and the WASM binding's
// TextEncoder do on their own; done here as well so that no backend's
// conversion (Embind's own would pass an invalid byte sequence) decides
// what bytes the core sees.
function jsonText(value) {
  const text = typeof value === 'string' ? value.toWellFormed() : JSON.stringify(value);
  // JSON.stringify gives undefined for undefined, functions and symbols.
  if (typeof text !== 'string') throw new TypeError('adcp-governance: expected a JSON value or JSON text');
  return text;
}

export function createFacade(platform) {
  let defaultBackend = null;

  // `options.wasmUrl` relocates core.wasm (bundled browser apps; web.js).
  async function loadBackend(name = 'auto', options = {}) {
    const backend = await platform.loadBackend(name, { wasmUrl: options.wasmUrl });
    if (!defaultBackend) defaultBackend = backend;
    return backend;
  }

  function utilities(backend) {
    const util = (name, a, b = '') => parseUtility(backend.utility(name, a, b));
    return {
      canonicalize: (value) => util('jcs', jsonText(value)),
      planHash: (plan) => util('planHash', jsonText(plan)),
      payloadHash: (payload) => util('payloadHash', jsonText(payload)),
      statementDigest: (sellerReference, deliveryMetrics) =>
        util('statementDigest', String(sellerReference), jsonText(deliveryMetrics)),
      toWire: (coreResult) => util('toWire', jsonText(coreResult)),
      validate: (task, request) => util('validate', TASKS[task] ?? task, jsonText(request)),
    };
  }

  function current() {
    if (!defaultBackend) throw new Error('adcp-governance: call `await init()` (or create an agent) first');
    return utilities(defaultBackend);
  }

  async function init(options = {}) {
    await loadBackend(options.backend, options);
    return current();
  }

  async function createGovernanceAgent(options = {}) {
    // The backend loads (a WASM module compiles off the main thread) while
    // the signer's key is imported (cold start, issue 15).
    const loading = loadBackend(options.backend ?? 'auto', options);
    loading.catch(() => {});  // awaited below, after the options are checked
    const config = { ...(options.config ?? {}) };
    for (const k of CONFIG_KEYS) if (options[k] !== undefined) config[k] = options[k];
    if (options.issuer !== undefined) config.issuer = options.issuer;
    // Change sets are written down only for hosts that persist or replicate
    // them (durable agents, onChange, changeSets: true): they cost per call.
    if (options.changeSets || typeof options.onChange === 'function') config.change_sets = true;
    if (typeof config.issuer !== 'string') throw new TypeError('createGovernanceAgent: `issuer` (an https URL) is required');

    // Signing: a host `sign` function, a configured key, or an ephemeral key.
    const signingOptions = options.signing ?? {};
    let signer = null;
    if (typeof options.sign === 'function') {
      signer = { sign: options.sign, alg: signingOptions.alg ?? 'EdDSA', kid: signingOptions.kid,
                 publicKey: signingOptions.publicKey, publicJwk: signingOptions.publicJwk };
      if (!signer.kid) throw new TypeError('createGovernanceAgent: `signing.kid` is required with a custom `sign`');
    } else if (!config.allow_unsigned_tokens || signingOptions.privateKey) {
      signer = await platform.createSigner(signingOptions);
    }
    const backend = await loading;
    if (signer) {
      config.signing = { ...(config.signing ?? {}), alg: signer.alg, kid: signer.kid };
      if (signer.publicJwk) config.signing.public_jwk = signer.publicJwk;
      else if (signer.publicKey) config.signing.public_key = signer.publicKey;
    }

    const hooks = {
      nowMs: guard(options.clock ?? (() => Date.now()), (v) => v),
      randomBytes: guard(options.random ?? pooledRandom(platform.randomBytes), (v) =>
        v instanceof Uint8Array ? v : new Error('randomBytes must return a Uint8Array')),
    };
    if (signer) hooks.sign = guard(signer.sign, (v) => v);
    const user = options.hooks ?? {};
    for (const name of ['resolveBrand', 'resolvePolicies', 'evaluatePolicies', 'evaluateAttestation', 'verifyHumanApproval'])
      if (typeof user[name] === 'function') hooks[name] = jsonHook(user[name]);

    // A state document as text, an object, or UTF-8 bytes (a store's snapshot:
    // the core validates the UTF-8 itself, and no large JS string is built).
    const state = options.state === undefined ? '' : options.state instanceof Uint8Array ? options.state : jsonText(options.state);
    const handle = new backend.CoreAgent(JSON.stringify(config), hooks, state);
    const failure = handle.error();
    if (failure) {
      backend.dispose(handle);
      // A structured error: {code, message, recovery, field?} (INVALID_CONFIG,
      // INVALID_STATE naming the damaged member of a state document, ...).
      const { code, message, recovery, field } = JSON.parse(failure);
      const error = new TypeError(`createGovernanceAgent: ${message}`);
      Object.assign(error, { code, recovery }, field === undefined ? {} : { field });
      throw error;
    }
    let disposed = false;
    const live = () => {
      if (disposed) throw new Error('adcp-governance: this agent was disposed');
      return handle;
    };
    // Change sets (issue 11): after a call that changed the state, its change
    // set goes to `onChange` (synchronously, before the call returns) and is
    // readable through lastChangeSet().
    const onChange = typeof options.onChange === 'function' ? options.onChange : null;
    const changed = (out) => {
      if (onChange) {
        const changeSet = handle.lastChangeSet();
        if (changeSet) onChange(changeSet);
      }
      return out;
    };
    const callRaw = (task, request, auth) => {
      if (typeof task !== 'string') throw new TypeError('adcp-governance: a task name is a string');
      return changed(live().call(task, jsonText(request ?? {}), authJson(auth)));
    };
    const run = (task, request, auth) => JSON.parse(callRaw(task, request, auth));
    const util = utilities(backend);
    const agent = {
      backend: backend.name,
      call: run,
      // The CoreResult as the core's JSON text (byte-exact; for hosts that
      // pass it through without re-serializing).
      callRaw,
      callTool: (name, args, auth) => util.toWire(run(name, args, auth)),
      getTask: (taskId) => JSON.parse(changed(live().getTask(String(taskId)))),
      admin: (op) => JSON.parse(changed(live().admin(jsonText(op)))),
      exportState: () => live().exportState(),
      lastChangeSet: () => live().lastChangeSet() || null,
      applyChangeSet: (changeSet) => {
        const failure = live().applyChangeSet(jsonText(changeSet));
        if (failure) {
          const { code, message, recovery, field } = JSON.parse(failure);
          throw Object.assign(new Error(`applyChangeSet: ${message}`), { code, recovery }, field === undefined ? {} : { field });
        }
      },
      publicJwk: () => JSON.parse(live().publicJwk()),
      dispose: () => {
        if (disposed) return;
        disposed = true;
        backend.dispose(handle);
        backend.unregister?.(agent);
      },
      ...util,
    };
    for (const [method, task] of Object.entries(TASKS)) agent[method] = (request, auth) => run(task, request, auth);
    backend.register?.(agent, handle);
    return agent;
  }

  return {
    createGovernanceAgent,
    init,
    canonicalize: (v) => current().canonicalize(v),
    planHash: (p) => current().planHash(p),
    payloadHash: (p) => current().payloadHash(p),
    statementDigest: (r, m) => current().statementDigest(r, m),
    toWire: (r) => current().toWire(r),
    validate: (t, r) => current().validate(t, r),
  };
}
