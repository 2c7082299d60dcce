// State documents are untrusted input (issue 17): importState rejects every
// out-of-range or wrongly typed field with INVALID_STATE naming it, and
// whatever it accepts exports, imports and exports again to the same bytes.
#include <set>

#include "scenario_runner.h"
#include "test_util.h"

using namespace adcp;
using namespace adcp::test;

namespace {

const char* kConfig =
    R"({"issuer":"https://governance.example.com","signing":{"alg":"EdDSA","kid":"test-kid"},"id_mode":"sequential"})";

// Integer members of the state format: sequence numbers and counts, times
// (ms), and indexes of other records.
const std::set<std::string> kIntegerKeys = {
    "seq", "version", "plan_version", "attempt", "attempts", "sequence", "synced_at", "expires_at", "created_at",
    "final_at", "hold_expires_at", "approved_at", "aggregation_at", "next_check", "timestamp", "reviewed_at",
    "resolved_at", "start", "stored_at", "plan", "check", "action", "outcome", "escalation", "consultation",
    "presented_check", "latest_exec_check", "intent_check", "settlement", "user_id", "agent_id"};
// Members with a closed vocabulary.
const std::set<std::string> kEnumKeys = {"status",       "phase",  "verdict",         "mode",        "dialect",
                                         "recommendation", "type", "reconciliation_status", "period_state",
                                         "adjustment_type", "state", "resolution",      "task",        "source",
                                         "enforcement",  "mode_override", "outcome_type"};

struct Mutation {
  std::string path;  // "checks[0].expires_at"
  Value value;
  bool must_fail;  // out of range or of the wrong type
};

Value Num(double d) { return Value(d); }

// Boundary values for one member, given its current value.
void MutationsOf(const std::string& path, const std::string& key, const Value& current, std::vector<Mutation>* out) {
  if (kIntegerKeys.count(key) && current.is_number()) {
    for (double bad : {-2.0, 0.5, 9007199254740993.0, 1e300, -1e300, 17729280772323210000.0})
      out->push_back({path, Num(bad), true});
    out->push_back({path, Value("12"), true});
    out->push_back({path, Value(), key != "user_id" && key != "agent_id"});  // the outcomes ledger's may be null
    out->push_back({path, Num(0), false});  // in range for every integer member: a clean error or a stable round trip
    out->push_back({path, Num(-1), false});
  } else if (kEnumKeys.count(key) && current.is_string()) {
    out->push_back({path, Value("not-a-recorded-value"), true});
    out->push_back({path, Num(1), true});
    out->push_back({path, Value(), true});
  }
}

// Walks the first two records of every table (all records of a table have
// the same members), the root and the nested statement object.
std::vector<Mutation> Walk(const Value& doc) {
  std::vector<Mutation> out;
  MutationsOf("seq", "seq", *doc.find("seq"), &out);
  for (const json::Member& c : doc.find_object("id_counters")->as_object())
    for (double bad : {-1.0, 0.5, 1e300, 9007199254740993.0}) out.push_back({"id_counters." + c.first, Num(bad), true});
  for (const json::Member& table : doc.as_object()) {
    if (!table.second.is_array()) continue;
    const json::Array& records = table.second.as_array();
    for (size_t i = 0; i < records.size() && i < 2; ++i) {
      const std::string where = table.first + "[" + std::to_string(i) + "]";
      for (const json::Member& m : records[i].as_object()) {
        MutationsOf(where + "." + m.first, m.first, m.second, &out);
        if (m.second.is_object())
          for (const json::Member& n : m.second.as_object())
            MutationsOf(where + "." + m.first + "." + n.first, n.first, n.second, &out);
      }
    }
  }
  return out;
}

// Sets the member at a "table[i].key[.sub]" / "key" / "id_counters.k" path.
void Apply(Value& doc, const Mutation& m) {
  Value* cur = &doc;
  size_t start = 0;
  while (start < m.path.size()) {
    size_t end = m.path.find('.', start);
    std::string part = m.path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t bracket = part.find('[');
    if (bracket != std::string::npos) {
      cur = cur->find(part.substr(0, bracket));
      cur = &cur->as_array()[std::stoul(part.substr(bracket + 1))];
    } else if (end == std::string::npos) {
      cur->put(part, m.value);
      return;
    } else {
      cur = cur->find(part);
    }
    start = end == std::string::npos ? m.path.size() : end + 1;
  }
}

void CheckWalk(const std::string& exported) {
  const Value doc = ParseOrFail(exported);
  std::vector<Mutation> mutations = Walk(doc);
  CHECK(mutations.size() > 50);
  size_t rejected = 0, accepted = 0;
  for (const Mutation& m : mutations) {
    Value mutated = doc;
    Apply(mutated, m);
    const std::string text = json::Write(mutated);
    INFO(m.path << " = " << json::Write(m.value));
    Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Import(kConfig, text, Host().MakeHooks());
    if (!a.ok()) {
      ++rejected;
      CHECK(a.code == "INVALID_STATE");
      CHECK(!a.field.empty());
      if (m.must_fail) CHECK(a.field == m.path);
      continue;
    }
    ++accepted;
    CHECK_FALSE(m.must_fail);
    const std::string once = a.value->ExportState();
    Expected<std::unique_ptr<GovernanceAgent>> b = GovernanceAgent::Import(kConfig, once, Host().MakeHooks());
    REQUIRE(b.ok());
    CHECK(b.value->ExportState() == once);
  }
  CHECK(rejected > 0);
  CHECK(accepted > 0);
}

}  // namespace

TEST_CASE("Issue 17: every integer and enum field of exported states through boundary values", "[17][state]") {
  for (const char* name : {"04-full-lifecycle.json", "05-worked-ledger-scenario.json", "10-legacy-outcomes-audit.json",
                           "10-legacy-intents.json", "11-outcomes-value-summary.json", "03-intent-verdicts.json"}) {
    DYNAMIC_SECTION(name) { CheckWalk(RunScenario(FixturePath("scenarios/") + name)); }
  }
}

TEST_CASE("Issue 17: the fuzzing seeds of out-of-range state documents fail cleanly", "[17][state]") {
  const Value doc = ParseOrFail(RunScenario(FixturePath("scenarios/04-full-lifecycle.json")));
  struct {
    const char* path;
    Value value;
  } cases[] = {{"seq", Num(-1)},
               {"checks[0].expires_at", Num(17729280772323210000.0)},
               {"seq", Num(1e300)},
               {"id_counters.chk", Num(1e300)}};
  for (const auto& c : cases) {
    INFO(c.path);
    Value mutated = doc;
    Apply(mutated, {c.path, c.value, true});
    Expected<std::unique_ptr<GovernanceAgent>> a =
        GovernanceAgent::Import(kConfig, json::Write(mutated), Host().MakeHooks());
    REQUIRE_FALSE(a.ok());
    CHECK(a.code == "INVALID_STATE");
    CHECK(a.field == c.path);
    CHECK(a.error.find(c.path) != std::string::npos);
  }
}

TEST_CASE("A state document larger than any request limit imports (an agent reads back its own snapshot)", "[17][state]") {
  const std::string exported = RunScenario(FixturePath("scenarios/04-full-lifecycle.json"));
  // 70 MB of JSON whitespace: the size of a long history without the time to build one.
  std::string large = "{" + std::string(70u << 20, ' ') + exported.substr(1);
  Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Import(kConfig, large, Host().MakeHooks());
  INFO(a.error);
  REQUIRE(a.ok());
  CHECK(a.value->ExportState() == exported);
}

// An accepted proposal's id and terms digest come together (03 §5.5 E4
// compares both): a record with one and not the other is refused, naming
// the missing member (it used to be accepted, and a seller's check on such
// an action read the missing digest); with both it round-trips.
TEST_CASE("Issue 15: a proposal binding without its terms digest (or id) is refused", "[15][state]") {
  const Value doc = ParseOrFail(RunScenario(FixturePath("scenarios/04-full-lifecycle.json")));
  REQUIRE(doc.find_array("actions"));
  REQUIRE_FALSE(doc.find_array("actions")->empty());
  for (const char* table : {"actions", "checks"}) {
    for (const char* present : {"proposal_id", "terms_digest"}) {
      const std::string where = std::string(table) + "[0]";
      INFO(where << " with only " << present);
      Value mutated = doc;
      Apply(mutated, {where + "." + present, Value("sha256:" + std::string(43, 'A')), false});
      Expected<std::unique_ptr<GovernanceAgent>> a =
          GovernanceAgent::Import(kConfig, json::Write(mutated), Host().MakeHooks());
      REQUIRE_FALSE(a.ok());
      CHECK(a.code == "INVALID_STATE");
      CHECK(a.field == where + "." + (std::string(present) == "proposal_id" ? "terms_digest" : "proposal_id"));
    }
    Value both = doc;
    Apply(both, {std::string(table) + "[0].proposal_id", Value("prop_1"), false});
    Apply(both, {std::string(table) + "[0].terms_digest", Value("sha256:" + std::string(43, 'A')), false});
    Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Import(kConfig, json::Write(both), Host().MakeHooks());
    REQUIRE(a.ok());
    const std::string once = a.value->ExportState();
    CHECK(once.find("\"prop_1\"") != std::string::npos);
    Expected<std::unique_ptr<GovernanceAgent>> b = GovernanceAgent::Import(kConfig, once, Host().MakeHooks());
    REQUIRE(b.ok());
    CHECK(b.value->ExportState() == once);
  }
}

// Issue 15: a check keeps its plan version in 32 bits and a larger one in
// its extras; either is imported and exported as it was.
TEST_CASE("A check's plan version past 32 bits round-trips", "[15][state]") {
  Value doc = ParseOrFail(RunScenario(FixturePath("scenarios/04-full-lifecycle.json")));
  REQUIRE(doc.find_array("checks")->size() >= 3);
  const double versions[] = {2147483647.0, 2147483648.0, 9007199254740991.0};
  for (size_t i = 0; i < 3; ++i) doc.find("checks")->as_array()[i].put("plan_version", Num(versions[i]));
  Expected<std::unique_ptr<GovernanceAgent>> a = GovernanceAgent::Import(kConfig, json::Write(doc), Host().MakeHooks());
  REQUIRE(a.ok());
  const Value exported = ParseOrFail(a.value->ExportState());
  for (size_t i = 0; i < 3; ++i) {
    INFO(i);
    CHECK(*(*exported.find_array("checks"))[i].find_number("plan_version") == versions[i]);
  }
}
