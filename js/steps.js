// The step language (tests/fixtures/README.md): one call per step, shared
// by `adcp-governance run` and the JS scenario runner.
//
//   {"now": ISO | "now_ms": n | "advance_ms": n,      the (sticky) clock
//    "task": name, "as": URL | "auth": {...},          a call...
//    "request": {...} | "request_text": "...",
//    "admin": {op...} | "get_task": id,                ...or an admin operation / getTask
//    "hooks": {name: answer},                          new fixed hook answers (sticky)
//    "save": {var: "response.path"}}                   results kept for "${var}"
//
// Works with an in-process agent (synchronous) or a durable one (async).

export const STEP_KEYS = ['now', 'now_ms', 'advance_ms', 'task', 'as', 'auth', 'request', 'request_text', 'admin',
  'get_task', 'hooks', 'save', 'expect', 'state_unchanged', 'note'];

/** "${name}" strings are replaced by values saved by earlier steps. */
export function substitute(v, vars) {
  if (typeof v === 'string') {
    const m = /^\$\{(.+)\}$/.exec(v);
    if (m) {
      if (!(m[1] in vars)) throw new Error(`\${${m[1]}} was not saved`);
      return vars[m[1]];
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((e) => substitute(e, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, substitute(e, vars)]));
  return v;
}

/** A dotted path into a result ("response.governance_context"). */
export const pathIn = (v, path) => path.split('.').reduce((cur, k) => (cur == null ? undefined : cur[k]), v);

/** The clock after the step's clock keys: `now` (ms) in, ms out. */
export function stepClock(step, now) {
  if (step.now_ms !== undefined) now = step.now_ms;
  if (step.now !== undefined) now = Date.parse(step.now);
  if (step.advance_ms !== undefined) now += step.advance_ms;
  return now;
}

/**
 * Runs one step (already substituted) on `agent`; returns {result, raw}.
 * Saves what the step asks for into `vars`.
 */
export async function runStep(agent, step, vars) {
  const unknown = Object.keys(step).filter((k) => !STEP_KEYS.includes(k));
  if (unknown.length) throw new Error(`unknown step keys: ${unknown.join(', ')}`);
  let result, raw;
  if (step.admin) result = await agent.admin(step.admin);
  else if (step.get_task) result = await agent.getTask(step.get_task);
  else if (step.task) {
    const auth = step.auth !== undefined ? step.auth : step.as !== undefined ? { agent_url: step.as } : {};
    raw = await agent.callRaw(step.task, step.request_text ?? step.request ?? null, auth);
    result = JSON.parse(raw);
  } else {
    throw new Error('a step needs task, admin or get_task');
  }
  for (const [name, path] of Object.entries(step.save ?? {})) {
    const v = pathIn(result, path);
    if (v === undefined) throw new Error(`nothing at ${path} to save`);
    vars[name] = v;
  }
  return { result, raw: raw ?? JSON.stringify(result) };
}
