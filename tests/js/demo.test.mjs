// README's main job (`npm start`): the demo loop on both backends, with the
// figures it prints asserted from the audit log it returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../../js/demo.js';

for (const backend of ['native', 'wasm']) {
  test(`demo loop on ${backend}`, async () => {
    const lines = [];
    const { audit } = await runDemo({ backend, log: (l) => lines.push(l) });
    const plan = audit.plans[0];
    assert.equal(plan.budget.committed, 11000);
    assert.equal(plan.budget.net_cost, 10750);
    assert.equal(plan.budget.remaining, 39000);
    assert.deepEqual(plan.summary.statuses, { approved: 4, denied: 1, conditions: 1, human_reviewed: 0 });
    assert.equal(plan.governed_actions[0].delivery_reconciliation_status, 'measurement_variance');
    assert.ok(lines[0].includes(`${backend} backend`));
    assert.ok(lines.some((l) => l.includes('seller verified the token')));
  });
}
