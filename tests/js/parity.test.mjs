// Parity: the whole scenario corpus on the native add-on and on the WASM
// build gives byte-identical results and exported state at every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import * as api from '../../js/node.js';
import { runScenario, scenarioFiles } from './lib/scenario-runner.mjs';

test('parity: the shared corpus is there', () => {
  assert.ok(scenarioFiles().length >= 10, `only ${scenarioFiles().length} scenario files`);
});

for (const file of scenarioFiles()) {
  test(`native == wasm: ${basename(file)}`, async () => {
    const native = await runScenario(api, file, 'native');
    const wasm = await runScenario(api, file, 'wasm');
    assert.equal(native.steps.length, wasm.steps.length);
    for (let i = 0; i < native.steps.length; ++i) {
      assert.equal(wasm.steps[i].raw, native.steps[i].raw, `step ${i} result`);
      assert.equal(wasm.steps[i].stateAfter, native.steps[i].stateAfter, `step ${i} exported state`);
    }
    assert.equal(wasm.finalState, native.finalState);
  });
}
