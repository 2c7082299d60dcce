// Compiles against the package's hand-written declarations (js/*.d.ts) the
// way a TypeScript consumer would import them; `tsc --noEmit` must pass, and
// the @ts-expect-error lines must be errors (wrong field names or types).
import { createGovernanceAgent, openGovernanceAgent, fileStore, type CheckGovernanceResponse, type OutcomeItem, type ValueSummary } from 'adcp-governance';
import { createOutcomesHandler, toNodeListener } from 'adcp-governance/http';
import { toCampaignGovernancePlatform, toGovernanceAgentConfig, type InProcessAgentConfig } from 'adcp-governance/sdk';
import { createMcpHandler } from 'adcp-governance/mcp';
import { createTestGovernanceAgent } from 'adcp-governance/testing';

async function main(): Promise<void> {
  const agent = await createGovernanceAgent({ issuer: 'https://governance.example.com', backend: 'wasm', id_mode: 'sequential' });
  const check = agent.checkGovernance({ caller: 'https://buyer.example', plan_id: 'p', target_agent: 'https://seller.example',
    tool: 'create_media_buy', payload: { total_budget: 10 } }, 'https://buyer.example');
  if (check.status === 'completed') {
    const body: CheckGovernanceResponse = check.response;
    const verdict: 'approved' | 'denied' | 'conditions' = body.verdict;
    void verdict;
  }
  // Change sets (issue 11) and durable agents (issue 12).
  const changeSet: string | null = agent.lastChangeSet();
  if (changeSet) agent.applyChangeSet(changeSet);
  const durable = await openGovernanceAgent({ issuer: 'https://governance.example.com', store: fileStore('data', { fsync: 'group' }),
    onChange: (text: string) => void text });
  const durableCheck = await durable.checkGovernance({ caller: 'https://buyer.example', plan_id: 'p',
    target_agent: 'https://seller.example', tool: 'create_media_buy', payload: { total_budget: 10 } }, 'https://buyer.example');
  if (durableCheck.status === 'completed') void durableCheck.response.verdict;
  // @ts-expect-error: a durable agent's answers are Promises
  const notAwaited: { status: string } = durable.checkGovernance({ caller: 'x', plan_id: 'p', tool: 't', payload: {} }, 'x');
  void notAwaited;
  // @ts-expect-error: fsync is always, group or never
  fileStore('data', { fsync: 'sometimes' });
  await durable.close();
  const recorded = agent.recordOutcome({ outcomeType: 'deal_closed', title: 'x', valueUsd: 5 }, { mode: 'session', user_id: 1 });
  if (recorded.status === 'completed') void recorded.response.id;
  // @ts-expect-error: not one of the six outcome types
  agent.recordOutcome({ outcomeType: 'sale', title: 'x' }, { mode: 'bearer' });
  // @ts-expect-error: the session form needs user_id
  agent.listOutcomes({}, { mode: 'session' });
  const list = agent.listOutcomes({ limit: 20 }, { mode: 'session', user_id: 1 });
  if (list.status === 'completed') {
    const item: OutcomeItem = list.response.outcomes[0];
    const value: number | null = item.value_usd;
    void value;
  }
  const summary = agent.getValueSummary({}, { mode: 'session', user_id: 1, agent_url: 'https://buyer.example' });
  if (summary.status === 'completed') {
    const s: ValueSummary = summary.response;
    const ratio: number | null = s.plans[0].value_to_spend;
    void ratio;
  }
  const handler = createOutcomesHandler({ agent, internalApiKey: 'k', resolveSession: () => null });
  const listener = toNodeListener(handler);
  void listener;
  const config: InProcessAgentConfig = toGovernanceAgentConfig(agent, { callerUrl: 'https://buyer.example' });
  void config._inProcessMcpClient.callTool({ name: 'get_plan_audit_logs', arguments: { plan_ids: ['p'] } });
  const mcp = createMcpHandler({ tenants: { default: agent } }, {
    authenticate: (request) => (request.headers.get('authorization') === 'Bearer t' ? { agent_url: 'https://buyer.example' } : null),
  });
  const response: Promise<Response> = mcp(new Request('http://127.0.0.1/mcp', { method: 'POST' }));
  void response;
  // @ts-expect-error: authenticate is required (identity comes only from the host's credential)
  createMcpHandler(agent, {});
  class AdcpError extends Error { constructor(code: string, options: { message: string }) { super(options.message); void code; } }
  const platform = toCampaignGovernancePlatform(agent, { AdcpError });
  void platform.checkGovernance({ plan_id: 'p', caller: 'https://buyer.example' }, { agent: { agent_url: 'https://buyer.example' } });
  void platform.customTools.report_plan_adjustment.handler;
  const stub = await createTestGovernanceAgent({ seed: 3, now: '2026-01-01T00:00:00Z' });
  stub.clock.advance(1000);
  const calls: number = stub.getCallsForTool('check_governance').length;
  void calls;
  stub.dispose();
  agent.dispose();
}
void main;

// adcp-governance/postgres (issue 14): a tenant's store over a shared pool.
import { createPool, postgresStore } from 'adcp-governance/postgres';
export async function scaleOut(url: string) {
  const pool = await createPool(url, { max: 4 });
  const agent = await openGovernanceAgent({ issuer: 'https://governance.example.com',
    store: postgresStore({ pool, tenant: 'acme', snapshotEvery: 500, lockTimeoutMs: 2000 }) });
  // @ts-expect-error -- the schema is a string
  postgresStore({ pool, schema: 7 });
  await agent.close();
  await pool.end();
}
