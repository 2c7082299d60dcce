// Types of adcp-governance/postgres: many servers, one ledger (issue 14).
import type { GovernanceStore, JsonObject } from './index.js';

/** The part of npm pg's Pool the store uses (pg ships no types; @types/pg's Pool fits). */
export interface PgPool {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface PostgresStoreOptions {
  /** A pg Pool shared by the tenants' stores (else one is made from connectionString). */
  pool?: PgPool;
  connectionString?: string;
  /** Schema of the tables (an identifier; default 'adcp_governance'). */
  schema?: string;
  /** The tenant (default 'default'): one agent, one ledger, one lock. */
  tenant?: string;
  /** Change sets between snapshots (default 1000). */
  snapshotEvery?: number;
  /** The longest wait for the tenant's lock (default 10000 ms); then SERVICE_UNAVAILABLE with retry_after. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Own pool only: the longest wait for a connection (default 5000 ms), and its size (default 10). */
  connectionTimeoutMs?: number;
  max?: number;
  log?(level: string, message: string, fields?: JsonObject): void;
}

/** A tenant's store in PostgreSQL: every call is one transaction under the tenant's advisory lock. */
export function postgresStore(options: PostgresStoreOptions): GovernanceStore;
/** A pg Pool whose idle-connection errors are logged, not thrown. */
export function createPool(connectionString: string,
  options?: { max?: number; connectionTimeoutMs?: number; log?(level: string, message: string, fields?: JsonObject): void }):
  Promise<PgPool>;
/** Creates or upgrades the schema's tables (versioned migrations; safe to run concurrently). */
export function migrate(pool: PgPool, schema?: string): Promise<void>;
/** The tenant's signing key shared by every instance: the stored one, or `generate()`'s, stored once. */
export function sharedSigningKey(pool: PgPool, schema: string, tenant: string,
  generate: () => { kid: string; jwk: JsonObject }): Promise<{ kid: string; jwk: JsonObject }>;
/** The advisory-lock key of a text (64 bits of SHA-256, signed, as a decimal string). */
export function lockKey(text: string): string;
