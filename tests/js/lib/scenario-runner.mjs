// Runs one scenario of tests/fixtures/scenarios through the JS facade (the
// same semantics as tests/core/scenarios_test.cc): deterministic host hooks,
// step clock, ${var} substitution, and the raw result of every step.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// splitmix64 byte stream, the same as tests/core/test_util.h.
import { seededRandom } from '../../../js/seeded-random.js';
// The step language is the CLI's (`adcp-governance run`): one definition.
import { runStep, stepClock, substitute } from '../../../js/steps.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'scenarios');
export const DEFAULT_CONFIG = {
  issuer: 'https://governance.example.com', signing: { alg: 'EdDSA', kid: 'test-kid' }, id_mode: 'sequential',
};

export function scenarioFiles() {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort().map((f) => join(FIXTURES, f));
}

// The corpus' stand-in signer: SHA-256("A"||kid||input) || SHA-256("B"||kid||input).
export function standInSign(input, _alg, kid) {
  const a = createHash('sha256').update('A' + kid + input).digest();
  const b = createHash('sha256').update('B' + kid + input).digest();
  return Buffer.concat([a, b]).toString('base64url');
}

const HOOK_NAMES = {
  resolve_brand: 'resolveBrand', resolve_policies: 'resolvePolicies',
  evaluate_policies: 'evaluatePolicies', evaluate_attestation: 'evaluateAttestation',
};

export function fixedHook(answer) {
  return () => {
    if (answer && typeof answer === 'object' && typeof answer.$fail === 'string') throw new Error(answer.$fail);
    return answer;
  };
}

// Creates the scenario's agent with `api.createGovernanceAgent` and runs
// every step; returns [{step, result, raw, stateBefore, stateAfter,
// changeSet, twinState, reimported}]. With `twin`, a second agent only
// applies the change sets of the first (issue 11), `twinState` is its state
// after each step, and `reimported` is the export of an agent restored from
// the step's export.
export async function runScenario(api, file, backend, { twin = false } = {}) {
  const sc = JSON.parse(readFileSync(file, 'utf8'));
  let now = Date.parse('2026-01-01T00:00:00Z');
  // Hooks the scenario installs; a step may change their answers ("hooks").
  const answers = { ...(sc.hooks ?? {}) };
  const hooks = {};
  for (const k of Object.keys(answers)) hooks[HOOK_NAMES[k]] = (...args) => fixedHook(answers[k])(...args);
  const options = {
    backend,
    config: { ...DEFAULT_CONFIG, ...(sc.config ?? {}) },
    issuer: { ...DEFAULT_CONFIG, ...(sc.config ?? {}) }.issuer,
    signing: { kid: { ...DEFAULT_CONFIG.signing, ...(sc.config?.signing ?? {}) }.kid },
    sign: standInSign,
    changeSets: Boolean(twin),  // the producer writes its change sets down for the twin
    clock: () => now,
    random: seededRandom(1n),
    hooks,
  };
  const agent = await api.createGovernanceAgent(options);
  const copy = twin ? await api.createGovernanceAgent({ ...options, random: seededRandom(2n) }) : null;
  const vars = {};
  const out = [];
  try {
    for (const [i, template] of sc.steps.entries()) {
      const step = substitute(template, vars);
      now = stepClock(step, now);
      for (const [k, v] of Object.entries(step.hooks ?? {})) answers[k] = v;
      const stateBefore = agent.exportState();
      const { result, raw } = await runStep(agent, step, vars);
      const changeSet = agent.lastChangeSet();
      const stateAfter = agent.exportState();
      let reimported;
      if (copy) {
        if (changeSet) copy.applyChangeSet(changeSet);
        const restored = await api.createGovernanceAgent({ ...options, state: stateAfter });
        reimported = restored.exportState();
        restored.dispose();
      }
      out.push({ index: i, step, result, raw, stateBefore, stateAfter,
                 changeSet, twinState: copy?.exportState(), reimported });
    }
    return { scenario: sc, steps: out, finalState: agent.exportState() };
  } finally {
    agent.dispose();
    copy?.dispose();
  }
}

// expected ⊆ actual, with "$absent" / "$present" markers.
export function subsetProblems(expected, actual, path = '$') {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object`];
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
