// The shared scenario corpus on one backend (GOV_BACKEND=native|wasm), with
// every wire-form result validated against the upstream AdCP schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import * as api from '../../js/node.js';
import { checkStep, runScenario, scenarioFiles } from './lib/scenario-runner.mjs';
import { createAjv, validateWire } from './lib/schemas.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const ajv = createAjv();

for (const file of scenarioFiles()) {
  test(`[${backend}] ${basename(file)}`, async () => {
    const { steps } = await runScenario(api, file, backend, { twin: true });
    for (const { index, step, result, stateBefore, stateAfter, changeSet, twinState, reimported } of steps) {
      const where = `step ${index}${step.note ? ` (${step.note})` : ''}`;
      // The step's own checks (expect, state_unchanged), as the CLIs run them.
      assert.deepEqual(checkStep(step, result, stateBefore, stateAfter), [], where);
      // Issue 11: a twin that only applies change sets is byte-identical; a
      // failed step, or one that changed nothing, has no change set.
      assert.equal(twinState, stateAfter, `${where}: twin differs`);
      assert.equal(reimported, stateAfter, `${where}: export -> import -> export differs`);
      if (result.status === 'failed' || stateAfter === stateBefore) assert.equal(changeSet, null, `${where}: change set`);
      else assert.equal(typeof changeSet, 'string', `${where}: no change set`);
      if (step.task) assert.deepEqual(validateWire(ajv, step.task, api.toWire(result), result.protocol), [], `${where}: wire schema`);
    }
  });
}
