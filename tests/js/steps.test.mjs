// The step language in JS (js/steps.js, from js/step-language.json): the runs
// it rejects give the same messages as the C++ interpreter
// (tests/core/steps_test.cc runs the same fixture), and the package CLI runs
// scenario documents with their checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../../js/node.js';
import { LANGUAGE, parseRun, runStep, stepHooks } from '../../js/steps.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'step-language', 'rejected.json'), 'utf8'));

async function runUntilRejected(document) {
  let plan, installed;
  try {
    plan = parseRun(JSON.stringify(document));
    installed = stepHooks(plan.hooks);
  } catch (e) {
    return e.message;
  }
  const run = { vars: {}, answers: installed.answers, now: plan.startNow };
  const agent = await api.createGovernanceAgent({ backend, issuer: 'https://governance.example.com',
    clock: () => run.now, hooks: installed.hooks });
  try {
    for (const { where, step } of plan.steps) {
      try {
        await runStep(agent, step, run);
      } catch (e) {
        return `${where}: ${e.message}`;
      }
    }
    return '';
  } finally {
    agent.dispose();
  }
}

test(`[${backend}] the step language rejects the fixture's runs with the shared messages`, async () => {
  assert.ok(fixture.cases.length >= 10);
  for (const c of fixture.cases) assert.equal(await runUntilRejected(c.run), c.error, c.name);
});

test('the step language definition names a type and a role for every key', () => {
  for (const [key, def] of Object.entries(LANGUAGE.keys)) {
    assert.ok(['any', 'string', 'number', 'boolean', 'object'].includes(def.type), key);
    assert.ok(['comment', 'clock', 'hooks', 'call', 'task', 'save', 'check'].includes(def.role), key);
  }
});
