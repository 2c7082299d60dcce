// The governance dashboard (issue 16) in headless Chromium (playwright-core,
// /usr/bin/chromium) against `serve` on 127.0.0.1, seeded with the demo loop
// (through MCP), a plan with 1,000 governed buys and a plan with a pending
// human review. Signs in with the owner's bearer token and checks that the
// figures on the page are the API's (MCP get_plan_audit_logs, the value
// summary); opens a plan (burn, channel mix, drift, governed actions paged);
// approves the escalation through the page and sees the check resolve and
// the audit log change; a wrong token sees nothing, another owner sees none
// of these plans. Screenshots (overview, plan, review queue) are saved under
// build/artifacts/dashboard/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { mcpClient, startServer } from './lib/server-harness.mjs';
import { DASH_TOKENS, dashboardConfig, seedDashboard } from './lib/dashboard-seed.mjs';

const backend = process.env.GOV_BACKEND ?? 'native';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && !process.env.ADCP_REQUIRE_BROWSER && `no ${CHROMIUM}`;
const ARTIFACTS = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'build', 'artifacts', 'dashboard');

// The page formats money as en-US with two decimals and the currency.
const money = (n, currency) => `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${currency ? ` ${currency}` : ''}`;

test(`[${backend}] dashboard: figures equal the API's, review through the page, wrong token sees nothing`, { skip, timeout: 300_000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const running = await startServer({ backend, config: dashboardConfig(), fsync: 'never' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  try {
    const { pendingTask } = await seedDashboard(running, { buys: 1000 });
    const api = await mcpClient(running.url, DASH_TOKENS.owner);
    const tool = async (name, args) => (await api.callTool({ name, arguments: args })).structuredContent;
    const plans = (await running.tenants.get('default').agent.admin({ op: 'list_plans', owner: 'https://orchestrator.acme.example' })).response.plans;
    const ids = plans.map((p) => p.plan_id);
    assert.equal(ids.length, 3);
    const audit = await tool('get_plan_audit_logs', { plan_ids: ids });
    const held = new Map((audit.ext?.adcp_governance?.holds ?? []).map((h) => [h.plan_id, h.held]));

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    // A wrong token sees nothing.
    await page.goto(`${running.url}/`);
    await page.fill('#token', 'not-a-real-token');
    await page.click('#sign-in-form button');
    await page.waitForFunction(() => document.querySelector('#sign-in-error').textContent.length > 0);
    assert.match(await page.textContent('#sign-in-error'), /not recognised/);
    assert.equal(await page.isVisible('#app'), false);
    assert.equal(await page.locator('#plans-table tbody tr').count(), 0);
    assert.equal((await fetch(`${running.url}/api/dashboard/plans`, { headers: { authorization: 'Bearer not-a-real-token' } })).status, 401);

    // The owner signs in: one row per plan, every figure the API's.
    await page.fill('#token', DASH_TOKENS.owner);
    await page.click('#sign-in-form button');
    await page.waitForSelector('#plans-table tbody tr[data-plan]');
    for (const item of audit.plans) {
      const row = page.locator(`#plans-table tr[data-plan="${item.plan_id}"]`);
      const currency = plans.find((p) => p.plan_id === item.plan_id).plan.budget.currency;
      const field = (f) => row.locator(`[data-field="${f}"]`).textContent();
      assert.equal(await field('status'), item.status);
      assert.equal(await field('plan_version'), String(item.plan_version));
      for (const f of ['authorized', 'committed', 'remaining', 'net_cost'])
        assert.equal(await field(f), money(item.budget[f], currency), `${item.plan_id} ${f}`);
      assert.equal(await field('held'), money(held.get(item.plan_id) ?? 0, currency), `${item.plan_id} held`);
      assert.equal(await field('utilization_pct'), `${item.budget.utilization_pct.toLocaleString('en-US', { maximumFractionDigits: 2 })} %`);
    }
    assert.equal(await page.textContent('#plans-table tr[data-plan="review"] [data-field="pending_escalations"]'), '1');
    const summary = await (await fetch(`${running.url}/api/outcomes/summary`, { headers: { authorization: `Bearer ${DASH_TOKENS.owner}` } })).json();
    const historyValue = summary.plans.find((p) => p.plan_id === 'history');
    assert.equal(historyValue.value_usd, 3000);
    assert.equal(await page.textContent('#plans-table tr[data-plan="history"] [data-field="value_usd"]'), money(3000, 'USD'));
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    // Value delivered: the value summary per plan and the outcomes feed.
    await page.click('.tabs button[data-view="value"]');
    assert.equal(await page.textContent('#value-table tr[data-plan="history"] [data-field="value_to_spend"]'), historyValue.value_to_spend.toFixed(2));
    assert.equal(await page.textContent('#value-table tr[data-plan="history"] [data-field="committed"]'), money(historyValue.committed, 'USD'));
    await page.waitForFunction(() => document.querySelectorAll('#value-feed li').length === 3);
    // The keyboard reaches a plan: focus its link, press Enter.
    await page.click('.tabs button[data-view="overview"]');
    await page.focus('#plans-table tr[data-plan="history"] button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#plan:not([hidden])');
    await page.click('#back');

    // One plan: burn (its total the committed figure), channels vs mix, drift, governed actions 25 a page.
    const history = audit.plans.find((p) => p.plan_id === 'history');
    await page.click('#plans-table tr[data-plan="history"] button');
    await page.waitForSelector('#actions-table tbody tr td[data-field="token"]');
    assert.equal(Number(await page.getAttribute('#burn-text', 'data-cumulative')), history.budget.committed);
    assert.equal(await page.locator('#burn-chart canvas').count() > 0, true, 'uPlot drew the burn chart');
    for (const [channel, got] of Object.entries(history.channel_allocation)) {
      assert.equal(await page.textContent(`#channels-table tr[data-channel="${channel}"] [data-field="committed"]`), money(got.committed, 'USD'));
    }
    assert.equal(await page.textContent('#channels-table tr[data-channel="display"] [data-field="target"]'), '0–30 %');
    assert.equal(await page.getAttribute('#drift-trend', 'data-trend'), history.summary.drift_metrics.escalation_rate_trend);
    assert.equal(await page.textContent('#drift-table tr[data-metric="auto_approval_rate"] [data-field="value"]'),
      history.summary.drift_metrics.auto_approval_rate.toFixed(3));
    const rows = page.locator('#actions-table tbody tr');
    assert.equal(await rows.count(), 25);
    const pageOne = await tool('get_plan_audit_logs', { plan_ids: ['history'], ext: { adcp_governance: { governed_actions: { limit: 25 } } } });
    assert.equal(await rows.nth(0).locator('[data-field="token"]').textContent(), `…${pageOne.plans[0].governed_actions[0].governance_context.slice(-10)}`);
    assert.equal(await rows.nth(24).locator('[data-field="committed"]').textContent(), money(pageOne.plans[0].governed_actions[24].committed, 'USD'));
    await page.click('#actions-next');
    await page.waitForFunction(() => document.querySelector('#actions-page').textContent.startsWith('Actions 26'));
    const pageTwo = await tool('get_plan_audit_logs', { plan_ids: ['history'], ext: { adcp_governance: { governed_actions: { limit: 25,
      after: pageOne.ext.adcp_governance.action_pages[0].next_cursor } } } });
    assert.equal(await rows.nth(0).locator('[data-field="token"]').textContent(), `…${pageTwo.plans[0].governed_actions[0].governance_context.slice(-10)}`);
    await page.screenshot({ path: join(ARTIFACTS, 'plan.png'), fullPage: true });

    // The review queue: approve through the page; the check resolves, the audit log changes.
    await page.click('.tabs button[data-view="review"]');
    const item = page.locator(`#review-list article[data-task="${pendingTask}"]`);
    await item.waitFor();
    assert.match(await item.textContent(), /Recommendation: approve/);
    await page.screenshot({ path: join(ARTIFACTS, 'review.png'), fullPage: true });
    // The buying agent's own token reads the queue but cannot decide (the same 404 as an unknown task).
    const byAgent = await fetch(`${running.url}/api/dashboard/escalations/${pendingTask}`, { method: 'POST',
      headers: { authorization: `Bearer ${DASH_TOKENS.agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    assert.equal(byAgent.status, 404);
    const queue = await (await fetch(`${running.url}/api/dashboard/escalations`, { headers: { authorization: `Bearer ${DASH_TOKENS.agent}` } })).json();
    assert.deepEqual(queue.escalations.map((e) => e.task_id), [pendingTask], 'still pending');
    await page.fill(`#reason-${pendingTask}`, 'Audience reviewed with legal.');
    await item.locator('button[data-decision="approve"]').click();
    const result = page.locator(`#review-results p[data-task="${pendingTask}"]`);
    await result.waitFor();
    assert.equal(await result.getAttribute('data-verdict'), 'approved');
    assert.equal(await result.getAttribute('data-resolution'), 'approved_by_human');
    const after = await tool('get_plan_audit_logs', { plan_ids: ['review'] });
    assert.equal(after.plans[0].summary.escalations[0].resolution, 'approved_by_human');
    assert.equal(after.plans[0].summary.statuses.human_reviewed, 1);
    const task = await running.tenants.get('default').agent.getTask(pendingTask);
    assert.equal(task.response.verdict, 'approved');
    assert.equal(task.response.findings.at(-1).details.reviewer, 'jane@acme.example');
    await page.waitForFunction(() => document.querySelector('#review-count').textContent === '0');
    // Resolving it again through the API: not pending any more = not found.
    const again = await fetch(`${running.url}/api/dashboard/escalations/${pendingTask}`, { method: 'POST',
      headers: { authorization: `Bearer ${DASH_TOKENS.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'reject' }) });
    assert.equal(again.status, 404);

    // Another owner signs in: none of these plans, no review.
    const other = await browser.newPage();
    await other.goto(`${running.url}/`);
    await other.fill('#token', DASH_TOKENS.other);
    await other.click('#sign-in-form button');
    await other.waitForSelector('#plans-table tbody tr');
    assert.equal(await other.locator('#plans-table tbody tr[data-plan]').count(), 0);
    assert.equal(await other.textContent('#review-count'), '0');
    assert.equal((await fetch(`${running.url}/api/dashboard/escalations/${pendingTask}`, { method: 'POST',
      headers: { authorization: `Bearer ${DASH_TOKENS.other}`, 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'reject' }) })).status, 404);

    // A narrow screen: one column, still usable.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('.tabs button[data-view="overview"]');
    await page.screenshot({ path: join(ARTIFACTS, 'overview-narrow.png'), fullPage: true });
    // The one failed request the page made is the wrong token's sign-in (401).
    assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
    assert.equal(errors.length, 1);
    await api.close();
  } finally {
    await browser.close();
    await running.close();
  }
});
