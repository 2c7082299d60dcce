// Kill test (issue 12): a child process runs governed buys on a fileStore
// and streams every acknowledged answer; the parent SIGKILLs it at random
// moments (24 times) and, after every kill, opens the same directory and
// checks that nothing acknowledged was lost: every acknowledged check and
// outcome is in the state, committed budget equals the sum of acknowledged
// settlements, an acknowledged outcome sent again replays instead of
// settling twice, and the interrupted outcome, sent again, settles once.
// Bounded: 24 kills, each within 400 ms of the child being ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../../js/node.js';
import { seededRandom } from '../../js/seeded-random.js';

const backend = process.env.GOV_BACKEND ?? 'native';
const fsync = process.env.ADCP_KILL_FSYNC ?? 'always';
const CHILD = fileURLToPath(new URL('./lib/kill-child.mjs', import.meta.url));
const BUYER = 'https://buyer.example.com';
const KILLS = 24;

function runChild(dir, first, killAfterMs) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CHILD, dir, String(first), fsync, backend], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    let buffer = '', stderr = '', timer = null;
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (line.kind === 'ready' && !timer) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') fail(new Error(`child exited ${code} ${signal}: ${stderr}`));
      else done(lines);  // a partial last line is an unacknowledged answer
    });
  });
}

const openVerifier = (dir) => api.openGovernanceAgent({
  backend, issuer: 'https://governance.example.com', id_mode: 'random', log: () => {},
  signing: { privateKey: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', kid: 'kill-test' },
  store: api.fileStore(dir, { snapshotEvery: 40, log: () => {} }),
});

const outcomeRequest = (ack) => ({ idempotency_key: `kill-outcome-${String(ack.i).padStart(8, '0')}`, plan_id: 'p1',
  check_id: ack.check_id, governance_context: ack.token, outcome: 'completed', seller_response: { seller_reference: `mb_${ack.i}` } });

test(`[${backend}] SIGKILL at random moments never loses an acknowledged decision (fsync ${fsync})`, { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'adcp-kill-'));
  const random = seededRandom(0x6b696c6cn);
  const acknowledgedChecks = new Map(), settled = new Map();
  let next = 0, interruptedOutcomes = 0;
  for (let kill = 0; kill < KILLS; ++kill) {
    const lines = await runChild(dir, next, 20 + (random(2)[0] * 256 + random(1)[0]) % 380);
    for (const l of lines) {
      if (l.kind === 'check') acknowledgedChecks.set(l.check_id, l);
      if (l.kind === 'outcome') settled.set(l.key, { ...acknowledgedChecks.get(l.check_id), ...l });
      if (l.i !== undefined) next = Math.max(next, l.i + 1);
    }
    const verifier = await openVerifier(dir);
    const state = JSON.parse(verifier.exportState());
    const checkIds = new Set(state.checks.map((c) => c.check_id));
    const outcomeIds = new Set(state.outcomes.map((o) => o.outcome_id));
    for (const id of acknowledgedChecks.keys()) assert.ok(checkIds.has(id), `kill ${kill}: acknowledged check ${id} lost`);
    for (const o of settled.values()) assert.ok(outcomeIds.has(o.outcome_id), `kill ${kill}: acknowledged outcome ${o.outcome_id} lost`);
    // The interrupted buy: its check was acknowledged, its outcome was not.
    for (const ack of acknowledgedChecks.values()) {
      const key = outcomeRequest(ack).idempotency_key;
      if (settled.has(key)) continue;
      const r = await verifier.reportPlanOutcome(outcomeRequest(ack), BUYER);
      assert.equal(r.status, 'completed', JSON.stringify(r));
      settled.set(key, { ...ack, key, outcome_id: r.response.outcome_id });
      ++interruptedOutcomes;
    }
    // An acknowledged outcome sent again replays; it does not settle twice.
    const sample = [...settled.values()][(random(1)[0] * 7) % settled.size];
    const again = await verifier.reportPlanOutcome(outcomeRequest(sample), BUYER);
    assert.equal(again.replayed, true, `kill ${kill}: the retried outcome did not replay: ${JSON.stringify(again)}`);
    assert.equal(again.response.outcome_id, sample.outcome_id);
    const audit = await verifier.getPlanAuditLogs({ plan_ids: ['p1'] }, BUYER);
    const expected = [...settled.values()].reduce((sum, o) => sum + o.amount, 0);
    assert.equal(audit.response.plans[0].budget.committed, expected, `kill ${kill}: committed budget`);
    await verifier.close();
  }
  assert.ok(settled.size > KILLS, `only ${settled.size} governed buys`);
  console.log(`# ${KILLS} kills, ${acknowledgedChecks.size} acknowledged checks, ${settled.size} settled, ` +
    `${interruptedOutcomes} interrupted outcomes settled once on retry`);
  rmSync(dir, { recursive: true });
});
