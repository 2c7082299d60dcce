// Types of adcp-governance/http: the outcomes ledger over HTTP (spec 11).
import type { GovernanceAgent, OutcomesAuth } from './index.js';

export interface OutcomesHandlerOptions {
  agent: GovernanceAgent;
  /** The internal API key accepted as `Authorization: Bearer <key>` (compared in constant time). */
  internalApiKey?: string;
  /** The signed-in user of a request (e.g. from a session cookie), or null. */
  resolveSession?(request: Request):
    | number | { user_id: number; agent_url?: string } | null
    | Promise<number | { user_id: number; agent_url?: string } | null>;
  /** Orchestrator identity of bearer callers, for value-summary joins with plans. */
  bearerAgentUrl?: string;
  /**
   * Called with each new record before it is acknowledged (e.g. append to a journal). A throw answers
   * 500 `{"error":"Failed to record outcome"}`; a keyed retry persists it again before acknowledging.
   */
  persist?(entry: { task: 'record_outcome'; request: Record<string, unknown>; auth: OutcomesAuth;
                    result: Record<string, unknown> }): void | Promise<void>;
  /** Default `/api/outcomes`. */
  basePath?: string;
}

/** `POST /api/outcomes`, `GET /api/outcomes`, `GET /api/outcomes/summary` as a fetch handler. */
export function createOutcomesHandler(options: OutcomesHandlerOptions): (request: Request) => Promise<Response>;

/** Adapts a fetch handler to `http.createServer((req, res) => ...)`. */
export function toNodeListener(handler: (request: Request) => Promise<Response>):
  (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
