#!/usr/bin/env node
// adcp-governance: the package's command line.
//
//   adcp-governance serve [--host 127.0.0.1] [--port 8080] [--data-dir DIR] [--config FILE]
//                         [--token SECRET=AGENT_URL[@tenant,...]]... [--admin-token SECRET]...
//                         [--issuer URL] [--fsync always|group|never]
//                         [--postgres URL [--postgres-schema NAME]]
//                         [--sandbox [--sandbox-seller URL] [--sandbox-buyer URL]]
//       the agent over MCP (js/serve.js); with --postgres (or config
//       `postgres`, or ADCP_POSTGRES_URL) every tenant lives in PostgreSQL and
//       any number of instances serve any tenant (js/store-postgres.js)
//   adcp-governance start [serve options]
//       `npm start`: serve on the embedded default (data directory ./data,
//       demo credentials in data/demo-credentials.json when no token or config
//       is given, the demo plan seeded when the store is empty)
//   adcp-governance demo [--backend auto|native|wasm] [--url MCP_URL (--credentials FILE | --token SECRET --seller-token SECRET)]
//       the governance loop on the embedded default plan (in memory, or
//       against a running server through an MCP client)
//   adcp-governance keygen FILE --kid KID
//       an Ed25519 key file {kid, jwk} (mode 0600) for a key rotation
//   adcp-governance run CALLS.jsonl|SCENARIO.json [--data-dir DIR] [--fsync always|group|never] [--issuer URL]
//                       [--signing-key FILE] [--kid KID] [--config FILE] [--backend B] [--seed N]
//       the step language (js/step-language.json, the native CLI's too): one
//       step per line, or a scenario document {config, hooks, steps}; one
//       result per line on stdout; a failed "expect" / "state_unchanged" is
//       reported on stderr and the exit code is 1. With --data-dir the agent
//       is durable (fileStore): every answer is printed after its change set
//       is on disk, and the next run goes on from there.
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BUYER, SELLER, livePlan, runDemo } from './demo.js';
import { checkStep, parseRun, runStep, stepHooks } from './steps.js';
import { seededRandom } from './seeded-random.js';

function usage() {
  console.error(['usage:', '  adcp-governance serve [--host H] [--port P] [--data-dir DIR] [--config FILE] [--token SECRET=AGENT_URL]... [--sandbox]',
    '                       [--postgres URL [--postgres-schema NAME]]   (many instances, one ledger)',
    '  adcp-governance start [serve options]   (npm start: serve on ./data with demo credentials and the demo plan)',
    '  adcp-governance demo [--backend auto|native|wasm] [--url MCP_URL (--credentials FILE | --token SECRET --seller-token SECRET)]',
    '  adcp-governance keygen FILE --kid KID   (a new signing key for a rotation; never overwrites)',
    '  adcp-governance run CALLS.jsonl|SCENARIO.json [--data-dir DIR] [--fsync always|group|never] [--issuer URL]',
    '                      [--signing-key FILE] [--kid KID] [--config FILE] [--backend auto|native|wasm] [--seed N]'].join('\n'));
  process.exit(2);
}

function flags(args) {
  const out = { positional: [] };
  for (let i = 0; i < args.length; ++i) {
    if (args[i].startsWith('--')) out[args[i].slice(2)] = args[++i];
    else out.positional.push(args[i]);
  }
  return out;
}

// A durable agent needs the same key across runs: kept in the data
// directory (mode 0600) unless --signing-key names one.
function signingOptions(f) {
  if (f['signing-key']) {
    const text = readFileSync(f['signing-key'], 'utf8').trim();
    return { privateKey: text.startsWith('{') ? JSON.parse(text) : text, kid: f.kid };
  }
  if (!f['data-dir']) return f.kid ? { kid: f.kid } : {};
  const file = join(f['data-dir'], 'signing-key.json');
  if (!existsSync(file)) {
    mkdirSync(f['data-dir'], { recursive: true });
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    writeFileSync(file, JSON.stringify({ kid: f.kid ?? `cli-${Date.now().toString(36)}`, jwk }), { mode: 0o600 });
  }
  const { kid, jwk } = JSON.parse(readFileSync(file, 'utf8'));
  return { privateKey: jwk, kid: f.kid ?? kid };
}

async function run(f) {
  const [callsFile] = f.positional;
  if (!callsFile) usage();
  const api = await import('./node.js');
  const plan = parseRun(readFileSync(callsFile, 'utf8'));
  const { hooks, answers } = stepHooks(plan.hooks);
  // The step clock: the scenario's start, or the real clock until a step sets it.
  const run = { vars: {}, answers, now: plan.startNow };
  const options = {
    backend: f.backend ?? 'auto',
    issuer: f.issuer ?? 'https://governance.local',
    config: { ...(f.config ? JSON.parse(readFileSync(f.config, 'utf8')) : {}), ...plan.config },
    signing: signingOptions(f),
    clock: () => run.now ?? Date.now(),
    hooks,
  };
  // --seed: a reproducible run (splitmix64, the same stream as the native CLI).
  if (f.seed !== undefined) options.random = seededRandom(BigInt(f.seed));
  if (options.config.issuer) options.issuer = options.config.issuer;
  const agent = f['data-dir']
    ? await api.openGovernanceAgent({ ...options, store: api.fileStore(f['data-dir'], { fsync: f.fsync ?? 'always' }) })
    : await api.createGovernanceAgent(options);
  let failures = 0;
  try {
    for (const { where, step: template } of plan.steps) {
      const before = template.state_unchanged ? agent.exportState() : null;
      let outcome;
      try {
        outcome = await runStep(agent, template, run);
      } catch (e) {
        throw new Error(`${where}: ${e.message}`);
      }
      process.stdout.write(outcome.raw + '\n');
      const after = template.state_unchanged ? agent.exportState() : null;
      for (const problem of checkStep(outcome.step, outcome.result, before, after)) {
        process.stderr.write(`${where}: ${problem}\n`);
        ++failures;
      }
    }
  } finally {
    await (agent.close ? agent.close() : agent.dispose());
  }
  if (failures) process.exitCode = 1;
}

// `serve`: repeatable flags (--token) are collected into arrays.
function serveFlags(args) {
  const out = { token: [], adminToken: [] };
  for (let i = 0; i < args.length; ++i) {
    const name = args[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (name === 'sandbox') out.sandbox = true;
    else if (name === 'token' || name === 'adminToken') out[name].push(args[++i]);
    else out[name] = args[++i];
  }
  return out;
}

async function runServe(args, options = serveFlags(args)) {
  const api = await import('./node.js');
  const { loadConfig, serve } = await import('./serve.js');
  const config = loadConfig(options);
  const running = await serve(api, config);
  const base = running.url;
  process.stdout.write(`adcp-governance serving ${[...running.tenants.keys()].join(', ')} on ${base}\n` +
    `  MCP      ${base}/mcp   (tenants: ${base}/t/{tenant}/mcp)\n  JWKS     ${base}/.well-known/jwks.json\n` +
    `  health   ${base}/healthz  ${base}/readyz   metrics ${base}/metrics\n`);
  const stop = async (signal) => {
    process.stdout.write(`${signal}: draining\n`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return running;
}

// `npm start`: the server on the embedded default. Without a config file or
// --token, demo credentials (random, mode 0600, kept across runs) map to the
// demo buyer and seller; the demo plan is synced when the store is empty.
async function runStart(args) {
  const options = serveFlags(args);
  options.dataDir ??= 'data';
  let credentials = null;
  if (!options.config && !options.token.length && !options.sandbox) {
    const file = join(options.dataDir, 'demo-credentials.json');
    if (!existsSync(file)) {
      mkdirSync(options.dataDir, { recursive: true });
      const secret = () => randomBytes(24).toString('base64url');
      writeFileSync(file, JSON.stringify({ buyer: secret(), seller: secret(), admin: secret() }, null, 2), { mode: 0o600 });
    }
    credentials = { ...JSON.parse(readFileSync(file, 'utf8')), file };
    options.token.push(`${credentials.buyer}=${BUYER}`, `${credentials.seller}=${SELLER}`);
    options.adminToken.push(credentials.admin);
  }
  const running = await runServe(args, options);
  const agent = running.tenants.get('default').agent;
  if ((await agent.admin({ op: 'stats' })).response.changes === 0) {
    const seeded = await agent.syncPlans({ idempotency_key: 'seed-demo-plan-000001', plans: [livePlan()] }, BUYER);
    process.stdout.write(`  seeded   the demo plan spring_launch for ${BUYER} (${seeded.status})\n`);
  }
  process.stdout.write(`  dashboard  not built yet (the audit is get_plan_audit_logs over MCP)\n`);
  if (credentials) {
    process.stdout.write(`  demo credentials in ${credentials.file} (buyer ${BUYER}, seller ${SELLER})\n` +
      `  try      npx adcp-governance demo --url ${running.url}/mcp --credentials ${credentials.file}\n`);
  }
}

const [command = 'demo', ...args] = process.argv.slice(2);
if (command === 'demo') {
  const f = flags(args);
  // --credentials FILE ({buyer, seller} tokens, as `start` writes them) keeps secrets off the command line.
  const file = f.credentials ? JSON.parse(readFileSync(f.credentials, 'utf8')) : {};
  await runDemo({ backend: f.backend ?? 'auto', url: f.url, token: f.token ?? file.buyer, sellerToken: f['seller-token'] ?? file.seller });
} else if (command === 'start') await runStart(args);
else if (command === 'keygen') {
  const f = flags(args);
  if (!f.positional[0] || !f.kid || existsSync(f.positional[0])) usage();
  const { generateKeyFile } = await import('./keys.js');
  generateKeyFile(f.positional[0], f.kid);
  process.stdout.write(`wrote ${f.positional[0]} (kid ${f.kid}); set it as the tenant's signing.private_key_file\n`);
}
else if (command === 'run') {
  // A step the language rejects, or a failing call host: the message, exit 1.
  await run(flags(args)).catch((e) => { process.stderr.write(`${e.message}\n`); process.exitCode = 1; });
}
else if (command === 'serve') await runServe(args);
else usage();
