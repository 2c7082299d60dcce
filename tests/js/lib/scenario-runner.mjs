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
import { LANGUAGE, checkStep, runStep, stepHooks, subsetProblems } from '../../../js/steps.js';

export { checkStep, subsetProblems };

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

// Creates the scenario's agent with `api.createGovernanceAgent` and runs
// every step; returns [{step, result, raw, stateBefore, stateAfter,
// changeSet, twinState, reimported}]. With `twin`, a second agent only
// applies the change sets of the first (issue 11), `twinState` is its state
// after each step, and `reimported` is the export of an agent restored from
// the step's export.
export async function runScenario(api, file, backend, { twin = false } = {}) {
  const sc = JSON.parse(readFileSync(file, 'utf8'));
  // Hooks the scenario installs; a step may change their answers ("hooks").
  const { hooks, answers } = stepHooks(sc.hooks ?? {});
  const run = { vars: {}, answers, now: Date.parse(LANGUAGE.scenario.start_now) };
  const options = {
    backend,
    config: { ...DEFAULT_CONFIG, ...(sc.config ?? {}) },
    issuer: { ...DEFAULT_CONFIG, ...(sc.config ?? {}) }.issuer,
    signing: { kid: { ...DEFAULT_CONFIG.signing, ...(sc.config?.signing ?? {}) }.kid },
    sign: standInSign,
    changeSets: Boolean(twin),  // the producer writes its change sets down for the twin
    clock: () => run.now,
    random: seededRandom(1n),
    hooks,
  };
  const agent = await api.createGovernanceAgent(options);
  const copy = twin ? await api.createGovernanceAgent({ ...options, random: seededRandom(2n) }) : null;
  const out = [];
  try {
    for (const [i, template] of sc.steps.entries()) {
      const stateBefore = agent.exportState();
      const { step, result, raw } = await runStep(agent, template, run);
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
