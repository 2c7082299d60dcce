// importState on arbitrary bytes (issue 17: state documents are untrusted
// input once they are read back from disk or a database). Invariants: no
// sanitizer report; an accepted document exports, and that export imports
// again to the same bytes.
//
// An accepted document's records are then exercised through the public API:
// at most kMaxCalls calls, built from the agent's own export (its plans,
// actions, checks with their issued tokens, statements, outcomes and
// adjustments; only the first few records of each kind), so that the tasks
// read what import restored: a seller's execution checks (purchase or
// modification, and delivery with a new or a replayed statement) presenting
// an imported token with the action's proposal binding, the buyer's
// settlement and delivery observation, an adjustment report or review, and
// audit logs filtered by governance_contexts and purchase_types, paged and
// followed by their cursors. A few choices (phase, statement replay or not,
// observation source, ...) come from a hash of the input: the calls are a
// pure function of the input. Invariants: every answer is a JSON object with
// a status; a failed call leaves the export byte-identical; after the calls
// the export still imports and round-trips.
//
// ADCP_FUZZ_TRACE=1 prints every call and answer (e.g. with -runs=0 on a seed).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"
#include "util/time.h"

namespace {

using namespace adcp;

constexpr size_t kMaxCalls = 8;
constexpr size_t kScan = 16;  // records of each kind looked at (the first ones)
constexpr double kDefaultNow = 1767225600000;  // 2026-01-01T00:00:00Z, fuzz::Host's clock
constexpr double kMaxMillis = 253402300799999;  // 9999-12-31T23:59:59.999Z
constexpr const char* kSeller = "https://seller.example.com";
constexpr const char* kBuyer = "https://buyer.example.com";

json::Value ParseAny(std::string_view text) {
  json::ParseLimits limits;
  limits.max_bytes = SIZE_MAX;
  limits.max_depth = 256;
  json::ParseResult p = json::Parse(text, limits);
  return p.ok() ? std::move(p.value) : json::Value();
}

// Readers of export records: an absent or mistyped member reads as empty.
std::string Str(const json::Value* o, const char* key) {
  const std::string* s = o ? o->find_string(key) : nullptr;
  return s ? *s : std::string();
}
std::optional<double> Num(const json::Value* o, const char* key) {
  const double* d = o ? o->find_number(key) : nullptr;
  if (!d || !std::isfinite(*d)) return std::nullopt;
  return *d;
}
// A record index (-1 for none).
int64_t Index(const json::Value* o, const char* key) {
  std::optional<double> d = Num(o, key);
  if (!d || *d < 0 || *d > 1e9 || *d != std::floor(*d)) return -1;
  return static_cast<int64_t>(*d);
}
// A time member usable as the host clock.
std::optional<double> Millis(const json::Value* o, const char* key) {
  std::optional<double> d = Num(o, key);
  if (!d || *d < 0 || *d > kMaxMillis) return std::nullopt;
  return std::floor(*d);
}
// A member that holds JSON text (planned_delivery, body, plan revisions).
json::Value Embedded(const json::Value* o, const char* key) {
  const std::string* s = o ? o->find_string(key) : nullptr;
  return s ? ParseAny(*s) : json::Value();
}

bool IsCurrency(const std::string& s) {
  return s.size() == 3 && std::isupper(static_cast<unsigned char>(s[0])) &&
         std::isupper(static_cast<unsigned char>(s[1])) && std::isupper(static_cast<unsigned char>(s[2]));
}
bool IsB64Digest(const std::string& s) {  // sha256:<43 base64url>, as planned_delivery.proposal_terms_digest
  if (s.size() != 50 || s.compare(0, 7, "sha256:") != 0) return false;
  for (char c : s.substr(7))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}
bool IsHexDigest(const std::string& s) {  // sha256:<64 lowercase hex>, as statement digests
  if (s.size() != 71 || s.compare(0, 7, "sha256:") != 0) return false;
  for (char c : s.substr(7))
    if (!std::isdigit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) return false;
  return true;
}
bool IsPurchaseType(const std::string& s) {
  return s == "media_buy" || s == "rights_license" || s == "signal_activation" || s == "creative_services";
}
bool IsIncrementalTool(const std::string& t) {  // core/src/eval/intent_inputs.cc
  return t == "update_media_buy" || t == "accept_proposal" || t == "control_media_buy";
}
std::string Time(double ms) { return FormatMillis(static_cast<int64_t>(ms)); }

// The records of the export the calls are built from.
struct Records {
  json::Value doc;
  const json::Array* plans = nullptr;
  const json::Array* checks = nullptr;
  const json::Array* actions = nullptr;
  const json::Array* outcomes = nullptr;
  const json::Array* adjustments = nullptr;

  explicit Records(const std::string& exported) : doc(ParseAny(exported)) {
    if (!doc.is_object()) fuzz::Violation("an export is not a JSON object", exported);
    plans = doc.find_array("plans");
    checks = doc.find_array("checks");
    actions = doc.find_array("actions");
    outcomes = doc.find_array("outcomes");
    adjustments = doc.find_array("adjustments");
  }
  static const json::Value* At(const json::Array* a, int64_t i) {
    return a && i >= 0 && static_cast<size_t>(i) < a->size() ? &(*a)[static_cast<size_t>(i)] : nullptr;
  }
  static size_t Scanned(const json::Array* a) { return a ? std::min(a->size(), kScan) : 0; }
  const json::Value* Plan(int64_t i) const { return At(plans, i); }
  const json::Value* Check(int64_t i) const { return At(checks, i); }
  const json::Value* Action(int64_t i) const { return At(actions, i); }

  // The plan's currency (its latest revision's budget), else the fallback.
  std::string Currency(const json::Value* plan, const std::string& fallback) const {
    const json::Array* revs = plan ? plan->find_array("revisions") : nullptr;
    if (revs && !revs->empty()) {
      json::Value body = Embedded(&revs->back(), "plan");
      const json::Value* budget = body.find_object("budget");
      std::string c = Str(budget, "currency");
      if (IsCurrency(c)) return c;
    }
    return IsCurrency(fallback) ? fallback : "USD";
  }
  // The media buy an action is bound to: its latest execution check's
  // planned delivery, else its settlement's seller reference.
  std::string MediaBuy(const json::Value* action) const {
    json::Value pd = Embedded(Check(Index(action, "latest_exec_check")), "planned_delivery");
    std::string mb = Str(&pd, "media_buy_id");
    if (mb.empty()) mb = Str(At(outcomes, Index(action, "settlement")), "seller_reference");
    return mb.empty() ? "mb_fuzz_import" : mb;
  }
  // The check whose token a seller presents for the action.
  int64_t PresentedCheck(const json::Value* action) const {
    for (const char* key : {"latest_exec_check", "intent_check"}) {
      int64_t c = Index(action, key);
      if (!Str(Check(c), "issued_token").empty()) return c;
    }
    return -1;
  }
};

struct Driver {
  GovernanceAgent& agent;
  fuzz::Host& host;
  std::string state;  // the export after the last call
  size_t calls = 0;
  bool trace = false;

  bool Spent() const { return calls >= kMaxCalls; }
  // One call at `now` (the host clock); the parsed answer, null once the budget is spent.
  json::Value Call(const char* task, const json::Value& request, const std::string& agent_url, std::optional<double> now) {
    if (Spent()) return json::Value();
    ++calls;
    host.now_ms = now ? *now : kDefaultNow;
    const std::string body = json::Write(request);
    const std::string answer = agent.Call(task, body, json::Write(json::Obj({{"agent_url", agent_url}})));
    if (trace) std::fprintf(stderr, "-> %s as %s\n%s\n<- %s\n", task, agent_url.c_str(), body.c_str(), answer.c_str());
    const bool failed = fuzz::StatusOf(answer) == "failed";
    const bool changed = !agent.LastChangeSet().empty();
    auto detail = [&] { return std::string(task) + "\n" + body + "\n" + answer; };
    if (failed && changed) fuzz::Violation("a failed call produced a change set", detail());
    // The export is taken when the state changed (the next failure compares
    // with it) and after a failure; a call without a change set changes
    // nothing, which a later comparison and the final one check.
    if (failed || changed) {
      std::string after = agent.ExportState();
      if (failed && after != state)
        fuzz::Violation("the state changed in a failed call (or earlier, in a call without a change set)", detail());
      state = std::move(after);
    }
    return ParseAny(answer);
  }
};

// The proposal members of a planned delivery when the action has a
// proposal binding (or either member of one): the stored id and digest, in
// the request's shape; a stored value the request schema would refuse (or,
// when `other`, the digest) is replaced by a well-formed one, so that the
// check reaches E4's comparison with the stored binding.
void AddProposal(json::Value& pd, const json::Value* action, bool other) {
  if (!action || (!action->has("proposal_id") && !action->has("terms_digest"))) return;
  std::string id = Str(action, "proposal_id"), digest = Str(action, "terms_digest");
  if (id.empty() || id.size() > 255) id = "fz_proposal";
  if (other || !IsB64Digest(digest)) digest = "sha256:" + std::string(43, digest.size() > 7 && digest[7] == 'A' ? 'B' : 'A');
  pd.set("proposal_id", id);
  pd.set("proposal_terms_digest", digest);
}

uint64_t Fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

// What the steps share: the export's records, the driver of the calls, the
// choices from the input's hash and the action a seller exercises.
struct Steps {
  Records rec;
  Driver d;
  uint64_t bits;
  int64_t ai = -1;  // the exercised action's index (-1 for none)
  const json::Value* action = nullptr;

  Steps(GovernanceAgent& agent, fuzz::Host& host, const std::string& exported, uint64_t choices, bool trace)
      : rec(exported), d{agent, host, exported, 0, trace}, bits(choices) {}
  bool bit(int i) const { return ((bits >> i) & 1) != 0; }
};

// What a seller's two checks on the exercised action share.
struct SellerSide {
  const json::Value* plan = nullptr;
  std::string currency;
  std::string agent_url;
  std::string media_buy;
  std::optional<double> now;  // the presented check's creation
  std::string token;          // the context the delivery check presents
};

// The action a seller exercises: the first with a proposal binding, else
// the first with a token to present.
void ChooseAction(Steps& s) {
  for (size_t i = 0; i < Records::Scanned(s.rec.actions); ++i) {
    const json::Value* a = s.rec.Action(static_cast<int64_t>(i));
    if (s.rec.PresentedCheck(a) < 0) continue;
    if (s.ai < 0) s.ai = static_cast<int64_t>(i);
    if (a->has("proposal_id") || a->has("terms_digest")) {
      s.ai = static_cast<int64_t>(i);
      break;
    }
  }
  s.action = s.rec.Action(s.ai);
}

// 1. A seller's purchase or modification check presenting the action's token.
SellerSide SellerExecutionCheck(Steps& s) {
  const Records& rec = s.rec;
  const json::Value* action = s.action;
  SellerSide seller;
  const int64_t presented = rec.PresentedCheck(action);
  const json::Value* check = rec.Check(presented);
  seller.plan = rec.Plan(Index(action, "plan"));
  seller.currency = IsCurrency(Str(action, "currency")) ? Str(action, "currency") : rec.Currency(seller.plan, "USD");
  seller.agent_url = Str(action, "target_agent");
  if (seller.agent_url.empty()) seller.agent_url = kSeller;
  seller.media_buy = rec.MediaBuy(action);
  seller.now = Millis(check, "created_at");
  std::optional<double> amount = Num(action, "exec");
  if (!amount) amount = Num(action, "ceiling");
  if (!amount || *amount < 0) amount = 1;
  json::Value pd = json::Obj({{"media_buy_id", seller.media_buy}});
  AddProposal(pd, action, s.bit(1));
  const bool incremental = IsIncrementalTool(Str(action, "tool"));
  if (!incremental) {
    pd.set("total_budget", *amount);
    pd.set("currency", seller.currency);
  }
  const bool modification = Index(action, "latest_exec_check") >= 0 && s.bit(0);
  json::Value request = json::Obj({{"caller", seller.agent_url},
                                   {"governance_context", Str(check, "issued_token")},
                                   {"phase", modification ? "modification" : "purchase"},
                                   {"planned_delivery", pd}});
  if (incremental) request.set("execution_commitment", json::Obj({{"amount", *amount}, {"currency", seller.currency}}));
  json::Value answer = s.d.Call("check_governance", request, seller.agent_url, seller.now);
  const json::Value* response = answer.find_object("response");
  seller.token = Str(response, "governance_context");
  if (seller.token.empty()) seller.token = Str(check, "issued_token");
  return seller;
}

// 2. A delivery check: a replay of the action's last imported statement
// (its canonical payload, from the check body), or a new statement.
void SellerDeliveryCheck(Steps& s, const SellerSide& seller) {
  const Records& rec = s.rec;
  const json::Value* last = nullptr;
  double highest = 0;
  for (size_t i = 0; i < Records::Scanned(rec.checks); ++i) {
    const json::Value* c = rec.Check(static_cast<int64_t>(i));
    const json::Value* st = c->find_object("statement");
    if (!st || Index(c, "action") != s.ai) continue;
    last = c;
    if (std::optional<double> q = Num(st, "sequence"); q && *q > highest && *q < 9007199254740991.0) highest = *q;
  }
  const json::Value* last_statement = last ? last->find_object("statement") : nullptr;
  json::Value body = Embedded(last, "body");
  const json::Value* echo = body.find_object("delivery_statement");
  const json::Value* payload = echo ? echo->find_object("canonical_payload") : nullptr;
  const json::Value* replayed = payload ? payload->find_object("delivery_metrics") : nullptr;
  json::Value metrics;
  std::string reference = seller.media_buy;
  if (replayed && s.bit(2)) {
    metrics = *replayed;
    reference = Str(payload, "seller_reference");
  } else {
    const double end = seller.now ? *seller.now : kDefaultNow;
    json::Value period = last_statement && s.bit(3)
                             ? json::Obj({{"start", Str(last_statement, "period_start")}, {"end", Str(last_statement, "period_end")}})
                             : json::Obj({{"start", Time(std::max(0.0, end - 7 * 86400000.0))}, {"end", Time(end)}});
    double spend = Num(last_statement, "cumulative_spend").value_or(0) + 100;
    if (!(spend >= 0 && spend < 1e15)) spend = 100;
    metrics = json::Obj({{"statement_id", "fz_statement_" + std::to_string(static_cast<int64_t>(highest) + 1)},
                         {"sequence", highest + 1},
                         {"issued_at", Time(end)},
                         {"reporting_period", std::move(period)},
                         {"spend", 100},
                         {"cumulative_spend", spend},
                         {"currency", rec.Currency(seller.plan, seller.currency)}});
    if (s.bit(4)) metrics.set("pacing", s.bit(5) ? "ahead" : "behind");
    if (s.bit(5)) metrics.set("channel_distribution", json::Obj({{"olv", 60}, {"ctv", 40}}));
    Expected<std::string> digest = GovernanceAgent::StatementDigest(reference, json::Write(metrics));
    if (digest.ok()) metrics.set("statement_digest", digest.value);
  }
  json::Value delivery_pd = json::Obj({{"media_buy_id", reference.empty() ? seller.media_buy : reference}});
  AddProposal(delivery_pd, s.action, false);
  s.d.Call("check_governance",
           json::Obj({{"caller", seller.agent_url},
                      {"governance_context", seller.token},
                      {"phase", "delivery"},
                      {"planned_delivery", std::move(delivery_pd)},
                      {"delivery_metrics", std::move(metrics)}}),
           seller.agent_url, seller.now);
}

// 3. The buyer settles an action (the first unsettled one, else the
// exercised one) against its intent check or its purchase check.
void SettleOutcome(Steps& s) {
  const Records& rec = s.rec;
  const json::Value* settled = nullptr;
  for (size_t i = 0; i < Records::Scanned(rec.actions) && !settled; ++i)
    if (Index(rec.Action(static_cast<int64_t>(i)), "settlement") < 0) settled = rec.Action(static_cast<int64_t>(i));
  if (!settled) settled = s.action;
  if (!settled) return;
  const int64_t ci = s.bit(6) && Index(settled, "latest_exec_check") >= 0 ? Index(settled, "latest_exec_check")
                                                                           : Index(settled, "intent_check");
  const json::Value* check = rec.Check(ci);
  const json::Value* plan = rec.Plan(Index(settled, "plan"));
  std::optional<double> amount = Num(settled, "exec");
  if (!amount) amount = Num(settled, "ceiling");
  if (!amount || *amount < 0) amount = 0;
  json::Value request = json::Obj({{"idempotency_key", "fuzz-import-settle-0001"},
                                   {"plan_id", Str(plan, "plan_id")},
                                   {"check_id", Str(check, "check_id")},
                                   {"governance_context", Str(check, "issued_token")}});
  if (IsPurchaseType(Str(settled, "purchase_type"))) request.set("purchase_type", Str(settled, "purchase_type"));
  if (s.bit(7)) {
    request.set("outcome", "failed");
    request.set("error", json::Obj({{"code", "SELLER_REJECTED"}, {"message", "fuzz"}}));
  } else {
    request.set("outcome", "completed");
    request.set("seller_response", json::Obj({{"seller_reference", rec.MediaBuy(settled)}, {"committed_budget", *amount}}));
  }
  std::string caller = Str(settled, "caller");
  s.d.Call("report_plan_outcome", request, caller.empty() ? kBuyer : caller, Millis(check, "created_at"));
}

// 4. A delivery observation against an imported statement check.
void DeliveryObservation(Steps& s) {
  const Records& rec = s.rec;
  for (size_t i = 0; i < Records::Scanned(rec.checks); ++i) {
    const json::Value* c = rec.Check(static_cast<int64_t>(i));
    const json::Value* st = c->find_object("statement");
    if (!st) continue;
    const json::Value* a = rec.Action(Index(c, "action"));
    const json::Value* plan = rec.Plan(Index(c, "plan"));
    const bool owner = s.bit(8);
    std::string reporter = owner ? Str(plan, "owner") : Str(a, "caller");
    if (reporter.empty()) reporter = kBuyer;
    const std::optional<double> now = Millis(c, "created_at");
    std::optional<double> spend = Num(st, "cumulative_spend");
    if (!spend || *spend < 0) spend = 0;
    json::Value delivery = json::Obj({{"observation_id", "fz_observation_1"},
                                      {"source", "buyer_measurement"},
                                      {"observed_at", Time(now ? *now : kDefaultNow)},
                                      {"reporting_period", json::Obj({{"start", Str(st, "period_start")}, {"end", Str(st, "period_end")}})},
                                      {"cumulative_spend", *spend},
                                      {"currency", rec.Currency(plan, Str(a, "currency"))}});
    const std::string digest = Str(st, "statement_digest");
    if (s.bit(9) || !IsHexDigest(digest)) {
      delivery.put("cumulative_spend", *spend + (s.bit(10) ? 500 : 0));  // a measurement, maybe off the statement
    } else {
      delivery.put("source", "seller_statement_copy");
      delivery.set("seller_statement_id", Str(st, "statement_id"));
      delivery.set("seller_statement_digest", digest);
    }
    if (owner && s.bit(11)) delivery.set("period_closed", true);
    s.d.Call("report_plan_outcome",
             json::Obj({{"idempotency_key", "fuzz-import-observe-001"},
                        {"plan_id", Str(plan, "plan_id")},
                        {"check_id", Str(c, "check_id")},
                        {"governance_context", Str(c, "issued_token")},
                        {"outcome", "delivery"},
                        {"delivery", std::move(delivery)}}),
             reporter, now);
    break;
  }
}

// 5. The plan owner reviews a reported adjustment, or the seller reports
// one on a completed outcome.
void Adjustment(Steps& s) {
  const Records& rec = s.rec;
  const json::Value* reported = nullptr;
  for (size_t i = 0; i < Records::Scanned(rec.adjustments) && !reported; ++i)
    if (Str(&(*rec.adjustments)[i], "state") == "reported") reported = &(*rec.adjustments)[i];
  const json::Value* completed = nullptr;
  for (size_t i = 0; i < Records::Scanned(rec.outcomes) && !completed; ++i) {
    const json::Value* o = &(*rec.outcomes)[i];
    std::optional<double> committed = Num(o, "committed_budget");
    if (Str(o, "type") == "completed" && committed && *committed > 0) completed = o;
  }
  if (reported && (!completed || s.bit(12))) {
    const json::Value* plan = rec.Plan(Index(reported, "plan"));
    json::Value request = json::Obj({{"action", "review"},
                                     {"plan_id", Str(plan, "plan_id")},
                                     {"adjustment_id", Str(reported, "adjustment_id")},
                                     {"decision", s.bit(13) ? "dispute" : "accept"},
                                     {"idempotency_key", "fuzz-import-review-0001"}});
    if (s.bit(13)) request.set("reason", "Not agreed.");
    s.d.Call("report_plan_adjustment", request, Str(plan, "owner"), Millis(reported, "timestamp"));
  } else if (completed) {
    const json::Value* a = rec.Action(Index(completed, "action"));
    const json::Value* plan = rec.Plan(Index(completed, "plan"));
    const std::optional<double> now = Millis(completed, "timestamp");
    const std::string at = Time(now ? *now : kDefaultNow);
    std::string seller = Str(a, "target_agent");
    json::Value request = json::Obj(
        {{"action", "report"},
         {"plan_id", Str(plan, "plan_id")},
         {"outcome_id", Str(completed, "outcome_id")},
         {"seller_reference", Str(completed, "seller_reference")},
         {"seller_adjustment_id", "fz_adjustment_1"},
         {"adjustment_type", s.bit(12) ? "refund" : "decommitment"},
         {"amount", json::Obj({{"amount", std::min(*Num(completed, "committed_budget"), 1000.0)},
                               {"currency", rec.Currency(plan, Str(a, "currency"))}})},
         {"reason", "Fuzz adjustment."},
         {"effective_at", at},
         {"evidence", json::Obj({{"evidence_id", "fz_evidence_1"},
                                 {"evidence_type", s.bit(12) ? "refund_settlement" : "decommitment_agreement"},
                                 {"digest", "sha256:" + std::string(64, 'c')},
                                 {"issued_at", at}})},
         {"idempotency_key", "fuzz-import-adjust-0001"}});
    json::Value answer = s.d.Call("report_plan_adjustment", request, seller.empty() ? kSeller : seller, now);
    // ... and its review by the plan owner.
    const std::string adjustment_id = Str(answer.find_object("response"), "adjustment_id");
    if (!adjustment_id.empty() && !s.d.Spent())
      s.d.Call("report_plan_adjustment",
               json::Obj({{"action", "review"},
                          {"plan_id", Str(plan, "plan_id")},
                          {"adjustment_id", adjustment_id},
                          {"decision", "accept"},
                          {"idempotency_key", "fuzz-import-review-0001"}}),
               Str(plan, "owner"), now);
  }
}

// 6. Audit logs of the first plan's owner: the governance_contexts of the
// owner's first tokens (or the plan itself), a purchase_types filter,
// entries and governed actions paged, then the next pages by cursor.
void AuditPages(Steps& s) {
  const Records& rec = s.rec;
  const json::Value* plan = rec.Plan(s.action ? Index(s.action, "plan") : 0);
  if (!plan) plan = rec.Plan(0);
  if (!plan) return;
  const std::string owner = Str(plan, "owner");
  json::Value contexts = json::Value::MakeArray();
  for (size_t i = 0; i < Records::Scanned(rec.checks) && contexts.size() < 3; ++i) {
    const json::Value* c = rec.Check(static_cast<int64_t>(i));
    const std::string token = Str(c, "issued_token");
    if (!token.empty() && Str(rec.Plan(Index(c, "plan")), "owner") == owner) contexts.push(token);
  }
  json::Value request = json::Value::MakeObject();
  if (contexts.size() > 0 && !s.bit(14)) request.set("governance_contexts", std::move(contexts));
  else request.set("plan_ids", json::Value(json::Array{json::Value(Str(plan, "plan_id"))}));
  const std::string type = Str(s.action, "purchase_type");
  if (IsPurchaseType(type) && s.bit(15)) request.set("purchase_types", json::Value(json::Array{json::Value(type)}));
  request.set("include_entries", true);
  json::Value paging = json::Obj({{"entries", json::Obj({{"limit", s.bit(16) ? 1 : 2}})},
                                  {"governed_actions", json::Obj({{"limit", s.bit(17) ? 0 : 1}})}});
  if (s.bit(18)) paging.set("burn", true);
  request.set("ext", json::Obj({{"adcp_governance", paging}}));
  for (int page = 0; page < 3 && !s.d.Spent(); ++page) {
    json::Value answer = s.d.Call("get_plan_audit_logs", request, owner, std::nullopt);
    const json::Value* response = answer.find_object("response");
    const json::Value* ext = response ? response->find_object("ext") : nullptr;
    const json::Value* ns = ext ? ext->find_object("adcp_governance") : nullptr;
    bool more = false;
    for (const auto& [list, member] : {std::pair{"pages", "entries"}, std::pair{"action_pages", "governed_actions"}}) {
      const json::Array* pages = ns ? ns->find_array(list) : nullptr;
      std::string cursor = pages && !pages->empty() ? Str(&pages->front(), "next_cursor") : "";
      json::Value* spec = request.find("ext")->find("adcp_governance")->find(member);
      if (cursor.empty()) {
        spec->erase("after");
      } else {
        spec->put("after", cursor);
        more = true;
      }
    }
    if (!more) break;
  }
}

// The calls on an imported agent whose export is `exported`.
void Exercise(GovernanceAgent& agent, fuzz::Host& host, const std::string& exported, uint64_t bits) {
  static const bool trace = std::getenv("ADCP_FUZZ_TRACE") != nullptr;
  Steps s(agent, host, exported, bits, trace);
  ChooseAction(s);
  if (s.action) {
    const SellerSide seller = SellerExecutionCheck(s);
    SellerDeliveryCheck(s, seller);
  }
  SettleOutcome(s);
  DeliveryObservation(s);
  Adjustment(s);
  AuditPages(s);

  // The state after the calls still round-trips.
  if (s.d.calls == 0) return;
  if (agent.ExportState() != s.d.state) fuzz::Violation("the state changed in a call without a change set", s.d.state);
  fuzz::CheckRoundTrip(fuzz::kDefaultConfig, s.d.state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::Host host;
  Expected<std::unique_ptr<GovernanceAgent>> agent = GovernanceAgent::Import(fuzz::kDefaultConfig, input, host.MakeHooks());
  if (!agent.ok()) {
    if (agent.error.empty()) fuzz::Violation("import failed without a message");
    return 0;
  }
  const std::string exported = agent.value->ExportState();
  fuzz::CheckRoundTrip(fuzz::kDefaultConfig, exported);
  // An imported agent answers calls on its records without breaking its own invariants.
  Exercise(*agent.value, host, exported, Fnv1a(data, size));
  return 0;
}
