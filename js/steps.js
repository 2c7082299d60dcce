// The step language: one call per step, shared by `adcp-governance run`
// and the JS scenario runner. Its one definition is step-language.json
// (the native CLI and the C++ scenario runner compile in the same file, see
// core/steps/steps.cc); this module interprets it for JS hosts and gives the
// same messages as the C++ one.
//
// Works with an in-process agent (synchronous) or a durable one (async).
import { readFileSync } from 'node:fs';

export const LANGUAGE = JSON.parse(readFileSync(new URL('./step-language.json', import.meta.url), 'utf8'));
export const STEP_KEYS = Object.keys(LANGUAGE.keys);

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const TYPE_OK = {
  any: () => true,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  object: isObject,
};

/** The first thing wrong with a step's shape, or null. */
export function stepProblem(step) {
  if (!isObject(step)) return 'a step is a JSON object';
  for (const [k, v] of Object.entries(step)) {
    const def = LANGUAGE.keys[k];
    if (!def) return `unknown step key "${k}"`;
    if (!TYPE_OK[def.type](v)) return `step key "${k}" must be ${def.type === 'object' ? 'an' : 'a'} ${def.type}`;
  }
  for (const group of LANGUAGE.exclusive) {
    if (group.filter((k) => k in step).length > 1) return `a step takes only one of ${group.join(', ')}`;
  }
  const calls = Object.keys(LANGUAGE.keys).filter((k) => LANGUAGE.keys[k].role === 'call');
  if (!calls.some((k) => k in step)) return `a step needs one of ${calls.join(', ')}`;
  for (const k of Object.keys(step)) {
    if (LANGUAGE.keys[k].role === 'task' && !('task' in step)) return `step key "${k}" needs "task"`;
  }
  return null;
}

/** "${name}" strings are replaced by values saved by earlier steps. */
export function substitute(v, vars) {
  if (typeof v === 'string') {
    const m = /^\$\{(.+)\}$/.exec(v);
    if (m) {
      if (!(m[1] in vars)) throw new Error(`\${${m[1]}} was not saved by an earlier step`);
      return vars[m[1]];
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((e) => substitute(e, vars));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, substitute(e, vars)]));
  return v;
}

/** A dotted path into a result ("response.governance_context"). */
export const pathIn = (v, path) => path.split('.').reduce((cur, k) => (isObject(cur) ? cur[k] : undefined), v);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The clock after the step's clock keys: `now` (ms) in, ms out. */
export function stepClock(step, now) {
  if (step.now_ms !== undefined) now = step.now_ms;
  if (step.now !== undefined) {
    now = RFC3339.test(step.now) ? Date.parse(step.now) : NaN;
    if (Number.isNaN(now)) throw new Error('"now" is not an RFC 3339 date-time');
  }
  if (step.advance_ms !== undefined) now += step.advance_ms;
  return now;
}

function fixedAnswer(answer) {
  if (isObject(answer) && typeof answer.$fail === 'string') throw new Error(answer.$fail);
  return answer;
}

/**
 * The hooks a run installs (a scenario's "hooks"): facade hook functions that
 * give the current fixed answers, which later steps may replace.
 */
export function stepHooks(initial = {}) {
  const answers = {};
  const hooks = {};
  for (const [name, answer] of Object.entries(initial)) {
    if (!(name in LANGUAGE.hooks)) throw new Error(`unknown hook "${name}"`);
    answers[name] = answer;
    hooks[LANGUAGE.hooks[name]] = () => fixedAnswer(answers[name]);
  }
  return { hooks, answers };
}

/** expected ⊆ actual, with "$absent" / "$present" markers. */
export function subsetProblems(expected, actual, path = '$') {
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${path}: expected an object`];
    const problems = [];
    for (const [k, v] of Object.entries(expected)) {
      if (v === '$absent') { if (k in actual) problems.push(`${path}.${k}: expected absent`); continue; }
      if (v === '$present') { if (!(k in actual)) problems.push(`${path}.${k}: expected present`); continue; }
      if (!(k in actual)) { problems.push(`${path}.${k}: missing`); continue; }
      problems.push(...subsetProblems(v, actual[k], `${path}.${k}`));
    }
    return problems;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
    return expected.flatMap((e, i) => subsetProblems(e, actual[i], `${path}[${i}]`));
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/**
 * Runs one step template: checks its shape, substitutes "${var}", installs
 * new hook answers, moves the clock, makes the call on `agent` and saves
 * what it asks for. `run` = {vars, answers, now}: saved values, the hook
 * answers from stepHooks, and the step clock (ms, or null until a step sets
 * it) that the host's clock hook reads. Returns {step, result, raw}.
 */
export async function runStep(agent, template, run) {
  const shape = stepProblem(template);
  if (shape) throw new Error(shape);
  const step = substitute(template, run.vars);
  if (step.now !== undefined || step.now_ms !== undefined || step.advance_ms !== undefined)
    run.now = stepClock(step, run.now ?? Date.now());
  for (const [name, answer] of Object.entries(step.hooks ?? {})) {
    if (!(name in (run.answers ?? {}))) throw new Error(`hook "${name}" is not installed (name it in the scenario's hooks)`);
    run.answers[name] = answer;
  }
  let result, raw;
  if (step.admin) result = await agent.admin(step.admin);
  else if (step.get_task) result = await agent.getTask(step.get_task);
  else {
    const auth = step.auth ?? (step.as !== undefined ? { agent_url: step.as } : {});
    raw = await agent.callRaw(step.task, step.request_text ?? step.request ?? null, auth);
    result = JSON.parse(raw);
  }
  for (const [name, path] of Object.entries(step.save ?? {})) {
    const v = typeof path === 'string' ? pathIn(result, path) : undefined;
    if (v === undefined) throw new Error(`nothing at ${JSON.stringify(path)} to save as "${name}"`);
    run.vars[name] = v;
  }
  return { step, result, raw: raw ?? JSON.stringify(result) };
}

/** What the step's checks ("expect", "state_unchanged") find wrong. */
export function checkStep(step, result, stateBefore, stateAfter) {
  const problems = step.expect ? subsetProblems(step.expect, result) : [];
  if (step.state_unchanged && stateBefore !== stateAfter) problems.push('the state changed');
  return problems;
}

/**
 * A run from a file's text: a scenario document ({config, hooks, steps}; the
 * clock starts at the language's start_now) or one step per line.
 */
export function parseRun(text) {
  let doc = null;
  try { doc = JSON.parse(text); } catch { /* one step per line */ }
  if (isObject(doc) && Array.isArray(doc.steps)) {
    const unknown = Object.keys(doc).find((k) => !LANGUAGE.scenario.keys.includes(k));
    if (unknown) throw new Error(`unknown scenario key "${unknown}"`);
    if (doc.config !== undefined && !isObject(doc.config)) throw new Error('scenario key "config" must be an object');
    if (doc.hooks !== undefined && !isObject(doc.hooks)) throw new Error('scenario key "hooks" must be an object');
    return { config: doc.config ?? {}, hooks: doc.hooks ?? {}, steps: doc.steps.map((step, i) => ({ where: `step ${i}`, step })),
             startNow: Date.parse(LANGUAGE.scenario.start_now) };
  }
  const steps = [];
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    let step;
    try { step = JSON.parse(t); } catch { throw new Error(`line ${i + 1}: not a JSON object`); }
    steps.push({ where: `line ${i + 1}`, step });
  });
  return { config: {}, hooks: {}, steps, startNow: null };
}
