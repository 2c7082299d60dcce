// `npm pack` gives a package that works installed into an empty directory:
// the native add-on from its prebuild and the WASM build, with no install
// script and nothing compiled on the consumer's machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('npm pack, install into an empty project, run on both backends', { timeout: 600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'adcp-pack-'));
  const tgz = execFileSync('npm', ['pack', '--pack-destination', out, '--silent'], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1);
  const app = join(out, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(out, tgz)], { cwd: app, stdio: 'inherit' });
  const pkg = join(app, 'node_modules', 'adcp-governance');
  assert.ok(readdirSync(join(pkg, 'prebuilds')).length > 0);
  writeFileSync(join(app, 'main.mjs'), `
    import { createGovernanceAgent } from 'adcp-governance';
    import * as wasm from 'adcp-governance/wasm';
    import { createOutcomesHandler } from 'adcp-governance/http';
    import { toGovernanceAgentConfig } from 'adcp-governance/sdk';
    import { createTestGovernanceAgent } from 'adcp-governance/testing';
    const results = {};
    const stub = await createTestGovernanceAgent({ plans: [{ plan_id: 'p', brand: { domain: 'a.example' }, objectives: 'x',
      budget: { total: 100, currency: 'USD', reallocation_unlimited: true },
      flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] });
    const viaShim = await stub.agentConfig()._inProcessMcpClient.callTool({ name: 'check_governance', arguments: {
      adcp_major_version: 3, plan_id: 'p', caller: 'https://buyer.example/', tool: 'create_media_buy',
      payload: { total_budget: { amount: 500, currency: 'USD' } } } });
    results.testing = viaShim.structuredContent.status;
    results.sdk = typeof toGovernanceAgentConfig;
    stub.dispose();
    for (const [name, make] of [['default', createGovernanceAgent], ['wasm', wasm.createGovernanceAgent]]) {
      const agent = await make({ issuer: 'https://governance.example.com' });
      agent.syncPlans({ idempotency_key: 'consumer-sync-000001', plans: [{ plan_id: 'p', brand: { domain: 'a.example' },
        objectives: 'x', budget: { total: 100, currency: 'USD', reallocation_unlimited: true },
        flight: { start: '2026-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, 'https://buyer.example.com');
      const r = agent.checkGovernance({ caller: 'https://buyer.example.com', plan_id: 'p', target_agent: 'https://s.example.com',
        tool: 'create_media_buy', payload: { total_budget: 10 } }, 'https://buyer.example.com');
      const outcomes = createOutcomesHandler({ agent, internalApiKey: 'k' });
      const recorded = await outcomes(new Request('http://app.local/api/outcomes', { method: 'POST',
        headers: { authorization: 'Bearer k' }, body: JSON.stringify({ outcomeType: 'deal_closed', title: 't', userId: 1 }) }));
      results[name] = { backend: agent.backend, verdict: r.response.verdict, jwk: agent.publicJwk().kty, outcome: recorded.status };
      agent.dispose();
    }
    console.log(JSON.stringify(results));
  `);
  const printed = JSON.parse(execFileSync('node', ['main.mjs'], { cwd: app, encoding: 'utf8' }).trim());
  assert.deepEqual(printed, {
    testing: 'denied',
    sdk: 'function',
    default: { backend: 'native', verdict: 'approved', jwk: 'OKP', outcome: 200 },
    wasm: { backend: 'wasm', verdict: 'approved', jwk: 'OKP', outcome: 200 },
  });
  // CommonJS consumers get the same API.
  writeFileSync(join(app, 'main.cjs'), `
    const { createGovernanceAgent } = require('adcp-governance');
    createGovernanceAgent({ issuer: 'https://governance.example.com' }).then((a) => console.log(a.backend));
  `);
  assert.equal(execFileSync('node', ['main.cjs'], { cwd: app, encoding: 'utf8' }).trim(), 'native');
});
