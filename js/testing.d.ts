// Types of adcp-governance/testing.
import type { AgentOptions, Backend, CoreResult, GovernanceAgent, Plan } from './index.js';
import type { InProcessAgentConfig, InProcessMcpClient } from './sdk.js';

export interface TestGovernanceOptions extends Partial<AgentOptions> {
  backend?: Backend;
  /** Synced at creation, owned by `callerUrl`. */
  plans?: Plan[];
  /** The orchestrator identity (default https://buyer.example/). */
  callerUrl?: string;
  /** Start of the fixed clock (default 2026-01-01T00:00:00.000Z). */
  now?: number | string;
  /** Seeds id randomness and the Ed25519 signing key (default 1). */
  seed?: number;
}

export interface LoggedCall {
  tool: string;
  identity: string;
  arguments: Record<string, unknown>;
  result: CoreResult;
  at: string;
}

export interface TestGovernanceAgent {
  readonly agent: GovernanceAgent;
  readonly callerUrl: string;
  agentConfig(identity?: string, options?: { agentId?: string; agentName?: string }): InProcessAgentConfig;
  mcpClient(identity?: string): InProcessMcpClient;
  call(tool: string, args: Record<string, unknown>, identity?: string): CoreResult;
  publicJwk(): Record<string, unknown> | null;
  jwks(): { keys: Array<Record<string, unknown> | null> };
  getCallLog(): LoggedCall[];
  getCallsForTool(tool: string): LoggedCall[];
  hasGovernanceContext(tool?: string): boolean;
  clearCallLog(): void;
  clock: { now(): number; advance(ms: number): number; set(t: number | string): number };
  resolveEscalation(taskId: string, decision?: 'approve' | 'reject', reviewer?: string): CoreResult;
  auditLogs(planIds: string[], identity?: string): CoreResult;
  dispose(): void;
}

export function createTestGovernanceAgent(options?: TestGovernanceOptions): Promise<TestGovernanceAgent>;
