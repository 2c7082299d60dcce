# workerd config for governance-worker.mjs (issue 14): one Durable Object per
# tenant with SQLite storage on local disk (kept across restarts).
#   npx esbuild examples/workerd/governance-worker.mjs --bundle --format=esm --platform=neutral \
#     --conditions=workerd,worker,browser --main-fields=browser,module,main --external:*.wasm \
#     --outfile=examples/workerd/w/worker.mjs
#   cp node_modules/adcp-governance/dist/core.wasm examples/workerd/dist/   (or dist/ of this repository)
#   mkdir -p examples/workerd/data && npx workerd serve examples/workerd/config.capnp
# TOKENS maps the SHA-256 (hex) of each bearer token to an identity: replace
# the sample (sha256("buyer-token")) with your own.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .governance),
    (name = "do-disk", disk = (path = "data", writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const governance :Workerd.Worker = (
  modules = [
    (name = "w/worker.mjs", esModule = embed "w/worker.mjs"),
    (name = "dist/core.wasm", wasm = embed "dist/core.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  durableObjectNamespaces = [
    (className = "GovernanceTenant", uniqueKey = "adcp-governance-tenants", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-disk"),
  bindings = [
    (name = "TENANTS", durableObjectNamespace = "GovernanceTenant"),
    (name = "TOKENS", text = "{\"7eaa54cb5ef4db96aab6a7dfc4fae8a0c76e93186b1e6c3100e592a96cd868c4\": {\"agent_url\": \"https://buyer.example.com\"}}"),
  ],
);
