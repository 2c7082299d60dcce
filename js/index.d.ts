// Hand-written types of adcp-governance. Field names are the spec's
// (../shared/spec, AdCP 3.2 governance surface); shapes mirror the AdCP
// JSON schemas without copying them.

export type Backend = 'auto' | 'native' | 'wasm';
export type Mode = 'audit' | 'advisory' | 'enforce';
export type PurchaseType = 'media_buy' | 'rights_license' | 'signal_activation' | 'creative_services';
export type Channel =
  | 'display' | 'olv' | 'social' | 'search' | 'ctv' | 'linear_tv' | 'radio' | 'streaming_audio' | 'podcast' | 'dooh'
  | 'ooh' | 'print' | 'cinema' | 'email' | 'gaming' | 'retail_media' | 'influencer' | 'affiliate'
  | 'product_placement' | 'sponsored_intelligence';
export type Severity = 'info' | 'warning' | 'critical';
export type Verdict = 'approved' | 'denied' | 'conditions';
export type JsonObject = { [key: string]: unknown };

/** Host-resolved identity: `{agent_url}` (or the URL alone). The core never trusts identity in request bodies. */
export type Auth = string | { agent_url?: string; protocol?: '3.0' | '3.1' | '3.2' } | OutcomesAuth | null | undefined;

/**
 * Outcomes-ledger identity (spec 11 §2), resolved by the host: `bearer` after it checked the internal API key
 * (userId/agentId then come from the body), `session` with the signed-in user's id. `agent_url` is the user's
 * orchestrator identity; only plans it owns or is an active delegate of are joined in a value summary.
 */
export type OutcomesAuth =
  | { mode: 'bearer'; agent_url?: string }
  | { mode: 'session'; user_id: number; agent_url?: string };

export interface Money { amount: number; currency: string }

export interface PolicyEntry {
  policy_id: string;
  enforcement: 'must' | 'should' | 'may';
  policy: string;
  source?: 'registry' | 'inline';
  name?: string;
  description?: string;
  requires_human_review?: boolean;
  [key: string]: unknown;
}

export interface Plan {
  plan_id: string;
  brand: { domain: string; brand_id?: string; countries?: string[]; industries?: string[];
           data_subject_contestation?: { url?: string; email?: string; languages?: string[] }; brand_kit_override?: JsonObject };
  objectives: string;
  budget: {
    total: number; currency: string; accounting_mode?: 'gross_commitment' | 'verified_net_cost';
    reallocation_threshold?: number; reallocation_unlimited?: true; per_seller_max_pct?: number;
    allocations?: Partial<Record<PurchaseType, { amount?: number; max_pct?: number }>>;
  };
  flight: { start: string; end: string };
  channels?: { required?: Channel[]; allowed?: Channel[]; mix_targets?: Partial<Record<Channel, { min_pct?: number; max_pct?: number }>> };
  countries?: string[];
  regions?: string[];
  policy_ids?: string[];
  policy_categories?: string[];
  audience?: { include?: JsonObject[]; exclude?: JsonObject[] };
  restricted_attributes?: string[];
  restricted_attributes_custom?: string[];
  min_audience_size?: number;
  human_review_required?: boolean;
  custom_policies?: PolicyEntry[];
  approved_sellers?: string[] | null;
  delegations?: Array<{ agent_url: string; authority: 'full' | 'execute_only' | 'propose_only'; budget_limit?: Money;
                        markets?: string[]; expires_at?: string }>;
  portfolio?: { member_plan_ids: string[]; total_budget_cap?: Money; shared_policy_ids?: string[]; shared_exclusions?: PolicyEntry[] };
  ext?: JsonObject;
}

interface Envelope { context?: JsonObject; ext?: JsonObject; adcp_version?: string; adcp_major_version?: number }

export interface SyncPlansRequest extends Envelope { idempotency_key: string; plans: Plan[] }
export interface SyncPlansResponse {
  plans: Array<{ plan_id: string; status: 'active' | 'error'; version: number;
                 categories?: Array<{ category_id: string; status: 'active' | 'inactive' }>;
                 resolved_policies?: Array<{ policy_id: string; source: 'explicit' | 'auto_applied'; enforcement: 'must' | 'should' | 'may'; reason?: string }> }>;
  replayed?: boolean;
  context?: JsonObject;
}

export interface PlannedDelivery {
  media_buy_id?: string; proposal_id?: string; proposal_terms_digest?: string;
  geo?: { countries?: string[]; regions?: string[] }; channels?: Channel[];
  start_time?: string; end_time?: string; total_budget?: number; currency?: string;
  [key: string]: unknown;
}

export interface DeliveryMetrics {
  statement_id: string; statement_digest: string; sequence: number; issued_at: string;
  reporting_period: { start: string; end: string }; spend?: number; cumulative_spend: number; currency: string;
  impressions?: number; cumulative_impressions?: number; geo_distribution?: Record<string, number>;
  channel_distribution?: Record<string, number>; pacing?: 'ahead' | 'on_track' | 'behind';
  audience_distribution?: JsonObject;
}

export interface CheckGovernanceRequest extends Envelope {
  caller: string;
  plan_id?: string;
  purchase_type?: PurchaseType;
  target_agent?: string;
  tool?: string;
  payload?: JsonObject;
  proposed_commitment?: Money;
  proposal?: JsonObject;
  consultation_context?: string;
  governance_context?: string;
  phase?: 'purchase' | 'modification' | 'delivery';
  governance_phase?: 'purchase' | 'modification' | 'delivery';
  planned_delivery?: PlannedDelivery;
  execution_commitment?: Money;
  delivery_metrics?: DeliveryMetrics;
  modification_summary?: string;
  runtime_attestations?: JsonObject[];
  invoice_recipient?: JsonObject;
}

export interface Finding {
  category_id: string; severity: Severity; explanation: string; policy_id?: string; source_plan_id?: string;
  details?: JsonObject; confidence?: number; uncertainty_reason?: string; attestation_reference_digest?: string;
}
export interface Condition { field: string; required_value?: unknown; reason: string }

export interface CheckGovernanceResponse {
  check_id: string; check_type: 'intent' | 'execution'; verdict: Verdict; plan_id?: string; explanation: string;
  findings?: Finding[]; conditions?: Condition[]; consultation_context?: string;
  categories_evaluated: string[]; policies_evaluated: string[]; mode: Mode;
  expires_at?: string; governance_context?: string; next_check?: string;
  delivery_statement?: JsonObject; runtime_attestation_evaluations?: JsonObject[];
  runtime_attestation_binding_digest?: string; context?: JsonObject;
}

export interface ReportPlanOutcomeRequest extends Envelope {
  idempotency_key: string; plan_id: string; check_id: string; governance_context: string;
  outcome: 'completed' | 'failed' | 'delivery'; purchase_type?: PurchaseType;
  seller_response?: { seller_reference?: string; committed_budget?: number; packages?: Array<{ budget?: number; [k: string]: unknown }>;
                      planned_delivery?: PlannedDelivery; creative_deadline?: string; [k: string]: unknown };
  error?: { code?: string; message?: string };
  delivery?: { observation_id: string; source: 'seller_statement_copy' | 'buyer_measurement'; observed_at: string;
               reporting_period: { start: string; end: string }; cumulative_spend: number; currency: string;
               seller_statement_id?: string; seller_statement_digest?: string; period_closed?: boolean; impressions?: number };
}
export interface ReportPlanOutcomeResponse {
  outcome_id: string; outcome_state: 'accepted' | 'findings'; committed_budget?: number;
  delivery_reconciliation_status?: 'consistent' | 'measurement_variance' | 'disputed' | 'closed_unresolved';
  delivery_period_state?: 'open' | 'closed';
  findings?: Array<Pick<Finding, 'category_id' | 'severity' | 'explanation' | 'details'>>;
  plan_summary?: { total_committed: number; budget_remaining: number };
  replayed?: boolean; context?: JsonObject;
}

export interface ReportPlanAdjustmentRequest extends Envelope {
  idempotency_key: string; action: 'report' | 'review'; plan_id: string;
  outcome_id?: string; seller_reference?: string; seller_adjustment_id?: string;
  adjustment_type?: 'decommitment' | 'refund' | 'credit' | 'makegood'; amount?: Money; reason?: string; effective_at?: string;
  evidence?: { evidence_id: string; evidence_type: 'decommitment_agreement' | 'refund_settlement' | 'credit_note' | 'makegood_agreement'; digest: string; issued_at: string };
  adjustment_id?: string; decision?: 'accept' | 'dispute';
}
export interface ReportPlanAdjustmentResponse {
  adjustment_id: string; adjustment_state: 'reported' | 'verified' | 'disputed';
  adjustment_type: 'decommitment' | 'refund' | 'credit' | 'makegood'; amount: Money; headroom_restored: number;
  plan_summary: { accounting_mode: 'gross_commitment' | 'verified_net_cost'; gross_committed: number; adjustments_reported: number;
                  adjustments_verified: number; net_cost: number; headroom_restored: number; ledger_committed: number;
                  net_committed: number; budget_remaining: number };
  replayed?: boolean; context?: JsonObject;
}

export interface GetPlanAuditLogsRequest extends Envelope {
  plan_ids?: string[]; portfolio_plan_ids?: string[]; governance_contexts?: string[];
  purchase_types?: PurchaseType[]; include_entries?: boolean; idempotency_key?: string;
}
export interface GetPlanAuditLogsResponse {
  plans: Array<{
    plan_id: string; plan_version: number; status: 'active' | 'suspended' | 'completed';
    budget: { authorized: number; accounting_mode: string; gross_committed: number; adjustments_reported: number;
              adjustments_verified: number; net_cost: number; headroom_restored: number; ledger_committed: number;
              net_committed: number; committed: number; remaining: number; utilization_pct: number };
    channel_allocation: Record<string, { committed: number; pct: number }>;
    governed_actions: JsonObject[];
    summary: JsonObject;
    entries?: JsonObject[];
  }>;
  ext?: { adcp_governance?: { holds?: JsonObject[]; pages?: Array<{ plan_id: string; next_cursor: string }> } };
  context?: JsonObject;
}

export interface TaskError { code: string; message: string; recovery: 'transient' | 'correctable' | 'terminal'; field?: string;
                             issues?: Array<{ pointer: string; message: string; keyword: string }>; details?: JsonObject }

/** What every call returns (spec README "CoreResult"). */
// ---- Outcomes ledger (spec 11): camelCase request as the seed, snake_case items.

export type OutcomeType =
  | 'negotiation_complete' | 'amplification_complete' | 'deal_closed' | 'broadcast_complete' | 'task_complete'
  | 'content_published';

export interface RecordOutcomeRequest {
  outcomeType: OutcomeType;
  /** 1–200 UTF-16 code units (JavaScript `length`); longer is refused, never truncated. */
  title: string;
  /** At most 1000 UTF-16 code units. */
  description?: string | null;
  /** Estimated value in USD, 0 … 1e12, kept exactly as given. */
  valueUsd?: number | null;
  agentId?: number | null;
  /** Honoured under bearer auth only. */
  userId?: number | null;
  /** At most 16384 bytes as canonical JSON; `metadata.plan_id` links the record to a governance plan. */
  metadata?: JsonObject | null;
  /** 16–255 of [A-Za-z0-9_.:-]: a retry with the same key and body returns the first result. */
  idempotencyKey?: string;
}
/** `id` only under session auth (as the seed). */
export interface RecordOutcomeResponse { ok: true; id?: string }

export interface ListOutcomesRequest {
  /** Default 20; above 50 is clamped to 50; below 1 is a VALIDATION_ERROR. Digit strings accepted. */
  limit?: number | string;
  /** The id of the last item of the previous page. */
  before?: string;
}
export interface OutcomeItem {
  id: string;
  user_id: number | null;
  agent_id: number | null;
  outcome_type: OutcomeType;
  title: string;
  description: string | null;
  value_usd: number | null;
  metadata: JsonObject | null;
  /** ISO 8601 UTC with milliseconds. */
  created_at: string;
}
export interface ListOutcomesResponse { outcomes: OutcomeItem[] }

/** Under bearer auth `user_id` is required; under session it is the session user. */
export interface GetValueSummaryRequest { user_id?: number | string }
export interface ValueTotals { count: number; value_usd: number }
export interface ValueSummary {
  user_id: number;
  count: number;
  value_usd: number;
  by_outcome_type: Partial<Record<OutcomeType, ValueTotals>>;
  /** Keyed by the agent id as a string, or "null". */
  by_agent_id: Record<string, ValueTotals>;
  /** Plans linked by `metadata.plan_id`; figures are null unless the caller's `agent_url` may see the plan. */
  plans: Array<{ plan_id: string; currency: string | null; committed: number | null; value_usd: number;
                 value_to_spend: number | null }>;
}

export type CoreResult<T = JsonObject> =
  | { status: 'completed'; response: T; replayed: boolean; protocol?: string }
  | { status: 'submitted'; task_id: string; context?: JsonObject }
  | { status: 'failed'; errors: [TaskError]; context?: JsonObject; legacy_denial?: JsonObject; protocol?: string };

export interface Hooks {
  resolveBrand?(brandRef: JsonObject): { resolvable: boolean; industries?: string[]; data_subject_contestation?: JsonObject };
  resolvePolicies?(plan: Plan): Array<{ policy_id: string; enforcement?: 'must' | 'should' | 'may'; reason?: string; requires_human_review?: boolean }>;
  evaluatePolicies?(context: JsonObject): { findings?: Finding[]; conditions?: Condition[] };
  evaluateAttestation?(reference: JsonObject, context: JsonObject): JsonObject;
  /**
   * Off-protocol human approval (`ext.human_approval` on an intent check that
   * would go to review): return {verified: true} only for approvals the host
   * vouches for (a signature of an approver it trusts, a known ticket). Without
   * this hook, or when it says no, the approval is ignored with an info finding.
   */
  verifyHumanApproval?(input: { approval: JsonObject; plan_id: string; owner: string; caller: string; tool: string; payload: JsonObject }): { verified: boolean };
}

export interface AgentOptions {
  /** `auto` (default): the native add-on in Node, else WASM. */
  backend?: Backend;
  /** Where core.wasm is served when a bundler moved it (browsers; default: next to the package's js/). */
  wasmUrl?: string | URL;
  /** https URL: token `iss` and `evaluated_by`. */
  issuer: string;
  /** Signing key: a base64url Ed25519 seed, a JWK or PEM (Node), or omitted for an ephemeral key. */
  signing?: { kid?: string; alg?: 'EdDSA' | 'ES256'; privateKey?: string | JsonObject; publicKey?: string; publicJwk?: JsonObject };
  /** A host signer (KMS): returns the base64url signature of `signingInput`. Needs `signing.kid`. */
  sign?(signingInput: string, alg: string, kid: string): string;
  /** Milliseconds since the epoch (default Date.now). */
  clock?(): number;
  /** Exactly n random bytes (default crypto). */
  random?(n: number): Uint8Array;
  /** A state exported by `exportState()`, to restore: text, the parsed object, or its UTF-8 bytes. */
  state?: string | JsonObject | Uint8Array;
  /**
   * Called synchronously with the change set (canonical JSON text) of every
   * call that changed the state, before the call returns (issue 11). A
   * journal or database persists it without knowing any task.
   */
  onChange?(changeSet: string): void;
  hooks?: Hooks;
  /** Spec configuration keys (README "Configuration"), also accepted at the top level. */
  config?: JsonObject;
  default_mode?: Mode;
  intent_token_ttl_seconds?: number;
  execution_token_ttl_seconds?: number;
  delivery_reporting_interval_seconds?: number;
  consultation_ttl_seconds?: number;
  max_consultation_attempts?: number;
  escalation_timeout_seconds?: number;
  low_confidence_threshold?: number;
  aggregation_window_days?: number | null;
  replay_ttl_seconds?: number;
  budget_reduction_below_committed?: 'reject' | 'accept_with_finding';
  industry_triggers_human_review?: boolean;
  geo_drift_tolerance_pct?: number;
  drift?: { thresholds?: JsonObject; min_checks?: number; trend_min_checks?: number; trend_epsilon?: number };
  runtime_attestations?: { signal_activation?: { requirement: 'optional' | 'required'; claim_types: string[] } };
  budget_holds?: boolean;
  protocol?: 'auto' | '3.0' | '3.2';
  id_mode?: 'random' | 'sequential';
  allow_unsigned_tokens?: boolean;
  compat?: { accept_missing_idempotency_key?: boolean; accept_legacy_delivery_snapshot?: boolean; legacy_body_status?: boolean };
  max_request_bytes?: number;
  delivery_variance_tolerance?: number;
}

export interface Utilities {
  canonicalize(value: unknown): string;
  planHash(plan: unknown): string;
  payloadHash(payload: JsonObject | string): string;
  statementDigest(sellerReference: string, deliveryMetrics: JsonObject | string): string;
  toWire(coreResult: CoreResult | string): JsonObject;
  validate(task: string, request: JsonObject | string): CoreResult<{ valid: true }>;
}

export interface GovernanceAgent extends Utilities {
  readonly backend: 'native' | 'wasm';
  syncPlans(request: SyncPlansRequest, auth: Auth): CoreResult<SyncPlansResponse>;
  checkGovernance(request: CheckGovernanceRequest, auth: Auth): CoreResult<CheckGovernanceResponse>;
  reportPlanOutcome(request: ReportPlanOutcomeRequest, auth: Auth): CoreResult<ReportPlanOutcomeResponse>;
  reportPlanAdjustment(request: ReportPlanAdjustmentRequest, auth: Auth): CoreResult<ReportPlanAdjustmentResponse>;
  getPlanAuditLogs(request: GetPlanAuditLogsRequest, auth: Auth): CoreResult<GetPlanAuditLogsResponse>;
  /** Outcomes ledger (spec 11): record value delivered. */
  recordOutcome(request: RecordOutcomeRequest, auth: OutcomesAuth): CoreResult<RecordOutcomeResponse>;
  /** The session user's records, newest first (bearer is UNAUTHORIZED). */
  listOutcomes(request: ListOutcomesRequest, auth: OutcomesAuth): CoreResult<ListOutcomesResponse>;
  /** Value delivered by type and agent, next to the committed budget of linked plans. */
  getValueSummary(request: GetValueSummaryRequest, auth: OutcomesAuth): CoreResult<ValueSummary>;
  /** Any task by name; the CoreResult object. */
  call(task: string, request: JsonObject | string, auth: Auth): CoreResult;
  /** Any task by name; the CoreResult as the core's JSON text (byte-exact). */
  callRaw(task: string, request: JsonObject | string, auth: Auth): string;
  /** MCP-flat wire form (`status` first, body keys at the root). */
  callTool(name: string, args: JsonObject, auth: Auth): JsonObject;
  getTask(taskId: string): CoreResult<CheckGovernanceResponse>;
  admin(op: JsonObject): CoreResult;
  exportState(): string;
  /** The change set of the last call, admin operation or getTask, or null when it changed nothing. */
  lastChangeSet(): string | null;
  /**
   * Applies a change set produced by an agent whose state equals this one's.
   * Throws an Error with `code` INVALID_CHANGE_SET (malformed, `field` names
   * the member) or CHANGE_SET_OUT_OF_ORDER (a gap or a replay); both leave the
   * state unchanged.
   */
  applyChangeSet(changeSet: string | JsonObject): void;
  /** The signer's public key as a JWK (for the sellers' JWKS), or null. */
  publicJwk(): JsonObject | null;
  dispose(): void;
}

export function createGovernanceAgent(options: AgentOptions): Promise<GovernanceAgent>;
/** Loads a backend so the utilities below can be used without an agent. */
export function init(options?: { backend?: Backend; wasmUrl?: string | URL }): Promise<Utilities>;
export function canonicalize(value: unknown): string;
export function planHash(plan: unknown): string;
export function payloadHash(payload: JsonObject | string): string;
export function statementDigest(sellerReference: string, deliveryMetrics: JsonObject | string): string;
export function toWire(coreResult: CoreResult | string): JsonObject;
export function validate(task: string, request: JsonObject | string): CoreResult<{ valid: true }>;

// ---------------------------------------------------------------- durability (issue 12) ---

/**
 * Where a durable agent's change sets and snapshots live. Stores are
 * asynchronous (IndexedDB has no synchronous API; file and network stores
 * should not block), so a durable agent's calls return Promises.
 */
export interface GovernanceStore {
  readonly kind: string;
  /** Other instances write the same tenant (PostgreSQL): each call runs in `begin()`'s transaction. */
  readonly shared?: boolean;
  open(): Promise<{ snapshot: string | Uint8Array | null; changeSets: string[]; seq: number }>;
  append(changeSet: string, seq: number): Promise<{ durable: Promise<void> }>;
  /** Shared stores: lock the tenant and read what others wrote after `seq`. */
  begin?(seq: number): Promise<StoreTransaction>;
  needsRecovery(): boolean;
  shouldSnapshot(): boolean;
  snapshot(state: string, seq: number): Promise<void>;
  recover(): Promise<{ snapshot: string | null; changeSets: string[]; seq: number }>;
  close(): Promise<void>;
}

export interface StoreTransaction {
  /** Change sets other instances wrote after the caller's seq, in order. */
  readonly changeSets: string[];
  append(changeSet: string, seq: number): Promise<void>;
  /** Commits (and releases the tenant's lock); `seq` is the appended change set's, or 0. */
  commit(seq: number): Promise<void>;
  rollback(cause?: unknown): Promise<void>;
}

export interface FileStoreOptions {
  /** 'always' (default): fsync before each answer; 'group': concurrent answers share fsyncs; 'never': UNSAFE, tests only. */
  fsync?: 'always' | 'group' | 'never';
  /** Change sets between snapshots (default 10000). */
  snapshotEvery?: number;
  /** Journal bytes between snapshots (default 64 MiB). */
  snapshotBytes?: number;
  /** A node:fs/promises stand-in (fault injection). */
  fs?: unknown;
  log?(level: string, message: string, fields?: JsonObject): void;
}

export interface DurableAgentOptions extends AgentOptions {
  store: GovernanceStore;
  log?(level: string, message: string, fields?: JsonObject): void;
}

/**
 * A durable agent: every answer resolves only once its change set is
 * durable. A store failure answers SERVICE_UNAVAILABLE (transient) and the
 * agent's memory goes back to the durable state.
 */
export interface DurableGovernanceAgent {
  readonly backend: 'native' | 'wasm';
  syncPlans(request: SyncPlansRequest, auth: Auth): Promise<CoreResult<SyncPlansResponse>>;
  checkGovernance(request: CheckGovernanceRequest, auth: Auth): Promise<CoreResult<CheckGovernanceResponse>>;
  reportPlanOutcome(request: ReportPlanOutcomeRequest, auth: Auth): Promise<CoreResult<ReportPlanOutcomeResponse>>;
  reportPlanAdjustment(request: ReportPlanAdjustmentRequest, auth: Auth): Promise<CoreResult<ReportPlanAdjustmentResponse>>;
  getPlanAuditLogs(request: GetPlanAuditLogsRequest, auth: Auth): Promise<CoreResult<GetPlanAuditLogsResponse>>;
  recordOutcome(request: RecordOutcomeRequest, auth: OutcomesAuth): Promise<CoreResult<RecordOutcomeResponse>>;
  listOutcomes(request: ListOutcomesRequest, auth: OutcomesAuth): Promise<CoreResult<ListOutcomesResponse>>;
  getValueSummary(request: GetValueSummaryRequest, auth: OutcomesAuth): Promise<CoreResult<ValueSummary>>;
  call(task: string, request: JsonObject | string, auth: Auth): Promise<CoreResult>;
  callRaw(task: string, request: JsonObject | string, auth: Auth): Promise<string>;
  getTask(taskId: string): Promise<CoreResult<CheckGovernanceResponse>>;
  admin(op: JsonObject): Promise<CoreResult>;
  exportState(): string;
  publicJwk(): JsonObject | null;
  /** Writes a snapshot now; rejects with {code: 'SERVICE_UNAVAILABLE', recovery: 'transient'} on a store failure. */
  snapshot(): Promise<void>;
  /** Waits for queued calls, then releases the store and its lock. */
  close(): Promise<void>;
  canonicalize(value: unknown): string;
  planHash(plan: unknown): string;
  payloadHash(payload: JsonObject | string): string;
  statementDigest(sellerReference: string, deliveryMetrics: JsonObject | string): string;
  toWire(coreResult: CoreResult | string): JsonObject;
  validate(task: string, request: JsonObject | string): CoreResult<{ valid: true }>;
}

export function openGovernanceAgent(options: DurableAgentOptions): Promise<DurableGovernanceAgent>;
/** No durability: the agent lives in this process only. */
export function memoryStore(): GovernanceStore;
/** The embedded default in Node: a journal and snapshots in `dir` (one writer). */
export function fileStore(dir: string, options?: FileStoreOptions): GovernanceStore;
/** Browsers: the same semantics on IndexedDB (one writer per database, Web Locks). */
export function indexedDbStore(name: string, options?: { snapshotEvery?: number; log?(level: string, message: string, fields?: JsonObject): void }): GovernanceStore;
/**
 * Edge runtimes (workerd): a Durable Object's SQLite storage (`ctx.storage.sql`,
 * SQLite-backed class). One object per tenant; each change set is written inside
 * the request, so the response waits for durability (examples/workerd/).
 */
export function durableObjectStore(state: { storage: { sql: { exec(query: string, ...bindings: unknown[]): Iterable<Record<string, unknown>> } } },
  options?: { snapshotEvery?: number; partChars?: number; log?(level: string, message: string, fields?: JsonObject): void }): GovernanceStore;
