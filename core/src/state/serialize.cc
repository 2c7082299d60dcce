#include "state/serialize.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <type_traits>

#include "json/json.h"
#include "state/ledger.h"
#include "state/plans.h"
#include "state/records.h"
#include "util/url.h"

namespace adcp {
namespace {

constexpr const char* kFormat = "adcp-governance/state";
constexpr double kFormatVersion = 1;

Status InvalidState(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kInvalidState, "invalid state: " + message, field);
}
std::string At(const char* table, size_t i, const char* key = nullptr) {
  return std::string(table) + "[" + std::to_string(i) + "]" + (key ? std::string(".") + key : "");
}

template <class Record, class Id>
Status Unique(const std::deque<Record>& records, const char* table, Id id_of) {
  std::set<std::string> seen;
  for (size_t i = 0; i < records.size(); ++i)
    if (!seen.insert(std::string(std::string_view(id_of(records[i])))).second) return InvalidState(At(table, i), At(table, i) + " repeats an id");
  return Status::Ok();
}

// The links between records that the live path keeps and that the rebuild
// and every later call rely on (indexes are already known to be in range):
// ids are unique, a record and the records it names belong to the same
// plan, and two-way links agree.
Status CheckLinks(const State& s) {
  ADCP_RETURN_IF_ERROR(Unique(s.plans, "plans", [](const Plan& p) { return JoinKey(p.owner_key, p.plan_id); }));
  ADCP_RETURN_IF_ERROR(Unique(s.checks, "checks", [](const Check& c) { return c.check_id.str(); }));
  ADCP_RETURN_IF_ERROR(Unique(s.actions, "actions", [](const Action& a) { return a.action_id.str(); }));
  ADCP_RETURN_IF_ERROR(Unique(s.outcomes, "outcomes", [](const Outcome& o) { return o.outcome_id.str(); }));
  ADCP_RETURN_IF_ERROR(Unique(s.adjustments, "adjustments", [](const Adjustment& a) { return a.adjustment_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.escalations, "escalations", [](const Escalation& e) { return e.task_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.consultations, "consultations", [](const Consultation& c) { return c.handle; }));
  ADCP_RETURN_IF_ERROR(Unique(s.revocations, "revocations", [](const Revocation& r) { return std::to_string(r.check); }));
  ADCP_RETURN_IF_ERROR(Unique(s.accounts, "accounts", [](const Account& a) { return a.account_id; }));
  ADCP_RETURN_IF_ERROR(Unique(s.accounts, "accounts",
                              [](const Account& a) { return AccountKey(a.owner_key, a.brand, a.operator_domain); }));
  for (size_t i = 0; i < s.revocations.size(); ++i)
    if (s.checks[s.revocations[i].check].issued_token.empty())
      return InvalidState(At("revocations", i, "check"), At("revocations", i, "check") + " issued no token");
  auto bad = [](const std::string& field, const char* why) { return InvalidState(field, field + " " + why); };
  for (size_t i = 0; i < s.checks.size(); ++i) {
    const Check& c = s.checks[i];
    if (c.action != kNone && s.actions[c.action].plan != c.plan) return bad(At("checks", i, "action"), "is another plan's");
    if (c.presented_check != kNone && s.checks[c.presented_check].plan != c.plan)
      return bad(At("checks", i, "presented_check"), "is another plan's");
    if (c.consultation() != kNone && s.consultations[c.consultation()].plan != c.plan)
      return bad(At("checks", i, "consultation"), "is another plan's");
    if (c.escalation() != kNone && s.escalations[c.escalation()].check != static_cast<int32_t>(i))
      return bad(At("checks", i, "escalation"), "names an escalation of another check");
    if (c.pending && c.escalation() == kNone) return bad(At("checks", i, "pending"), "without an escalation");
    if (!c.body_json() && c.body_shape.empty()) return bad(At("checks", i, "body"), "is empty on a stored check");
    if (c.statement() && c.action == kNone) return bad(At("checks", i, "statement"), "belongs to a check without an action");
    if (!c.intent && c.verdict == Verdict::kApproved && c.planned_delivery() && c.action == kNone)
      return bad(At("checks", i, "action"), "is missing on an approved execution check");
  }
  for (size_t i = 0; i < s.actions.size(); ++i) {
    const Action& a = s.actions[i];
    if (s.checks[a.intent_check].plan != a.plan) return bad(At("actions", i, "intent_check"), "is another plan's");
    if (a.latest_exec_check != kNone && s.checks[a.latest_exec_check].plan != a.plan)
      return bad(At("actions", i, "latest_exec_check"), "is another plan's");
    if (a.settlement != kNone && s.outcomes[a.settlement].action != static_cast<int32_t>(i))
      return bad(At("actions", i, "settlement"), "is another action's outcome");
    for (int32_t adj : AdjustmentsOf(a).adjustments)
      if (s.adjustments[adj].action != static_cast<int32_t>(i))
        return bad(At("actions", i, "adjustments"), "names another action's adjustment");
  }
  for (size_t i = 0; i < s.outcomes.size(); ++i) {
    const Outcome& o = s.outcomes[i];
    if (o.action != kNone && s.actions[o.action].plan != o.plan) return bad(At("outcomes", i, "action"), "is another plan's");
    if (o.check != kNone && s.checks[o.check].plan != o.plan) return bad(At("outcomes", i, "check"), "is another plan's");
    if (!o.body_json && o.body_shape.empty()) return bad(At("outcomes", i, "body"), "is empty on a stored outcome");
    if (o.type() == "completed" && SettlementOf(o).seller_reference && o.action == kNone)
      return bad(At("outcomes", i, "action"), "is missing on a completed outcome");
    const bool observation = o.type() == "delivery" && !ObservationOf(o).observation_id.empty();
    if ((observation || (o.type() == "delivery" && !o.legacy_snapshot)) &&
        (o.action == kNone || o.check == kNone || !s.checks[o.check].statement()))
      return bad(At("outcomes", i), "is not bound to a delivery statement");
  }
  for (size_t i = 0; i < s.adjustments.size(); ++i) {
    const Adjustment& a = s.adjustments[i];
    if (s.actions[a.action].plan != a.plan) return bad(At("adjustments", i, "action"), "is another plan's");
    if (a.report_body_json.empty()) return bad(At("adjustments", i, "report_body"), "is empty on a stored adjustment");
    if (s.outcomes[a.outcome].plan != a.plan) return bad(At("adjustments", i, "outcome"), "is another plan's");
  }
  for (size_t i = 0; i < s.escalations.size(); ++i)
    if (s.checks[s.escalations[i].check].escalation() != static_cast<int32_t>(i))
      return bad(At("escalations", i, "check"), "names a check of another escalation");
  for (size_t i = 0; i < s.plans.size(); ++i)
    for (int32_t e : s.plans[i].escalations)
      if (s.checks[s.escalations[e].check].plan != static_cast<int32_t>(i))
        return bad(At("plans", i, "escalations"), "names another plan's escalation");
  return Status::Ok();
}

}  // namespace

json::Value ExportState(const State& state) {
  json::Value counters = json::Value::MakeObject();
  for (const auto& c : state.id_counters) counters.set(c.first, static_cast<double>(c.second));
  json::Value plans = json::Value::MakeArray(), checks = json::Value::MakeArray(), actions = json::Value::MakeArray(),
              outcomes = json::Value::MakeArray(), adjustments = json::Value::MakeArray(),
              escalations = json::Value::MakeArray(), consultations = json::Value::MakeArray(),
              idempotency = json::Value::MakeArray(), value_records = json::Value::MakeArray();
  for (const Plan& p : state.plans) plans.push(PlanToJson(p));
  for (const Check& c : state.checks) checks.push(CheckToJson(state, c));
  for (const Action& a : state.actions) actions.push(ActionToJson(a));
  for (const Outcome& o : state.outcomes) outcomes.push(OutcomeToJson(o));
  for (const Adjustment& a : state.adjustments) adjustments.push(AdjustmentToJson(a));
  for (const Escalation& e : state.escalations) escalations.push(EscalationToJson(e));
  for (const Consultation& c : state.consultations) consultations.push(ConsultationToJson(c));
  for (const ValueRecord& v : state.value_ledger.records) value_records.push(ValueRecordToState(v));
  json::Value revocations = json::Value::MakeArray();
  for (const Revocation& r : state.revocations) revocations.push(RevocationToJson(r));
  json::Value accounts = json::Value::MakeArray();
  for (const Account& a : state.accounts) accounts.push(AccountToJson(a));
  // In the order of the scopes as written (their stored form numbers the agents).
  std::vector<std::pair<std::string, const IdempotencyEntry*>> keyed;
  keyed.reserve(state.idempotency.size());
  for (const IdempotencyRecord& record : state.idempotency) keyed.emplace_back(FullScope(state, record.scope.text()), &record.entry);
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [scope, entry] : keyed) idempotency.push(IdempotencyToJson(state, scope, *entry));
  return json::Obj({{"format", kFormat},
                    {"format_version", kFormatVersion},
                    {"seq", static_cast<double>(state.seq)},
                    {"changes", static_cast<double>(state.changes)},
                    {"id_counters", std::move(counters)},
                    {"plans", std::move(plans)},
                    {"checks", std::move(checks)},
                    {"actions", std::move(actions)},
                    {"outcomes", std::move(outcomes)},
                    {"adjustments", std::move(adjustments)},
                    {"escalations", std::move(escalations)},
                    {"consultations", std::move(consultations)},
                    {"idempotency", std::move(idempotency)},
                    {"value_records", std::move(value_records)},
                    {"revocations", std::move(revocations)},
                    {"accounts", std::move(accounts)}});
}

namespace {

// The record tables of a state document, outlined (json::ParseOutline): each
// record is parsed on its own when it is read, so importing a large snapshot
// never holds the whole document as one tree (recovery time and peak memory,
// issue 12).
class Tables {
 public:
  Tables(std::string_view text, const json::Value& root, const json::Outline& outline)
      : text_(text), root_(root), outline_(outline) {}

  // Whether `key` is present and an array (a missing or mistyped table is the
  // caller's error to name).
  bool Has(const char* key) const { return root_.find_array(key) != nullptr; }
  size_t Count(const char* key) const {
    const std::vector<json::OutlineElement>* e = Elements(key);
    return e ? e->size() : 0;
  }
  // Reads every record of table `key` with `read(value, where)` until the
  // reader records an error; a record that is not valid JSON is the error.
  template <class Read>
  Status ForEach(const char* key, RecordReader& r, Read read) const {
    read_.insert(key);
    const std::vector<json::OutlineElement>* elements = Elements(key);
    for (size_t i = 0; elements && i < elements->size() && r.error.empty(); ++i) {
      const json::OutlineElement& e = (*elements)[i];
      const std::string where = At(key, i);
      if (e.scalar) {
        ADCP_RETURN_IF_ERROR(Call(read, *e.scalar, where));
        continue;
      }
      json::ParseLimits limits;
      limits.max_bytes = SIZE_MAX;
      limits.max_depth = kStateDepth - 2;  // the element sits two levels down
      json::ParseResult parsed = json::Parse(text_.substr(e.begin, e.end - e.begin), limits);
      if (!parsed.ok())
        return MakeError(ErrorCode::kInvalidState, "state is not valid JSON: " + parsed.message,
                         parsed.field.empty() ? where : where + (parsed.field[0] == '[' ? "" : ".") + parsed.field);
      ADCP_RETURN_IF_ERROR(Call(read, parsed.value, where));
    }
    return Status::Ok();
  }

  // Arrays no reader asked for (members a later format may add) are still
  // parsed, so a document is accepted only when all of it is valid JSON
  // (the outline pass scans records; it does not check them).
  Status CheckUnread() const {
    RecordReader unused;
    for (const auto& [key, elements] : outline_.arrays)
      if (!read_.count(key)) ADCP_RETURN_IF_ERROR(ForEach(key.c_str(), unused, [](const json::Value&, const std::string&) {}));
    return Status::Ok();
  }

  static constexpr size_t kStateDepth = 256;

 private:
  // A reader either records its problem in the RecordReader or returns it.
  template <class Read>
  static Status Call(Read& read, const json::Value& v, const std::string& where) {
    if constexpr (std::is_same_v<decltype(read(v, where)), Status>) {
      return read(v, where);
    } else {
      read(v, where);
      return Status::Ok();
    }
  }
  const std::vector<json::OutlineElement>* Elements(const char* key) const {
    for (const auto& a : outline_.arrays)
      if (a.first == key) return &a.second;
    return nullptr;
  }
  std::string_view text_;
  const json::Value& root_;
  const json::Outline& outline_;
  mutable std::set<std::string> read_;
};

// The tables added after the first format: the outcomes ledger (spec 11),
// revoked tokens and accounts; documents written before them have none.
Status ReadLaterTables(const Tables& t, const json::Value& doc, RecordReader& r, const TableSizes& sizes, State& s) {
  for (const char* key : {"value_records", "revocations", "accounts"})
    if (doc.has(key) && !t.Has(key)) return InvalidState(key, std::string(key) + " must be an array");
  ADCP_RETURN_IF_ERROR(t.ForEach("value_records", r, [&](const json::Value& v, const std::string& w) -> Status {
    ValueRecord record;
    std::string err = ValueRecordFromState(v, &record);
    if (!err.empty()) {
      const size_t space = err.find(' ');
      const std::string member = err.substr(0, space);
      return InvalidState(member == "must" ? w : w + "." + member, w + "." + err);
    }
    if (s.value_ledger.by_id.count(record.id)) return InvalidState(w + ".id", w + ": duplicate id");
    AddValueRecord(s.value_ledger, std::move(record));
    return Status::Ok();
  }));
  ADCP_RETURN_IF_ERROR(t.ForEach("revocations", r, [&](const json::Value& v, const std::string& w) {
    s.revocations.push_back(ReadRevocation(r, v, w, sizes));
  }));
  ADCP_RETURN_IF_ERROR(t.ForEach("accounts", r, [&](const json::Value& v, const std::string& w) {
    s.accounts.push_back(ReadAccount(r, v, w));
  }));
  if (!r.error.empty()) return InvalidState(r.field, r.error);
  return Status::Ok();
}

// Root members, counters and the record tables a snapshot holds, read in
// dependency order (links are checked against every table's size).
Status ReadTables(const Tables& t, const json::Value& doc, RecordReader& r, State& s) {
  for (const char* key : {"plans", "checks", "actions", "outcomes", "adjustments", "escalations", "consultations", "idempotency"})
    if (!t.Has(key)) r.Invalid(key, "must be an array");
  if (!r.error.empty()) return InvalidState(r.field, r.error);
  const TableSizes sizes{t.Count("plans"), t.Count("checks"), t.Count("actions"), t.Count("outcomes"),
                         t.Count("adjustments"), t.Count("escalations"), t.Count("consultations")};
  s.seq = static_cast<uint64_t>(r.Count(doc, "seq", ""));
  if (doc.has("changes")) s.changes = static_cast<uint64_t>(r.Count(doc, "changes", ""));  // absent before change sets
  if (const json::Value* counters = doc.find_object("id_counters")) {
    for (const json::Member& m : counters->as_object())
      s.id_counters[m.first] = static_cast<uint64_t>(r.Count(*counters, m.first.c_str(), "id_counters"));
  } else {
    r.Invalid("id_counters", "must be an object");
  }
  using V = const json::Value&;
  using W = const std::string&;
  ADCP_RETURN_IF_ERROR(t.ForEach("plans", r, [&](V v, W w) { s.plans.push_back(ReadPlan(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(t.ForEach("checks", r, [&](V v, W w) { s.checks.push_back(ReadCheck(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(t.ForEach("actions", r, [&](V v, W w) { s.actions.push_back(ReadAction(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(t.ForEach("outcomes", r, [&](V v, W w) { s.outcomes.push_back(ReadOutcome(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(
      t.ForEach("adjustments", r, [&](V v, W w) { s.adjustments.push_back(ReadAdjustment(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(
      t.ForEach("escalations", r, [&](V v, W w) { s.escalations.push_back(ReadEscalation(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(
      t.ForEach("consultations", r, [&](V v, W w) { s.consultations.push_back(ReadConsultation(r, v, w, sizes)); }));
  ADCP_RETURN_IF_ERROR(t.ForEach("idempotency", r, [&](V v, W w) {
    std::string scope;
    IdempotencyEntry e = ReadIdempotency(r, v, w, &scope);
    PutIdempotencyRecord(s, StoredScope(s, scope), std::move(e));
  }));
  if (!r.error.empty()) return InvalidState(r.field, r.error);
  return ReadLaterTables(t, doc, r, sizes, s);
}

}  // namespace

// Never inlined (nor by Binaryen, CMakeLists.txt): the whole import path
// would sit in its one caller, the WASM binding's constructor, and V8
// compiles a function whole on its first call, so every fresh agent compiled
// ~28 KB of import code it does not run (issue 15, WASM cold start).
[[gnu::noinline]] Status ImportState(std::string_view text, const Config& config, State* out) {
  json::ParseLimits limits;
  limits.max_bytes = SIZE_MAX;
  limits.max_depth = Tables::kStateDepth;
  json::Outline outline;
  json::ParseResult parsed = json::ParseOutline(text, limits, &outline);
  if (!parsed.ok())
    return MakeError(ErrorCode::kInvalidState, "state is not valid JSON: " + parsed.message, parsed.field);
  const json::Value& doc = parsed.value;
  if (!doc.is_object()) return InvalidState("", "the state must be a JSON object");
  const std::string* format = doc.find_string("format");
  const double* version = doc.find_number("format_version");
  if (!format || *format != kFormat || !version || *version != kFormatVersion)
    return InvalidState("format", "not an adcp-governance state document (format/format_version)");
  RecordReader r;
  r.take_strings = true;  // each record's tree is parsed for it alone
  State s;
  const Tables tables(text, doc, outline);
  ADCP_RETURN_IF_ERROR(ReadTables(tables, doc, r, s));
  ADCP_RETURN_IF_ERROR(tables.CheckUnread());
  ADCP_RETURN_IF_ERROR(CheckLinks(s));
  RebuildDerived(s, config);
  *out = std::move(s);
  return Status::Ok();
}

void IndexAccount(State& s, int32_t i) {
  Account& a = s.accounts[i];
  s.account_by_id[a.account_id] = i;
  s.account_by_key[AccountKey(a.owner_key, a.brand, a.operator_domain)] = i;
  std::vector<int32_t>& owned = s.accounts_by_owner[a.owner_key];
  a.owner_position = static_cast<int32_t>(owned.size());
  owned.push_back(i);
}

void RebuildDerived(State& s, const Config& config) {
  for (size_t i = 0; i < s.plans.size(); ++i) {
    Plan& p = s.plans[i];
    p.terms = ParseTerms(*p.plan);
    IndexPlan(s, static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.checks.size(); ++i) {
    Check& c = s.checks[i];
    IndexCheck(s, static_cast<int32_t>(i));
    IndexIssuedToken(s, static_cast<int32_t>(i), c);
    if (c.statement()) IndexStatement(s, static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.actions.size(); ++i) {
    Action& a = s.actions[i];
    IndexAction(s, static_cast<int32_t>(i));
    s.plans[a.plan].actions.push_back(static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.outcomes.size(); ++i) {
    const Outcome& o = s.outcomes[i];
    IndexOutcome(s, static_cast<int32_t>(i));
    if (o.type() == "delivery" && !ObservationOf(o).observation_id.empty()) IndexObservation(s, static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.adjustments.size(); ++i) {
    Adjustment& a = s.adjustments[i];
    IndexAdjustment(s, static_cast<int32_t>(i));
    s.adjustment_by_seller_id[JoinKey(a.seller_key, a.seller_adjustment_id)] = static_cast<int32_t>(i);
    s.adjustment_by_evidence_id[JoinKey(a.seller_key, a.evidence_id)] = static_cast<int32_t>(i);
    ActionAdjustments& action = MutableAdjustments(s.actions[a.action]);
    action.reported_adj.Add(a.amount);
    action.verified.Add(a.verified_amount);
    action.restored.Add(a.headroom_restored);
  }
  for (size_t i = 0; i < s.escalations.size(); ++i) {
    s.escalation_by_task[s.escalations[i].task_id] = static_cast<int32_t>(i);
    if (!s.escalations[i].resolution) s.pending_escalations.insert(static_cast<int32_t>(i));
    if (!s.escalations[i].claim_key.empty())
      s.escalations_by_claim[s.escalations[i].claim_key].push_back(static_cast<int32_t>(i));
  }
  for (size_t i = 0; i < s.consultations.size(); ++i)
    s.consultation_by_handle[s.consultations[i].handle] = static_cast<int32_t>(i);
  for (size_t i = 0; i < s.revocations.size(); ++i) s.revocation_by_check[s.revocations[i].check] = static_cast<int32_t>(i);
  for (size_t i = 0; i < s.accounts.size(); ++i) IndexAccount(s, static_cast<int32_t>(i));
  for (size_t i = 0; i < s.idempotency.size(); ++i) {
    IdempotencyEntry& e = s.idempotency[i].entry;
    if (e.body_json) s.idempotency_expiry.emplace_back(e.stored_at_ms, static_cast<int32_t>(i));
    if (e.body_json && e.task == KeyedTask::kReportPlanOutcome) {
      const json::Value body = json::ParseStored(*e.body_json);
      const std::string* id = body.find_string("outcome_id");
      const int32_t outcome = id ? FindOutcome(s, *id) : kNone;
      if (outcome != kNone) ShareOutcomeBody(s, e, outcome);
    }
  }
  // In time order, as the store queues them (entries of equal time expire together).
  std::stable_sort(s.idempotency_expiry.begin(), s.idempotency_expiry.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });

  // Final records in seq order: counters, audit entries, delivery periods.
  std::vector<std::pair<uint64_t, EntryRef>> order;  // (seq, entry)
  for (size_t i = 0; i < s.checks.size(); ++i)
    if (!s.checks[i].pending && s.checks[i].seq > 0)
      order.push_back({s.checks[i].seq, {static_cast<int32_t>(i), EntryKind::kCheck}});
  for (size_t i = 0; i < s.outcomes.size(); ++i)
    order.push_back({s.outcomes[i].seq, {static_cast<int32_t>(i), EntryKind::kOutcome}});
  for (size_t i = 0; i < s.adjustments.size(); ++i)
    order.push_back({s.adjustments[i].seq, {static_cast<int32_t>(i), EntryKind::kAdjustment}});
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& seq_entry : order) {
    const EntryRef& e = seq_entry.second;
    switch (e.kind()) {
      case EntryKind::kCheck: {
        const Check& c = s.checks[e.index()];
        // Only the body's findings are counted: a body without that word
        // need not be parsed (most of them; recovery time, issue 12).
        const std::string_view stored = !c.body_shape.empty() ? std::string_view(c.body_shape.str())
                                        : c.body_json()       ? std::string_view(*c.body_json())
                                                              : std::string_view();
        CountFinalCheck(s, e.index(), stored.find("findings\"") == std::string::npos
                                        ? json::Value()
                                        : CheckBodyValue(c));
        if (c.statement()) RecordStatement(s, e.index());
        if (!c.intent && c.verdict == Verdict::kApproved && c.planned_delivery())
          if (const std::optional<json::Value> planned = PlannedDeliveryOf(c))
            if (const std::string* mb = planned->find_string("media_buy_id")) RecordMediaBuyId(s, c.action, *mb);
        break;
      }
      case EntryKind::kOutcome: {
        CountOutcome(s, e.index());
        const Outcome& o = s.outcomes[e.index()];
        if (o.legacy_snapshot && o.action != kNone)
          if (std::optional<double> spend = DeliveryNumber(o, "spend"))
            MutableAdjustments(s.actions[o.action]).legacy_snapshot_spend.Add(*spend);
        if (o.type() == "completed" && SettlementOf(o).seller_reference)
          RecordMediaBuyId(s, o.action, SettlementOf(o).seller_reference->str());
        if (o.type() == "delivery" && !ObservationOf(o).observation_id.empty()) RecordObservation(s, e.index());
        break;
      }
      case EntryKind::kAdjustment:
        CountAdjustment(s, e.index());
        break;
    }
  }
  // H2 series in the order the live path registered them: at approval (the
  // intent check's seq) or, for 3.0-era actions bound later, at binding (the
  // first approved execution check's seq).
  std::vector<std::pair<uint64_t, int32_t>> registration;
  {
    std::vector<uint64_t> first_exec_seq(s.actions.size(), 0);
    for (const Check& c : s.checks)
      if (!c.intent && c.action != kNone && c.verdict == Verdict::kApproved && c.seq > 0 &&
          (first_exec_seq[c.action] == 0 || c.seq < first_exec_seq[c.action]))
        first_exec_seq[c.action] = c.seq;
    for (size_t i = 0; i < s.actions.size(); ++i) {
      const Action& a = s.actions[i];
      uint64_t at = a.aggregation_at_ms ? first_exec_seq[i] : s.checks[a.intent_check].seq;
      registration.emplace_back(at, static_cast<int32_t>(i));
    }
    std::stable_sort(registration.begin(), registration.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
  }
  for (const auto& reg : registration) RegisterAggregation(s, reg.second);
  for (size_t i = 0; i < s.actions.size(); ++i) {
    RecordSettlementAggregation(s, static_cast<int32_t>(i));
    ApplyActionLedger(s, static_cast<int32_t>(i), +1);
    Action& a = s.actions[i];
    std::optional<double> held = a.authorized();
    if (config.budget_holds && a.settlement == kNone && held) {
      a.StartHold(*held, a.hold_exp_ms, HoldChannels(s, a));
      ApplyActionHold(s, static_cast<int32_t>(i), +1);
    }
  }
}

}  // namespace adcp
