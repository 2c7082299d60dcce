// Validates every wire-form result the C++ suites produced (ADCP_WIRE_DUMP)
// against the upstream AdCP schemas with ajv. Usage: node wire_schema_check.mjs DUMP
import { readFileSync } from 'node:fs';
import { createAjv, validateWire } from './lib/schemas.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: wire_schema_check.mjs DUMP');
const ajv = createAjv();
const counts = {};
const failures = [];
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const { task, wire, protocol } = JSON.parse(line);
  const key = `${task}:${wire.status}`;
  counts[key] = (counts[key] ?? 0) + 1;
  for (const p of validateWire(ajv, task, wire, protocol)) failures.push(`${p}\n    ${JSON.stringify(wire).slice(0, 400)}`);
}
console.log('validated wire results:', JSON.stringify(counts));
const required = ['sync_plans:completed', 'get_plan_audit_logs:completed', 'check_governance:completed',
  'check_governance:submitted', 'report_plan_outcome:completed', 'report_plan_adjustment:completed'];
for (const k of required) if (!counts[k]) failures.push(`no ${k} result was produced`);
if (failures.length) {
  console.error(`${failures.length} schema problem(s):\n` + failures.slice(0, 20).join('\n'));
  process.exit(1);
}
