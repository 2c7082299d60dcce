// The governed-buy loop on the native add-on and on WASM, as a plan's
// history grows: intent check, completed outcome, delivery statement check,
// delivery observation. Prints operations per second, per-call cost growth,
// heap per stored entry and the WASM size. Not part of the test suite.
//
//   node bench/loop-bench.mjs [--sizes 0,10000,100000] [--measure 1000] [--backends native,wasm]
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createGovernanceAgent, canonicalize } from '../js/node.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const sizes = (args.sizes ?? '0,10000,100000').split(',').map(Number);
const measure = Number(args.measure ?? 1000);
const backends = (args.backends ?? 'native,wasm').split(',');
const BUYER = 'https://buyer.example.com', SELLER = 'https://seller.example.com';

// A cheap stand-in signer: the host's signing cost is not the core's.
const sign = (input) => createHash('sha512').update(input).digest('base64url');

function loop(agent, i) {
  const t = [];
  let start = process.hrtime.bigint();
  const lap = () => { const now = process.hrtime.bigint(); t.push(Number(now - start)); start = now; };
  const c = agent.checkGovernance({ caller: BUYER, plan_id: 'bench', target_agent: SELLER, tool: 'create_media_buy',
    payload: { total_budget: 100, account: { account_id: `acc_${i}` } } }, BUYER).response;
  lap();
  agent.reportPlanOutcome({ idempotency_key: `bench-outcome-key-${i}`, plan_id: 'bench', check_id: c.check_id,
    governance_context: c.governance_context, outcome: 'completed', seller_response: { seller_reference: `mb_${i}` } }, BUYER);
  lap();
  const metrics = { statement_id: `st_${i}`, sequence: 1, issued_at: '2026-01-02T00:00:00Z',
    reporting_period: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }, cumulative_spend: 50, currency: 'USD' };
  metrics.statement_digest = 'sha256:' + createHash('sha256').update(canonicalize({ seller_reference: `mb_${i}`, delivery_metrics: metrics })).digest('hex');
  const d = agent.checkGovernance({ caller: SELLER, governance_context: c.governance_context, phase: 'delivery',
    planned_delivery: { media_buy_id: `mb_${i}` }, delivery_metrics: metrics }, SELLER).response;
  lap();
  agent.reportPlanOutcome({ idempotency_key: `bench-observation-key-${i}`, plan_id: 'bench', check_id: d.check_id,
    governance_context: d.governance_context, outcome: 'delivery', delivery: { observation_id: `obs_${i}`,
      source: 'buyer_measurement', observed_at: '2026-01-02T00:00:00Z', reporting_period: metrics.reporting_period,
      cumulative_spend: 50, currency: 'USD' } }, BUYER);
  lap();
  return t;
}

async function run(backend, prior) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const agent = await createGovernanceAgent({ backend, issuer: 'https://governance.example.com', signing: { kid: 'bench' },
    sign, clock: () => now, delivery_reporting_interval_seconds: 0 });
  agent.syncPlans({ idempotency_key: 'bench-sync-000000001', plans: [{ plan_id: 'bench', brand: { domain: 'bench.example' },
    objectives: 'bench', budget: { total: 1e15, currency: 'USD', reallocation_unlimited: true },
    flight: { start: '2025-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } }] }, BUYER);
  const loops = Math.ceil(prior / 4);  // four entries (checks and outcomes) per loop
  global.gc?.();
  const heapBefore = process.memoryUsage();
  for (let i = 0; i < loops; ++i) { loop(agent, i); now += 1; }
  global.gc?.();
  const heapAfter = process.memoryUsage();
  const sums = [0, 0, 0, 0];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < measure; ++i) { loop(agent, loops + i).forEach((v, k) => (sums[k] += v)); now += 1; }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // Both backends keep state outside the JS heap: the add-on in malloc'd memory, the WASM build in its
  // linear memory (not counted in arrayBuffers), so resident set growth measures either.
  const grown = heapAfter.rss - heapBefore.rss;
  agent.dispose();
  return { calls_per_s: (measure * 4) / seconds, per_call_us: sums.map((s) => s / measure / 1000),
           bytes_per_entry: loops ? grown / (loops * 4) : 0 };
}

const wasm = readFileSync(new URL('../dist/core.wasm', import.meta.url));
console.log(`WASM module: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} bytes gzipped`);
console.log('backend  prior entries  calls/s   intent µs  outcome µs  delivery µs  observe µs  loop µs  growth  bytes/entry');
for (const backend of backends) {
  let base = 0;
  for (const prior of sizes) {
    const r = await run(backend, prior);
    const loopUs = r.per_call_us.reduce((a, b) => a + b, 0);
    base ||= loopUs;
    console.log(`${backend.padEnd(8)} ${String(prior).padStart(13)} ${r.calls_per_s.toFixed(0).padStart(8)} ` +
      r.per_call_us.map((v) => v.toFixed(1).padStart(10)).join('  ') +
      ` ${loopUs.toFixed(1).padStart(8)} ${(loopUs / base).toFixed(2).padStart(6)}x ${r.bytes_per_entry.toFixed(0).padStart(12)}`);
  }
}
