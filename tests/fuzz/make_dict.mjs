// Writes tests/fuzz/adcp.dict: every backticked identifier of the spec
// (../shared/spec: field names, enum values, error codes) as a JSON key and
// as a JSON string, plus JSON punctuation and the number and encoding edge
// cases of issue 10. Usage: node tests/fuzz/make_dict.mjs [SPEC_DIR]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const spec = process.argv[2] ?? new URL('../../../shared/spec', import.meta.url).pathname;
const words = new Set();
for (const f of readdirSync(spec).filter((f) => f.endsWith('.md')))
  for (const m of readFileSync(join(spec, f), 'utf8').matchAll(/`([A-Za-z_][A-Za-z0-9_]{1,40})`/g)) words.add(m[1]);
const lines = ['# libFuzzer dictionary: field names and enum values of the spec (../shared/spec, backticked identifiers),',
  '# as JSON keys and as JSON strings. Written by tests/fuzz/make_dict.mjs.'];
// Project choices beyond the spec's words (README "Choices beyond the spec").
for (const w of ['adcp_governance', 'action_pages', 'after', 'burn', 'list_plans', 'list_escalations', 'owner']) words.add(w);
for (const w of [...words].sort()) lines.push(`"\\"${w}\\":"`, `"\\"${w}\\""`);
for (const t of ['{', '}', '[', ']', ':', ',', 'true', 'false', 'null', '0e40', '1e309', '-0', '1e-400'])
  lines.push(`"${t}"`);
lines.push('"\\\\u0000"', '"\\\\ud800"', '"\\xf4"', '"\\xc3"');
writeFileSync(new URL('./adcp.dict', import.meta.url), lines.join('\n') + '\n');
console.log(`${words.size} words`);
