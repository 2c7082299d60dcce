// The WASM build in Debian's Chromium (headless, playwright-core): a page
// served on 127.0.0.1 runs a governed buy and the plan-hash vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { compactVerify, importJWK } from 'jose';
import { serveStatic } from './lib/static-server.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// CI installs Debian's chromium and sets ADCP_REQUIRE_BROWSER=1 (no silent skip).
const skip = !existsSync(CHROMIUM) && !process.env.ADCP_REQUIRE_BROWSER && `no ${CHROMIUM}`;

test('browser: governed buy and plan-hash vectors in headless Chromium', { skip, timeout: 120_000 }, async () => {
  const { server, port } = await serveStatic();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/tests/js/browser/index.html`);
    await page.waitForFunction(() => window.__results, null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.__results);
    assert.deepEqual(r.errors, [], logs.join('\n'));
    assert.equal(r.backend, 'wasm');
    assert.equal(r.sync.status, 'completed');
    assert.equal(r.check.response.verdict, 'approved');
    assert.equal(r.denied.response.verdict, 'denied');
    assert.equal(r.outcome.response.committed_budget, 400);
    assert.equal(r.audit.response.plans[0].budget.committed, 400);
    for (const v of r.vectors) {
      assert.equal(v.hash, v.expected, v.name);
      assert.ok(v.jcs, v.name);
    }
    // The token signed in the browser (@noble/curves) verifies with jose.
    const { payload } = await compactVerify(r.check.response.governance_context, await importJWK(r.jwk, r.jwk.alg),
      { crit: { authorized_commitment: true, authorized_task: true, authorized_payload_hash: true } });
    assert.equal(JSON.parse(new TextDecoder().decode(payload)).authorized_commitment.amount, 400);
  } finally {
    await browser.close();
    server.close();
  }
});

// A bundled app serves core.wasm somewhere else and passes `wasmUrl`: the
// module is fetched from there only.
test('browser: wasmUrl relocates core.wasm', { skip, timeout: 120_000 }, async () => {
  const requests = [];
  const { server, port } = await serveStatic({ aliases: { '/assets/governance-core.wasm': '/dist/core.wasm' }, requests });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/tests/js/browser/relocated.html`);
    await page.waitForFunction(() => window.__results, null, { timeout: 60_000 });
    const r = await page.evaluate(() => window.__results);
    assert.deepEqual(r.errors, []);
    assert.equal(r.backend, 'wasm');
    const node = await import('../../js/node.js');
    await node.init();
    assert.equal(r.hash, node.planHash({ plan_id: 'p', budget: { total: 1, currency: 'USD' } }));
    assert.ok(requests.includes('/assets/governance-core.wasm'), requests.join(' '));
    assert.ok(!requests.includes('/dist/core.wasm'), 'the default location was fetched');
  } finally {
    await browser.close();
    server.close();
  }
});

// A durable agent on IndexedDB (issue 12): after a page reload the agent is
// back with its ledger, byte for byte; a second writer is refused.
test('browser: indexedDbStore survives a reload', { skip, timeout: 120_000 }, async () => {
  const { server, port } = await serveStatic();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage();
    const url = (phase) => `http://127.0.0.1:${port}/tests/js/browser/durable.html?phase=${phase}`;
    const results = async () => {
      await page.waitForFunction(() => window.__results, null, { timeout: 60_000 });
      return page.evaluate(() => window.__results);
    };
    await page.goto(url('write'));
    const written = await results();
    assert.deepEqual(written.errors, []);
    assert.equal(written.outcome.status, 'completed');
    await page.goto(url('read'));
    await page.reload();
    const read = await results();
    assert.deepEqual(read.errors, []);
    assert.equal(read.state, written.state, 'the agent is back, byte for byte');
    assert.equal(read.audit.response.plans[0].budget.committed, 450);
    await page.goto(url('second'));
    const second = await results();
    assert.deepEqual(second.errors, []);
    assert.equal(second.second, 'ELOCKED');
  } finally {
    await browser.close();
    server.close();
  }
});
