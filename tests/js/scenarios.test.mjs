// The shared scenario corpus on one backend (GOV_BACKEND=native|wasm), with
// every wire-form result validated against the upstream AdCP schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import * as api from '../../js/node.js';
import { runScenario, scenarioFiles, subsetProblems } from './lib/scenario-runner.mjs';
import { createAjv, validateWire } from './lib/schemas.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const ajv = createAjv();

for (const file of scenarioFiles()) {
  test(`[${backend}] ${basename(file)}`, async () => {
    const { steps } = await runScenario(api, file, backend);
    for (const { index, step, result, stateBefore, stateAfter } of steps) {
      const where = `step ${index}${step.note ? ` (${step.note})` : ''}`;
      if (step.expect) assert.deepEqual(subsetProblems(step.expect, result), [], where);
      if (step.state_unchanged) assert.equal(stateAfter, stateBefore, `${where}: state changed`);
      if (step.task) assert.deepEqual(validateWire(ajv, step.task, api.toWire(result), result.protocol), [], `${where}: wire schema`);
    }
  });
}
