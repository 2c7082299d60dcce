// Spec 02 sync_plans, with 01 (model) and 08 (errors, idempotency).
#include "test_util.h"

#include <map>

using namespace adcp;
using namespace adcp::test;

namespace {

const std::string kOwner = "https://buyer.example.com";
const std::string kOther = "https://other-buyer.example.com";
int key_counter = 0;

Value Plan(const std::string& id = "p1") {
  return J(R"({"plan_id":")" + id + R"(","brand":{"domain":"acme.example"},"objectives":"Launch.",
    "budget":{"total":10000,"currency":"USD","reallocation_threshold":5000},
    "flight":{"start":"2026-01-01T00:00:00Z","end":"2026-12-31T00:00:00Z"}})");
}

std::string NewKey() { return "sync-test-key-" + std::to_string(100000 + ++key_counter); }

Value Sync(Host& h, std::vector<Value> plans, const std::string& who = kOwner, std::string key = "") {
  Value req = json::Obj({{"idempotency_key", key.empty() ? NewKey() : key}, {"plans", Value(json::Array(plans))}});
  return h.Call("sync_plans", req, who);
}

Value With(Value plan, const std::string& path, Value v) {
  // path: dotted member path inside the plan
  Value* cur = &plan;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      cur->put(key, std::move(v));
      return plan;
    }
    if (!cur->find(key)) cur->set(key, Value::MakeObject());
    cur = cur->find(key);
    start = dot + 1;
  }
}

Value Without(Value plan, const std::string& key) {
  plan.erase(key);
  return plan;
}

void ExpectError(const Value& r, const std::string& code, const std::string& field) {
  INFO(json::Write(r));
  CHECK(ErrorCodeOf(r) == code);
  CHECK(ErrorField(r) == field);
}

}  // namespace

TEST_CASE("02 §3 create: version 1, status active, categories and no resolved_policies", "[02]") {
  Host h;
  Value r = Sync(h, {Plan()});
  CHECK_SUBSET(J(R"({"status":"completed","replayed":false,"response":{"plans":[{"plan_id":"p1","status":"active","version":1,
    "resolved_policies":"$absent"}]}})"), r);
  const json::Array& cats = *r.find("response")->find_array("plans")[0][0].find_array("categories");
  REQUIRE(cats.size() == 11);
  CHECK(*cats[0].find_string("category_id") == "budget_authority");
  CHECK(*cats[8].find_string("category_id") == "human_review");
  CHECK(*cats[8].find_string("status") == "active");  // reallocation_threshold present
}

TEST_CASE("02 §3 replace: version increments even for identical content; status unchanged", "[02]") {
  Host h;
  Sync(h, {Plan()});
  Value r2 = Sync(h, {Plan()});
  CHECK(*r2.find("response")->find_array("plans")[0][0].find_number("version") == 2);
  h.Admin(J(R"({"op":"suspend_plan","owner":"https://buyer.example.com","plan_id":"p1"})"));
  Value r3 = Sync(h, {With(Plan(), "objectives", "New objectives.")});
  CHECK(*r3.find("response")->find_array("plans")[0][0].find_number("version") == 3);
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"]})"), kOwner);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"plan_version":3,"status":"suspended"}]}})"), audit);
}

TEST_CASE("01 §1 plans live in the owner's namespace", "[01][02]") {
  Host h;
  Sync(h, {Plan()}, kOwner);
  Value other = Sync(h, {With(Plan(), "budget.total", 5.0)}, kOther);
  CHECK(*other.find("response")->find_array("plans")[0][0].find_number("version") == 1);
  Value mine = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"]})"), kOwner);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"budget":{"authorized":10000}}]}})"), mine);
  // Owner URLs compare after normalization (01 §1.1).
  Value again = Sync(h, {Plan()}, "HTTPS://Buyer.Example.com:443/./");
  CHECK(*again.find("response")->find_array("plans")[0][0].find_number("version") == 2);
}

TEST_CASE("02 §2 rule a: plan_id 1-255 characters", "[02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan(), "plan_id", "")}), "VALIDATION_ERROR", "plans[0].plan_id");
  ExpectError(Sync(h, {With(Plan(), "plan_id", std::string(256, 'x'))}), "VALIDATION_ERROR", "plans[0].plan_id");
  // 255 code points of a 2-byte character is fine (lengths count code points).
  std::string s;
  for (int i = 0; i < 255; ++i) s += "\xC3\xA9";
  CHECK(ErrorCodeOf(Sync(h, {With(Plan(), "plan_id", s)})).empty());
}

TEST_CASE("02 §2 rule b: the same plan_id twice reports the second occurrence", "[02]") {
  Host h;
  std::string before = h.State();
  ExpectError(Sync(h, {Plan("a"), Plan("b"), Plan("a")}), "VALIDATION_ERROR", "plans[2].plan_id");
  CHECK(h.State() == before);  // all-or-nothing
}

TEST_CASE("02 §2 rule c: currency, total and per_seller_max_pct", "[02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan(), "budget.currency", "usd")}), "VALIDATION_ERROR", "plans[0].budget.currency");
  ExpectError(Sync(h, {With(Plan(), "budget.total", -1.0)}), "VALIDATION_ERROR", "plans[0].budget.total");
  ExpectError(Sync(h, {With(Plan(), "budget.per_seller_max_pct", 100.5)}), "VALIDATION_ERROR",
              "plans[0].budget.per_seller_max_pct");
  CHECK(ErrorCodeOf(Sync(h, {With(Plan(), "budget.total", 0.0)})).empty());
}

TEST_CASE("02 §2 rule d: flight.start < flight.end", "[02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan(), "flight.end", "2026-01-01T00:00:00Z")}), "VALIDATION_ERROR", "plans[0].flight.end");
  // Instants compare with offsets applied: 01:00+01:00 == 00:00Z.
  ExpectError(Sync(h, {With(Plan(), "flight.end", "2026-01-01T01:00:00+01:00")}), "VALIDATION_ERROR",
              "plans[0].flight.end");
  CHECK(ErrorCodeOf(Sync(h, {With(Plan(), "flight.end", "2026-01-01T00:00:00.001Z")})).empty());
  // Naive timestamps and seconds=60 fail the schema (INVALID_REQUEST).
  ExpectError(Sync(h, {With(Plan(), "flight.end", "2026-12-31T00:00:00")}), "INVALID_REQUEST", "plans[0].flight.end");
  ExpectError(Sync(h, {With(Plan(), "flight.end", "2026-12-31T23:59:60Z")}), "INVALID_REQUEST", "plans[0].flight.end");
}

TEST_CASE("02 §2 rule e: mix_targets keys and ranges", "[02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan(), "channels.mix_targets", J(R"({"video":{"max_pct":50}})"))}), "VALIDATION_ERROR",
              "plans[0].channels.mix_targets.video");
  ExpectError(Sync(h, {With(Plan(), "channels.mix_targets", J(R"({"ctv":{"min_pct":60,"max_pct":50}})"))}),
              "VALIDATION_ERROR", "plans[0].channels.mix_targets.ctv");
  ExpectError(Sync(h, {With(Plan(), "channels.mix_targets", J(R"({"olv":{"max_pct":101}})"))}), "VALIDATION_ERROR",
              "plans[0].channels.mix_targets.olv");
  CHECK(ErrorCodeOf(Sync(h, {With(Plan(), "channels.mix_targets", J(R"({"olv":{"min_pct":10,"max_pct":60}})"))})).empty());
}

TEST_CASE("02 §2 rule f: delegation and portfolio cap currencies", "[02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan(), "delegations",
                            J(R"([{"agent_url":"https://a.example","authority":"full"},
                                  {"agent_url":"https://b.example","authority":"full","budget_limit":{"amount":5,"currency":"EUR"}}])"))}),
              "VALIDATION_ERROR", "plans[0].delegations[1].budget_limit.currency");
  ExpectError(Sync(h, {With(Plan("port"), "portfolio",
                            J(R"({"member_plan_ids":["p1"],"total_budget_cap":{"amount":5,"currency":"EUR"}})"))}),
              "VALIDATION_ERROR", "plans[0].portfolio.total_budget_cap.currency");
}

TEST_CASE("02 §2 rule g: a portfolio cannot list itself", "[02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan("port"), "portfolio", J(R"({"member_plan_ids":["a","port"]})"))}), "VALIDATION_ERROR",
              "plans[0].portfolio.member_plan_ids");
}

TEST_CASE("02 §2 rule h: a completed plan is read-only", "[02][01]") {
  Host h;
  Sync(h, {Plan()});
  CHECK_SUBSET(J(R"({"status":"completed","response":{}})"),
               h.Admin(J(R"({"op":"complete_plan","owner":"https://buyer.example.com","plan_id":"p1"})")));
  ExpectError(Sync(h, {Plan()}), "VALIDATION_ERROR", "plans[0].plan_id");
}

TEST_CASE("02 §2 rule k: effective human review cannot drop without an approved downgrade", "[02][01]") {
  Host h;
  Sync(h, {With(Plan(), "human_review_required", true)});
  std::string before = h.State();
  ExpectError(Sync(h, {Plan()}), "VALIDATION_ERROR", "plans[0].human_review_required");
  CHECK(h.State() == before);
  // Reason under 20 characters is refused.
  Value short_reason = h.Admin(J(R"({"op":"approve_human_review_downgrade","owner":"https://buyer.example.com",
                                    "plan_id":"p1","approver":"cfo@acme","reason":"too short"})"));
  CHECK(ErrorCodeOf(short_reason) == "VALIDATION_ERROR");
  CHECK(ErrorField(short_reason) == "reason");
  CHECK(*h.Admin(J(R"({"op":"approve_human_review_downgrade","owner":"https://buyer.example.com","plan_id":"p1",
                       "approver":"cfo@acme","reason":"Campaign no longer targets individuals."})"))
             .find_string("status") == "completed");
  CHECK(ErrorCodeOf(Sync(h, {Plan()})).empty());
  // The approval was consumed by that sync: going back up and down again needs another.
  Sync(h, {With(Plan(), "human_review_required", true)});
  ExpectError(Sync(h, {Plan()}), "VALIDATION_ERROR", "plans[0].human_review_required");
}

TEST_CASE("02 §2 rule k: industry triggers keep review on even when the flag is dropped", "[02][01]") {
  Host h;
  Value plan = With(Plan(), "brand.industries", J(R"(["mortgage"])"));
  Sync(h, {plan});
  // Dropping nothing that matters (the industry still triggers) is allowed.
  CHECK(ErrorCodeOf(Sync(h, {With(plan, "objectives", "Changed")})).empty());
  // Dropping the industry drops effective review: refused.
  ExpectError(Sync(h, {Plan()}), "VALIDATION_ERROR", "plans[0].human_review_required");
}

TEST_CASE("02 §2 rule l: an unresolvable brand is REFERENCE_NOT_FOUND", "[02]") {
  Host h;
  h.resolve_brand = [](std::string_view) { return HookResult<std::string>{R"({"resolvable":false})", ""}; };
  ExpectError(Sync(h, {Plan()}), "REFERENCE_NOT_FOUND", "plans[0].brand.domain");
}

TEST_CASE("02 §2 hooks are called at most once per plan item", "[02]") {
  Host h;
  h.resolve_brand = [](std::string_view) { return HookResult<std::string>{R"({"resolvable":true})", ""}; };
  h.resolve_policies = [](std::string_view) { return HookResult<std::string>{"[]", ""}; };
  Sync(h, {With(Plan(), "human_review_required", true)});
  h.brand_calls = h.policy_calls = 0;
  Sync(h, {With(Plan(), "human_review_required", true), Plan("p2")});  // p1 goes through rule k
  CHECK(h.brand_calls == 2);
  CHECK(h.policy_calls == 2);
}

TEST_CASE("02 §2 rules i and j need ledger state: currency change and budget cuts", "[02]") {
  // With no commitments yet, both are allowed.
  Host h;
  Sync(h, {Plan()});
  CHECK(ErrorCodeOf(Sync(h, {With(Plan(), "budget.currency", "EUR")})).empty());
  CHECK(ErrorCodeOf(Sync(h, {With(Plan(), "budget.total", 0.0)})).empty());
}

TEST_CASE("01 §2 schema conditionals: regulated categories require human_review_required true", "[01][02]") {
  Host h;
  ExpectError(Sync(h, {With(Plan(), "policy_categories", J(R"(["fair_lending"])"))}), "INVALID_REQUEST",
              "plans[0].human_review_required");
  ExpectError(Sync(h, {With(With(Plan(), "policy_categories", J(R"(["fair_housing"])")), "human_review_required", false)}),
              "INVALID_REQUEST", "plans[0].human_review_required");
  ExpectError(Sync(h, {With(Plan(), "policy_ids", J(R"(["eu_ai_act_annex_iii"])"))}), "INVALID_REQUEST",
              "plans[0].human_review_required");
  CHECK(ErrorCodeOf(Sync(h, {With(With(Plan(), "policy_categories", J(R"(["fair_lending"])")), "human_review_required",
                                true)}))
            .empty());
}

TEST_CASE("02 §1 schema: INVALID_REQUEST with the first failing location", "[02][08]") {
  Host h;
  ExpectError(Sync(h, {Without(Plan(), "budget")}), "INVALID_REQUEST", "plans[0].budget");
  ExpectError(Sync(h, {With(Plan(), "unknown_key", 1.0)}), "INVALID_REQUEST", "plans[0].unknown_key");
  // budget oneOf: both or neither of reallocation_threshold / reallocation_unlimited.
  ExpectError(Sync(h, {With(Plan(), "budget.reallocation_unlimited", true)}), "INVALID_REQUEST",
              "plans[0].budget.reallocation_threshold");
  Value neither = Plan();
  neither.find("budget")->erase("reallocation_threshold");
  ExpectError(Sync(h, {neither}), "INVALID_REQUEST", "plans[0].budget.reallocation_threshold");
  Value unlimited_false = neither;
  unlimited_false.find("budget")->set("reallocation_unlimited", false);
  ExpectError(Sync(h, {unlimited_false}), "INVALID_REQUEST", "plans[0].budget.reallocation_threshold");
  // A failure at an object comes before failures inside its members.
  Value both = With(Without(Plan(), "objectives"), "budget.total", "x");
  ExpectError(Sync(h, {both}), "INVALID_REQUEST", "plans[0].objectives");
  // Member order: the earlier member's failure wins.
  Value two = With(With(Plan(), "countries", J("[]")), "regions", J("[]"));
  ExpectError(Sync(h, {two}), "INVALID_REQUEST", "plans[0].countries");
  ExpectError(h.Call("sync_plans", J(R"({"idempotency_key":"short","plans":[]})"), kOwner), "INVALID_REQUEST",
              "idempotency_key");
  ExpectError(h.Call("sync_plans", J(R"({"idempotency_key":"sync-test-key-ok-0001","plans":[]})"), kOwner),
              "INVALID_REQUEST", "plans");
  ExpectError(h.Call("sync_plans", J(R"({"plans":[]})"), kOwner), "INVALID_REQUEST", "idempotency_key");
  ExpectError(Sync(h, {With(Plan(), "brand.domain", "Acme.Example")}), "INVALID_REQUEST", "plans[0].brand.domain");
  ExpectError(Sync(h, {With(Plan(), "approved_sellers", J(R"(["not a uri"])"))}), "INVALID_REQUEST",
              "plans[0].approved_sellers[0]");
  ExpectError(Sync(h, {With(Plan(), "audience", J("{}"))}), "INVALID_REQUEST", "plans[0].audience");
  ExpectError(Sync(h, {With(Plan(), "custom_policies", J(R"([{"policy_id":"x","enforcement":"must"}])"))}),
              "INVALID_REQUEST", "plans[0].custom_policies[0].policy");
  ExpectError(Sync(h, {With(Plan(), "budget.allocations", J(R"({"tv":{"amount":1}})"))}), "INVALID_REQUEST",
              "plans[0].budget.allocations.tv");
  ExpectError(Sync(h, {With(Plan(), "brand.data_subject_contestation", J(R"({"languages":["en"]})"))}),
              "INVALID_REQUEST", "plans[0].brand.data_subject_contestation.url");
  // Unknown top-level request members are tolerated.
  Value req = json::Obj({{"idempotency_key", NewKey()}, {"plans", Value(json::Array{Plan()})}, {"extra", 1.0}});
  CHECK(ErrorCodeOf(h.Call("sync_plans", req, kOwner)).empty());
}

TEST_CASE("02 §5 resolved_policies order, sources and hook semantics", "[02]") {
  Host h;
  h.resolve_policies = [](std::string_view) {
    return HookResult<std::string>{
        R"([{"policy_id":"gdpr","enforcement":"should"},{"policy_id":"auto_x","reason":"Jurisdiction match"},
            {"policy_id":"auto_y","requires_human_review":true}])",
        ""};
  };
  Value portfolio = With(Plan("port_b"), "portfolio",
                         J(R"({"member_plan_ids":["p1"],"shared_policy_ids":["shared_1"],
                              "shared_exclusions":[{"policy_id":"excl_1","enforcement":"should","policy":"No competitors."}]})"));
  Sync(h, {portfolio});
  Value plan = With(With(Plan(), "policy_ids", J(R"(["gdpr","dropped_by_hook"])")), "custom_policies",
                    J(R"([{"policy_id":"cp_1","enforcement":"may","policy":"Be nice.","requires_human_review":true},
                          {"policy_id":"gdpr","enforcement":"must","policy":"dup"}])"));
  Value r = Sync(h, {plan});
  CHECK_SUBSET(J(R"({"response":{"plans":[{"resolved_policies":[
      {"policy_id":"gdpr","source":"explicit","enforcement":"should","reason":"Referenced in plan policy_ids"},
      {"policy_id":"cp_1","source":"explicit","enforcement":"may","reason":"Declared in plan custom_policies"},
      {"policy_id":"shared_1","source":"auto_applied","enforcement":"must","reason":"Shared by portfolio port_b"},
      {"policy_id":"excl_1","source":"auto_applied","enforcement":"should","reason":"Shared by portfolio port_b"},
      {"policy_id":"auto_x","source":"auto_applied","enforcement":"must","reason":"Jurisdiction match"},
      {"policy_id":"auto_y","source":"auto_applied","enforcement":"must","reason":"$absent"}]}]}})"),
               r);
  // human_review category active: custom policy and hook policy require review.
  const json::Array& cats = *r.find("response")->find_array("plans")[0][0].find_array("categories");
  CHECK(*cats[8].find_string("status") == "active");
  CHECK(*cats[10].find_string("category_id") == "portfolio_budget");
  CHECK(*cats[10].find_string("status") == "inactive");  // no cap
}

TEST_CASE("02 §5 categories follow the plan's fields", "[02]") {
  Host h;
  h.evaluate_policies = [](std::string_view) { return HookResult<std::string>{R"({"findings":[]})", ""}; };
  Sync(h, {With(Plan("port"), "portfolio", J(R"({"member_plan_ids":["p1"],"total_budget_cap":{"amount":1,"currency":"USD"}})"))});
  Value plan = With(With(With(With(Plan(), "approved_sellers", J(R"(["https://s.example"])")),
                              "budget.per_seller_max_pct", 40.0),
                         "regions", J(R"(["US-MA"])")),
                    "custom_policies", J(R"([{"policy_id":"c","enforcement":"must","policy":"p"}])"));
  plan.find("budget")->erase("reallocation_threshold");
  plan.find("budget")->set("reallocation_unlimited", true);
  Value r = Sync(h, {plan});
  CHECK_SUBSET(J(R"({"response":{"plans":[{"categories":[
      {"category_id":"budget_authority","status":"active"},{"category_id":"delegation_authority","status":"active"},
      {"category_id":"seller_compliance","status":"active"},{"category_id":"seller_concentration","status":"active"},
      {"category_id":"geo_compliance","status":"active"},{"category_id":"channel_compliance","status":"inactive"},
      {"category_id":"flight_compliance","status":"active"},{"category_id":"delivery_pacing","status":"active"},
      {"category_id":"human_review","status":"inactive"},{"category_id":"policy_compliance","status":"active"},
      {"category_id":"portfolio_budget","status":"active"}]}]}})"),
               r);
}

TEST_CASE("08 §5 idempotency: replay, conflict, scope and expiry", "[08][02]") {
  Host h;
  Value req = json::Obj({{"idempotency_key", "replay-test-key-0001"},
                         {"plans", Value(json::Array{Plan()})},
                         {"context", J(R"({"trace":"first"})")}});
  Value first = h.Call("sync_plans", req, kOwner);
  std::string after_first = h.State();
  // Same key, same payload, different context: replay with the new context.
  req.put("context", J(R"({"trace":"second"})"));
  Value replay = h.Call("sync_plans", req, kOwner);
  CHECK_SUBSET(J(R"({"status":"completed","replayed":true,"response":{"replayed":true,"context":{"trace":"second"},
                     "plans":[{"version":1}]}})"), replay);
  CHECK(h.State() == after_first);  // no side effects
  // Byte-identical body apart from replayed/context.
  Value a = *first.find("response"), b = *replay.find("response");
  a.erase("context");
  b.erase("context");
  b.erase("replayed");
  CHECK(json::Write(a) == json::Write(b));
  // Same key, different payload: conflict, no field, no details.
  Value changed = req;
  changed.put("plans", Value(json::Array{With(Plan(), "objectives", "other")}));
  Value conflict = h.Call("sync_plans", changed, kOwner);
  CHECK(ErrorCodeOf(conflict) == "IDEMPOTENCY_CONFLICT");
  const Value& e = conflict.find_array("errors")[0][0];
  CHECK_FALSE(e.has("field"));
  CHECK_FALSE(e.has("details"));
  // Another agent's key space is separate.
  CHECK(ErrorCodeOf(h.Call("sync_plans", changed, kOther)).empty());
  // After replay_ttl_seconds + 60 s the key is expired (tombstone kept).
  h.now_ms += (86400.0 + 61) * 1000;
  CHECK(ErrorCodeOf(h.Call("sync_plans", req, kOwner)) == "IDEMPOTENCY_EXPIRED");
  CHECK(ErrorCodeOf(h.Call("sync_plans", changed, kOwner)) == "IDEMPOTENCY_EXPIRED");
}

TEST_CASE("08 §5 idempotency: window boundary is inclusive of ttl + 60 s", "[08]") {
  Host h;
  Value req = json::Obj({{"idempotency_key", "window-test-key-0001"}, {"plans", Value(json::Array{Plan()})}});
  h.Call("sync_plans", req, kOwner);
  h.now_ms += (86400.0 + 60) * 1000;
  CHECK(*h.Call("sync_plans", req, kOwner).find("replayed") == Value(true));
  h.now_ms += 1;
  CHECK(ErrorCodeOf(h.Call("sync_plans", req, kOwner)) == "IDEMPOTENCY_EXPIRED");
}

// Replay bodies leave in time order even when the host clock went back
// (issue 15 keeps them in a flat queue): the entry stored at the earlier
// time goes first though it was stored second; an imported agent keeps the
// same order.
TEST_CASE("08 §5 idempotency: replay bodies expire in time order when the clock goes back", "[08][15]") {
  const auto bodies = [](const std::string& state) {
    std::map<std::string, bool> out;
    const Value exported = J(state);
    for (const Value& e : *exported.find_array("idempotency")) {
      const std::string& scope = *e.find_string("scope");  // the agent's key, then the idempotency key
      out[scope.substr(scope.size() - 21)] = e.has("body");
    }
    return out;
  };
  const auto key = [](const char* k) { return json::Obj({{"idempotency_key", k}, {"plans", Value(json::Array{Plan()})}}); };
  const double window_ms = (86400.0 + 60) * 1000;
  Host h;
  h.now_ms = 10'000'000;
  h.Call("sync_plans", key("clock-back-key-00000A"), kOwner);
  h.now_ms -= 1000;  // the host clock goes back
  h.Call("sync_plans", key("clock-back-key-00000B"), kOwner);
  const std::string before = h.State();
  h.now_ms += window_ms + 1;  // past B's window, not past A's
  h.Call("sync_plans", key("clock-back-key-00000C"), kOwner);
  std::map<std::string, bool> kept = bodies(h.State());
  CHECK(kept.at("clock-back-key-00000A"));
  CHECK_FALSE(kept.at("clock-back-key-00000B"));
  CHECK(kept.at("clock-back-key-00000C"));
  CHECK(*h.Call("sync_plans", key("clock-back-key-00000A"), kOwner).find("replayed") == Value(true));
  // From the state before the last call, an imported agent drops the same body.
  Host imported(HostOptions{}, before);
  imported.now_ms = h.now_ms;
  imported.Call("sync_plans", key("clock-back-key-00000C"), kOwner);
  CHECK(bodies(imported.State()) == kept);

  // Many keys stored while the clock jumps back and forth: an imported agent
  // (whose entries arrive in no particular order) drops exactly the bodies
  // the live one drops.
  Host live;
  const double t0 = 20'000'000;
  for (int k = 0; k < 40; ++k) {
    live.now_ms = t0 + ((k * 17) % 40) * 1000.0;  // a permutation of 40 seconds
    char name[32];
    std::snprintf(name, sizeof name, "clock-jump-key-%06d", k);
    live.Call("sync_plans", key(name), kOwner);
  }
  const std::string jumped = live.State();
  live.now_ms = t0 + 20 * 1000.0 + window_ms + 1;  // past the first 21 seconds' windows
  live.Call("sync_plans", key("clock-jump-key-999999"), kOwner);
  const std::map<std::string, bool> live_kept = bodies(live.State());
  int dropped = 0;
  for (const auto& [name, has_body] : live_kept) dropped += has_body ? 0 : 1;
  CHECK(dropped == 21);
  Host restored(HostOptions{}, jumped);
  restored.now_ms = live.now_ms;
  restored.Call("sync_plans", key("clock-jump-key-999999"), kOwner);
  CHECK(bodies(restored.State()) == live_kept);
}

TEST_CASE("08 §5 idempotency: a key used by another task conflicts", "[08]") {
  Host h;
  Sync(h, {Plan()}, kOwner, "shared-task-key-0001");
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["p1"],"idempotency_key":"shared-task-key-0001"})"), kOwner);
  CHECK(ErrorCodeOf(audit) == "IDEMPOTENCY_CONFLICT");
}

TEST_CASE("08 §5 errors are never stored: a failed call can be retried with the same key", "[08]") {
  Host h;
  h.resolve_brand = [](std::string_view) { return HookResult<std::string>{R"({"resolvable":false})", ""}; };
  Value req = json::Obj({{"idempotency_key", "retry-after-error-01"}, {"plans", Value(json::Array{Plan()})}});
  CHECK(ErrorCodeOf(h.Call("sync_plans", req, kOwner)) == "REFERENCE_NOT_FOUND");
  h.resolve_brand = nullptr;
  CHECK(ErrorCodeOf(h.Call("sync_plans", req, kOwner)).empty());
}
