// Per-call cost of the governed-buy loop as a plan's history grows.
//
//   build/bench/core_bench [prior_loops...]      (default: 50 5000 50000)
//
// Each loop is four calls on one plan: an intent check (approved), a
// completed outcome, a seller delivery check and a buyer observation, so a
// loop adds two checks. After building the history it times 2,000 more loops
// and prints the mean cost of each call kind and the ratio to the smallest
// history. With BENCH_AUDIT=1 it also times get_plan_audit_logs in the core
// alone (no JS, no N-API): the plan summary, and a page of 100 entries and of
// 100 governed actions from about a thousand in. Not part of the test suite: speed goals live here (the standards
// forbid timed unit tests).
//
// With BENCH_GROWTH=1 it builds one plan to each size in turn and prints the
// memory each stored check or outcome (four a loop) added between sizes:
// resident set, and the heap in use (glibc's mallinfo2: chunks with their
// headers). perf-bench.mjs's figure is the Node process's resident set,
// which also moves with V8's heap; this is the core's alone. Built with
// Emscripten (build-wasm/bench/core_bench.cjs, run with node; the process's
// environment is passed in) it prints the WASM build's heap in use
// (dlmalloc's mallinfo, as the module's allocator), and no resident set.
#include <algorithm>
#include <chrono>
#if defined(__GLIBC__) || defined(__EMSCRIPTEN__)
#include <malloc.h>
#endif
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "adcp_governance.h"
#include "canon/digests.h"
#include "canon/sha256.h"
#include "json/json.h"

namespace {

using adcp::json::Value;
using Clock = std::chrono::steady_clock;

struct Host {
  double now = 1767225600000;
  uint64_t rnd = 1;
  std::unique_ptr<adcp::GovernanceAgent> agent;
  size_t change_set_bytes = 0;  // with BENCH_CHANGE_SETS=1
  Host() {
    adcp::Hooks h;
    h.now_ms = [this] { return adcp::HookResult<double>{now, ""}; };
    h.random_bytes = [this](size_t n) {
      std::string s(n, '\0');
      for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((rnd = rnd * 6364136223846793005ull + 1442695040888963407ull) >> 56);
      return adcp::HookResult<std::string>{s, ""};
    };
    // Stand-in signer: the host's signature cost is not the core's.
    h.sign = [](std::string_view input, std::string_view, std::string_view) {
      std::string d(adcp::canon::AsBytes(adcp::canon::Sha256Of(input)));
      return adcp::HookResult<std::string>{adcp::canon::Base64UrlEncode(d + d), ""};
    };
    // BENCH_CHANGE_SETS=1: a durable host's cost (every call's change set written down and rendered).
    change_sets = std::getenv("BENCH_CHANGE_SETS") && std::string(std::getenv("BENCH_CHANGE_SETS")) == "1";
    std::string config = R"({"issuer":"https://governance.example.com","signing":{"kid":"bench"},)"
                         R"("delivery_reporting_interval_seconds":0,"change_sets":)" +
                         std::string(change_sets ? "true}" : "false}");
    agent = std::move(adcp::GovernanceAgent::Create(config, h).value);
  }
  bool change_sets = false;
  Value Call(const char* task, const std::string& req, const char* who) {
    std::string out = agent->Call(task, req, who);
    if (change_sets) change_set_bytes += agent->LastChangeSet().size();
    adcp::json::ParseLimits limits;
    limits.max_bytes = 64u << 20;  // audit pages of 1,000 entries
    adcp::json::ParseResult p = adcp::json::Parse(out, limits);
    if (!p.ok() || !p.value.find_string("status") || *p.value.find_string("status") != "completed") {
      std::fprintf(stderr, "unexpected result for %s: %s\n", task, out.substr(0, 300).c_str());
      std::exit(1);
    }
    return p.value;
  }
};

const char* kBuyer = R"({"agent_url":"https://buyer.example.com"})";
const char* kSeller = R"({"agent_url":"https://seller.example.com"})";

struct Timings {
  double intent = 0, outcome = 0, delivery = 0, observation = 0;
};

void Loop(Host& h, uint64_t i, Timings* t) {
  auto start = Clock::now();
  auto lap = [&](double* slot) {
    auto now = Clock::now();
    if (t) *slot += std::chrono::duration<double, std::nano>(now - start).count();
    start = now;
  };
  std::string n = std::to_string(i);
  // BENCH_LOOP=perf: perf-bench.mjs's loop (3 packages, no account) instead
  // of one account per buy, so a heap profile here is the goal's loop.
  static const bool perf_loop = std::getenv("BENCH_LOOP") && std::string(std::getenv("BENCH_LOOP")) == "perf";
  static const std::string kPackages =
      R"([{"package_id":"pkg_0","channels":["ctv"],"budget":33.333333333333336},{"package_id":"pkg_1","channels":["olv"],"budget":33.333333333333336},{"package_id":"pkg_2","channels":["display"],"budget":33.333333333333336}])";
  static const std::string kSettled =
      R"([{"package_id":"pkg_0","budget":33.333333333333336},{"package_id":"pkg_1","budget":33.333333333333336},{"package_id":"pkg_2","budget":33.333333333333336}])";
  const std::string payload = perf_loop ? R"({"total_budget":100,"packages":)" + kPackages + "}"
                                        : R"({"total_budget":100,"account":{"account_id":"acc_)" + n + R"("}})";
  Value r = h.Call("check_governance",
                   R"({"caller":"https://buyer.example.com","plan_id":"bench","target_agent":"https://seller.example.com","tool":"create_media_buy","payload":)" + payload + "}",
                   kBuyer);
  lap(&t->intent);
  const Value& body = *r.find("response");
  const std::string check_id = *body.find_string("check_id"), token = *body.find_string("governance_context");
  h.Call("report_plan_outcome",
         R"({"idempotency_key":"bench-outcome-key-)" + n + R"(","plan_id":"bench","check_id":")" + check_id +
             R"(","governance_context":")" + token + R"(","outcome":"completed","seller_response":{"seller_reference":"mb_)" + n + R"(")" +
             (perf_loop ? R"(,"packages":)" + kSettled : std::string()) + "}}",
         kBuyer);
  lap(&t->outcome);
  Value metrics = adcp::json::Obj({{"statement_id", "st_" + n}, {"sequence", 1}, {"issued_at", "2026-01-02T00:00:00Z"},
                                   {"reporting_period", adcp::json::Obj({{"start", "2026-01-01T00:00:00Z"}, {"end", "2026-01-02T00:00:00Z"}})},
                                   {"cumulative_spend", 50}, {"currency", "USD"}});
  metrics.set("statement_digest", adcp::canon::StatementDigest("mb_" + n, metrics));
  Value delivery = adcp::json::Obj({{"caller", "https://seller.example.com"}, {"governance_context", token}, {"phase", "delivery"},
                                    {"planned_delivery", adcp::json::Obj({{"media_buy_id", "mb_" + n}})}, {"delivery_metrics", metrics}});
  Value d = h.Call("check_governance", adcp::json::Write(delivery), kSeller);
  lap(&t->delivery);
  const Value& db = *d.find("response");
  h.Call("report_plan_outcome",
         R"({"idempotency_key":"bench-observation-key-)" + n + R"(","plan_id":"bench","check_id":")" + *db.find_string("check_id") +
             R"(","governance_context":")" + *db.find_string("governance_context") +
             R"(","outcome":"delivery","delivery":{"observation_id":"obs_)" + n +
             R"(","source":"buyer_measurement","observed_at":"2026-01-02T00:00:00Z","reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"},"cumulative_spend":50,"currency":"USD"}})",
         kBuyer);
  lap(&t->observation);
}

// Median time in ns of `runs` audit calls (the response text is what a host gets).
double MedianAuditNs(Host& h, const std::string& request, int runs) {
  std::vector<double> times;
  size_t bytes = 0;
  for (int k = 0; k < runs; ++k) {
    auto start = Clock::now();
    bytes += h.agent->Call("get_plan_audit_logs", request, kBuyer).size();
    times.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return bytes > 0 ? times[times.size() / 2] : 0;
}

// The next_cursor of the first page list named `pages` in an audit answer, "" when none.
std::string NextCursor(const Value& answer, const char* pages) {
  const Value* ext = answer.find("response") ? answer.find("response")->find("ext") : nullptr;
  const Value* ours = ext ? ext->find("adcp_governance") : nullptr;
  const adcp::json::Array* list = ours ? ours->find_array(pages) : nullptr;
  if (!list || list->empty()) return "";
  const std::string* cursor = (*list)[0].find_string("next_cursor");
  return cursor ? *cursor : "";
}

void TimeAudit(Host& h) {
  const std::string head = R"({"plan_ids":["bench"],)";
  auto ask = [&](const std::string& body) { return head + body; };
  std::string entries_after = NextCursor(
      h.Call("get_plan_audit_logs", ask(R"("include_entries":true,"ext":{"adcp_governance":{"governed_actions":{"limit":0},"entries":{"limit":1000}}}})"), kBuyer),
      "pages");
  std::string actions_after = NextCursor(
      h.Call("get_plan_audit_logs", ask(R"("ext":{"adcp_governance":{"governed_actions":{"limit":1000}}}})"), kBuyer), "action_pages");
  auto after = [](const std::string& cursor) { return cursor.empty() ? std::string() : R"(,"after":")" + cursor + "\""; };
  const int runs = std::getenv("BENCH_AUDIT_RUNS") ? std::atoi(std::getenv("BENCH_AUDIT_RUNS")) : 51;
  double summary = MedianAuditNs(h, ask(R"("ext":{"adcp_governance":{"governed_actions":{"limit":0}}}})"), runs);
  double entries = MedianAuditNs(
      h, ask(R"("include_entries":true,"ext":{"adcp_governance":{"governed_actions":{"limit":0},"entries":{"limit":100)" + after(entries_after) + "}}}}"),
      runs);
  double actions = MedianAuditNs(h, ask(R"("ext":{"adcp_governance":{"governed_actions":{"limit":100)" + after(actions_after) + "}}}}"), runs);
  std::printf("  audit (core only, median of %d): summary %.3f ms, 100 entries %.3f ms, 100 governed actions %.3f ms\n", runs,
              summary / 1e6, entries / 1e6, actions / 1e6);
}

}  // namespace

// Resident set size in bytes (Linux), to report heap per stored loop.
double ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long pages = 0, resident = 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<double>(resident) * 4096.0;
}

// The bench plan every run governs (its budget never runs out).
void SyncBenchPlan(Host& h) {
  h.Call("sync_plans",
         R"({"idempotency_key":"bench-sync-000000001","plans":[{"plan_id":"bench","brand":{"domain":"bench.example"},"objectives":"bench","budget":{"total":1e15,"currency":"USD","reallocation_unlimited":true},"flight":{"start":"2025-01-01T00:00:00Z","end":"2030-01-01T00:00:00Z"}}]})",
         kBuyer);
}

// Heap bytes in use (chunks with their headers), 0 where unknown.
double HeapInUseBytes() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 info = mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd);
#elif defined(__EMSCRIPTEN__)
  const struct mallinfo info = mallinfo();  // dlmalloc: chunks in use, with their headers
  return static_cast<double>(info.uordblks);
#else
  return 0;
#endif
}

// BENCH_GROWTH=1: one plan built to each size in turn; memory per stored
// check or outcome from the first size to each later one.
void MemoryGrowth(const std::vector<uint64_t>& sizes) {
  Host h;
  SyncBenchPlan(h);
  uint64_t done = 0;
  double rss = 0, heap = 0;
  for (uint64_t size : sizes) {
    for (; done < size; ++done) {
      Loop(h, done, nullptr);
      h.now += 1;
    }
    const double rss_now = ResidentBytes(), heap_now = HeapInUseBytes();
    const double entries = 4.0 * static_cast<double>(size - sizes.front());
    if (size != sizes.front() && rss_now > 0)
      std::printf("loops %llu: resident %.0f B, heap in use %.0f B per stored check or outcome since the first size\n",
                  static_cast<unsigned long long>(size), (rss_now - rss) / entries, (heap_now - heap) / entries);
    else if (size != sizes.front())  // no resident set to read (the WASM build)
      std::printf("loops %llu: heap in use %.0f B per stored check or outcome since the first size\n",
                  static_cast<unsigned long long>(size), (heap_now - heap) / entries);
    if (size == sizes.front()) rss = rss_now, heap = heap_now;
  }
}

int main(int argc, char** argv) {
  std::vector<uint64_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {50, 5000, 50000};
  if (std::getenv("BENCH_GROWTH") && std::string(std::getenv("BENCH_GROWTH")) == "1") {
    MemoryGrowth(sizes);
    return 0;
  }
  const uint64_t kMeasured = std::getenv("BENCH_MEASURED") ? std::strtoull(std::getenv("BENCH_MEASURED"), nullptr, 10) : 2000;
  std::printf("%-12s %-12s %11s %11s %11s %11s %11s %9s %11s\n", "prior loops", "prior checks", "intent ns", "outcome ns",
              "delivery ns", "observe ns", "loop ns", "ratio", "bytes/loop");
  double base = 0;
  for (uint64_t prior : sizes) {
    Host h;
    SyncBenchPlan(h);
    const double rss_before = ResidentBytes();
    for (uint64_t i = 0; i < prior; ++i) {
      Loop(h, i, nullptr);
      h.now += 1;
    }
    const double per_loop = prior > 0 ? (ResidentBytes() - rss_before) / static_cast<double>(prior) : 0;
    Timings t;
    for (uint64_t i = 0; i < kMeasured; ++i) {
      Loop(h, prior + i, &t);
      h.now += 1;
    }
    double loop = (t.intent + t.outcome + t.delivery + t.observation) / kMeasured;
    if (base == 0) base = loop;
    std::printf("%-12llu %-12llu %11.0f %11.0f %11.0f %11.0f %11.0f %8.2fx %11.0f\n", static_cast<unsigned long long>(prior),
                static_cast<unsigned long long>(prior * 2), t.intent / kMeasured, t.outcome / kMeasured,
                t.delivery / kMeasured, t.observation / kMeasured, loop, loop / base, per_loop);
    if (std::getenv("BENCH_AUDIT") && std::string(std::getenv("BENCH_AUDIT")) == "1") TimeAudit(h);
    if (h.change_sets)
      std::printf("  change sets: %.0f bytes per loop\n",
                  static_cast<double>(h.change_set_bytes) / static_cast<double>(prior + kMeasured));
  }
  return 0;
}
