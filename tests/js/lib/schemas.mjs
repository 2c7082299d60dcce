// The AdCP schema oracle: ajv 8 (draft-07) set up as @adcp/sdk does, over
// the upstream schemas read from ../shared/adcp/schemas at run time.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
export const SHARED_DIR = resolve(process.env.ADCP_SHARED_DIR ?? join(here, '..', '..', '..', '..', 'shared'));
const SCHEMA_DIR = join(SHARED_DIR, 'adcp', 'schemas');

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (name.endsWith('.json')) yield p;
  }
}

// The AdCP 3.0.6 schemas that @adcp/sdk 6.11.0 bundles and validates with
// (dev dependency; read from node_modules at test time, never copied).
const SCHEMA_30_DIR = join(here, '..', '..', '..', 'node_modules', '@adcp', 'sdk', 'dist', 'lib', 'schemas-data', '3.0');

export function createAjv() {
  const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const file of walk(SCHEMA_DIR)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')));
  for (const file of walk(SCHEMA_30_DIR)) {
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    // 6.11 relaxes response roots (additionalProperties: true) before validating.
    if (/-response\.json$/.test(file) && schema.additionalProperties === false) schema.additionalProperties = true;
    try { ajv.addSchema(schema); } catch { /* a duplicate $id in the bundle: the first one stands */ }
  }
  return ajv;
}

const RESPONSE_SCHEMAS_30 = {
  sync_plans: '/schemas/3.0.6/governance/sync-plans-response.json',
  check_governance: '/schemas/3.0.6/governance/check-governance-response.json',
  report_plan_outcome: '/schemas/3.0.6/governance/report-plan-outcome-response.json',
  get_plan_audit_logs: '/schemas/3.0.6/governance/get-plan-audit-logs-response.json',
};

export const RESPONSE_SCHEMAS = {
  sync_plans: '/schemas/governance/sync-plans-response.json',
  check_governance: '/schemas/governance/check-governance-response.json',
  report_plan_outcome: '/schemas/governance/report-plan-outcome-response.json',
  report_plan_adjustment: '/schemas/governance/report-plan-adjustment-response.json',
  get_plan_audit_logs: '/schemas/governance/get-plan-audit-logs-response.json',
};

// Validates one wire-form result of `task`; returns a list of problems.
// `protocol` is the CoreResult's dialect (10 §6.1): 3.0 results are checked
// against the 3.0.6 schemas the 3.0-era SDK validates with.
export function validateWire(ajv, task, wire, protocol) {
  const problems = [];
  const check = (id, value, what) => {
    const validate = ajv.getSchema(id);
    if (!validate) throw new Error(`schema ${id} not loaded`);
    if (!validate(value)) problems.push(`${what}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`);
  };
  if (protocol === '3.0' && RESPONSE_SCHEMAS_30[task] && (wire.status !== 'failed')) {
    const body = { ...wire };
    if (task !== 'check_governance' && task !== 'report_plan_outcome') delete body.status;  // the added task status
    check(RESPONSE_SCHEMAS_30[task], body, `${task} 3.0 body`);
    if (task === 'check_governance' && wire.errors) {  // the fail-closed overlay
      for (const e of wire.errors) check('/schemas/core/error.json', e, `${task} errors[]`);
    }
    return problems;
  }
  if (protocol === '3.1' && wire.status !== 'failed') return problems;  // no 3.1 schemas are installable here
  if (wire.status === 'completed') {
    const id = RESPONSE_SCHEMAS[task];
    if (id) check(id, wire, `${task} completed`);
  } else if (wire.status === 'failed') {
    check('/schemas/core/error.json', wire.adcp_error, `${task} adcp_error`);
    for (const e of wire.errors ?? []) check('/schemas/core/error.json', e, `${task} errors[]`);
    check('/schemas/core/protocol-envelope.json', wire, `${task} failed envelope`);
  } else if (wire.status === 'submitted') {
    check('/schemas/core/protocol-envelope.json', wire, `${task} submitted envelope`);
    if (typeof wire.task_id !== 'string') problems.push(`${task} submitted without task_id`);
  } else {
    problems.push(`${task}: unexpected wire status ${wire.status}`);
  }
  return problems;
}
