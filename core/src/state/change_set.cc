// Change sets (issue 11): writing a call's operation log down, and applying
// one to a twin agent through the same Store operations.
//
// Application is two-phase: every operation is first read and validated
// (types, ranges, indexes against the tables as the earlier operations of
// the set leave them) into a closure; nothing is changed unless all of them
// read cleanly. The closures then run; each checks the few links the upkeep
// relies on before it changes anything.
#include <functional>

#include "json/json.h"
#include "state/records.h"
#include "state/store.h"
#include "state/value_ledger.h"
#include "util/url.h"

namespace adcp {
namespace {

constexpr const char* kFormat = "adcp-governance/change-set";
constexpr double kFormatVersion = 1;

using Step = std::function<Status(Store&)>;

Status Invalid(const std::string& field, const std::string& message) {
  return MakeError(ErrorCode::kInvalidChangeSet, "invalid change set: " + message, field);
}

// A link the upkeep relies on is missing: the set does not fit this state.
Status Contradicts(const std::string& field) {
  return MakeError(ErrorCode::kInvalidChangeSet, "invalid change set: " + field + " does not fit this state", field);
}

class OpReader {
 public:
  explicit OpReader(const State& state) {
    sizes_ = TableSizes{state.plans.size(),       state.checks.size(),      state.actions.size(),
                        state.outcomes.size(),    state.adjustments.size(), state.escalations.size(),
                        state.consultations.size()};
    accounts_ = state.accounts.size();
  }

  RecordReader r;

  Status Read(const json::Value& op, const std::string& w, std::vector<Step>* steps);

 private:
  int32_t Index(const json::Value& op, const char* key, const std::string& w, size_t limit) {
    return r.Index(op, key, w, limit, false);
  }
  std::optional<std::string> OptString(const json::Value& op, const char* key, const std::string& w) {
    const json::Value* v = r.Get(op, key, w);
    if (!v || v->is_null()) return std::nullopt;
    return r.Str(op, key, w);
  }
  json::Value Text(const json::Value& op, const char* key, const std::string& w) { return r.Any(op, key, w); }
  Step PlanStep(const json::Value& op, const std::string& w, const std::string& name);
  Step CheckStep(const json::Value& op, const std::string& w, const std::string& name);
  Step ActionStep(const json::Value& op, const std::string& w, const std::string& name);
  Step OutcomeStep(const json::Value& op, const std::string& w, const std::string& name);
  Step OtherStep(const json::Value& op, const std::string& w, const std::string& name);

  TableSizes sizes_;
  size_t accounts_ = 0;  // accounts, as the set's earlier operations leave them
};

Status OpReader::Read(const json::Value& op, const std::string& w, std::vector<Step>* steps) {
  if (!op.is_object()) return Invalid(w, w + " must be an object");
  const std::string name = r.Str(op, "op", w);
  Step step;
  if (!(step = PlanStep(op, w, name)) && !(step = CheckStep(op, w, name)) && !(step = ActionStep(op, w, name)) &&
      !(step = OutcomeStep(op, w, name)) && !(step = OtherStep(op, w, name)) && r.error.empty())
    r.Invalid(w + ".op", "is not an operation of this format");
  if (!r.error.empty()) return Invalid(r.field, r.error);
  steps->push_back(std::move(step));
  return Status::Ok();
}

Step OpReader::PlanStep(const json::Value& op, const std::string& w, const std::string& name) {
  if (name == "sync_plan") {
    PlanSync s;
    s.plan = r.Index(op, "plan", w, sizes_.plans, true);
    if (s.plan == kNone) {
      s.owner = r.Str(op, "owner", w);
      s.owner_key = NormalizeAgentUrl(s.owner).value_or("");
      if (s.owner_key.empty()) r.Invalid(w + ".owner", "is not an agent URL");
      s.plan_id = r.Str(op, "plan_id", w);
      ++sizes_.plans;
    }
    if (const json::Value* rev = r.Get(op, "revision", w)) s.revision = ReadPlanRevision(r, *rev, w + ".revision");
    if (s.revision.plan && !s.revision.plan->is_object()) r.Invalid(w + ".revision.plan", "must be an object");
    json::Value brand = Text(op, "brand", w);
    if (brand.is_object()) {
      s.brand.resolvable = r.Bool(brand, "resolvable", w + ".brand");
      s.brand.industries = r.Strings(brand, "industries", w + ".brand");
      if (const json::Value* c = brand.find("data_subject_contestation")) s.brand.data_subject_contestation = *c;
    } else {
      r.Invalid(w + ".brand", "must be JSON text of an object");
    }
    if (const json::Value* rps = r.Get(op, "resolved_policies", w); rps && rps->is_array()) {
      for (size_t j = 0; j < rps->size(); ++j) {
        const json::Value& rp = rps->as_array()[j];
        const std::string wp = w + ".resolved_policies[" + std::to_string(j) + "]";
        ResolvedPolicy pol;
        pol.policy_id = r.Str(rp, "policy_id", wp);
        pol.source = r.Enum(rp, "source", wp, {"explicit", "auto_applied"});
        pol.enforcement = r.Enum(rp, "enforcement", wp, {"must", "should", "may"});
        pol.reason = r.Opt<std::string>(rp, "reason", wp);
        s.resolved_policies.push_back(std::move(pol));
      }
    } else {
      r.Invalid(w + ".resolved_policies", "must be an array");
    }
    s.effective_human_review = r.Bool(op, "effective_human_review", w);
    s.human_review_reasons = r.Strings(op, "human_review_reasons", w);
    s.categories = Text(op, "categories", w);
    return [s](Store& store) mutable {
      store.SyncPlan(std::move(s));
      return Status::Ok();
    };
  }
  if (name == "set_plan_status") {
    int32_t plan = Index(op, "plan", w, sizes_.plans);
    std::string status = r.Enum(op, "status", w, {"active", "suspended", "completed"});
    PlanStatus st = status == "suspended" ? PlanStatus::kSuspended
                    : status == "completed" ? PlanStatus::kCompleted : PlanStatus::kActive;
    return [plan, st](Store& store) {
      store.SetPlanStatus(plan, st);
      return Status::Ok();
    };
  }
  if (name == "set_plan_mode") {
    int32_t plan = Index(op, "plan", w, sizes_.plans);
    std::optional<std::string> mode = OptString(op, "mode", w);
    if (mode && *mode != "audit" && *mode != "advisory" && *mode != "enforce") r.Invalid(w + ".mode", "is not a mode");
    return [plan, mode](Store& store) {
      store.SetPlanMode(plan, mode);
      return Status::Ok();
    };
  }
  if (name == "set_plan_drift_thresholds") {
    int32_t plan = Index(op, "plan", w, sizes_.plans);
    std::optional<json::Value> thresholds;
    if (const json::Value* t = r.Get(op, "thresholds", w); t && !t->is_null()) thresholds = Text(op, "thresholds", w);
    return [plan, thresholds](Store& store) {
      store.SetPlanDriftThresholds(plan, thresholds);
      return Status::Ok();
    };
  }
  if (name == "set_pending_downgrade") {
    int32_t plan = Index(op, "plan", w, sizes_.plans);
    json::Value downgrade = Text(op, "downgrade", w);
    return [plan, downgrade](Store& store) {
      store.SetPendingDowngrade(plan, downgrade);
      return Status::Ok();
    };
  }
  return nullptr;
}

Step OpReader::CheckStep(const json::Value& op, const std::string& w, const std::string& name) {
  if (name == "add_check") {
    Check c;
    if (const json::Value* v = r.Get(op, "check", w)) c = ReadCheck(r, *v, w + ".check", sizes_);
    if (c.escalation() != kNone) r.Invalid(w + ".check.escalation", "is set by add_escalation");
    ++sizes_.checks;
    return [c](Store& store) mutable {
      if (c.statement() && c.action == kNone) return Contradicts("check.statement");
      store.AddCheck(std::move(c));
      return Status::Ok();
    };
  }
  if (name == "finalize_check") {
    int32_t check = Index(op, "check", w, sizes_.checks);
    int64_t final_ms = r.Time(op, "final_at", w);
    json::Value body = Text(op, "body", w);
    if (!body.is_object()) r.Invalid(w + ".body", "must be JSON text of an object");
    return [check, final_ms, body](Store& store) {
      // A check becomes final once: its seq orders the plan's audit entries.
      if (store.state().checks[check].seq != 0) return Contradicts("check");
      store.FinalizeCheck(check, final_ms, body);
      return Status::Ok();
    };
  }
  if (name == "approve_intent") {
    int32_t check = Index(op, "check", w, sizes_.checks);
    Action a;
    if (const json::Value* v = r.Get(op, "action", w)) a = ReadAction(r, *v, w + ".action", sizes_);
    std::string token = r.Str(op, "token", w);
    int64_t exp_ms = r.Time(op, "expires_at", w);
    ++sizes_.actions;
    return [check, a, token, exp_ms](Store& store) mutable {
      if (store.state().checks[check].plan != a.plan) return Contradicts("action.plan");
      // A check is approved once, as the agent approves it: a token issued
      // twice would leave the first one indexed to a check that no longer has it.
      if (store.state().checks[check].action != kNone || !store.state().checks[check].issued_token.empty())
        return Contradicts("check");
      store.ApproveIntent(check, std::move(a), std::move(token), exp_ms);
      return Status::Ok();
    };
  }
  if (name == "mint_token") {
    int32_t check = Index(op, "check", w, sizes_.checks);
    std::string token = r.Str(op, "token", w);
    int64_t exp_ms = r.Time(op, "expires_at", w);
    json::Value body = Text(op, "body", w);
    return [check, token, exp_ms, body](Store& store) mutable {
      // A deferred token is minted once, on an approved check that has none (MintDeferredToken).
      const Check& c = store.state().checks[check];
      if (c.action == kNone || !c.issued_token.empty()) return Contradicts("check");
      store.MintToken(check, std::move(token), exp_ms, json::Write(body));
      return Status::Ok();
    };
  }
  if (name == "record_statement") {
    int32_t check = Index(op, "check", w, sizes_.checks);
    return [check](Store& store) {
      const Check& c = store.state().checks[check];
      if (!c.statement() || c.action == kNone) return Contradicts("check");
      store.RecordStatement(check);
      return Status::Ok();
    };
  }
  if (name == "add_consultation") {
    Consultation c;
    if (const json::Value* v = r.Get(op, "consultation", w)) c = ReadConsultation(r, *v, w + ".consultation", sizes_);
    ++sizes_.consultations;
    return [c](Store& store) mutable {
      store.AddConsultation(std::move(c));
      return Status::Ok();
    };
  }
  if (name == "update_consultation") {
    int32_t consultation = Index(op, "consultation", w, sizes_.consultations);
    int64_t attempts = r.Count(op, "attempts", w);
    bool open = r.Bool(op, "open", w);
    return [consultation, attempts, open](Store& store) {
      store.UpdateConsultation(consultation, attempts, open);
      return Status::Ok();
    };
  }
  return nullptr;
}

Step OpReader::ActionStep(const json::Value& op, const std::string& w, const std::string& name) {
  if (name == "add_escalation") {
    Escalation e;
    if (const json::Value* v = r.Get(op, "escalation", w)) e = ReadEscalation(r, *v, w + ".escalation", sizes_);
    json::Value body = Text(op, "body", w);
    ++sizes_.escalations;
    return [e, body](Store& store) mutable {
      if (store.state().checks[e.check].escalation() != kNone) return Contradicts("escalation.check");
      store.AddEscalation(std::move(e), json::Write(body));
      return Status::Ok();
    };
  }
  if (name == "resolve_escalation") {
    int32_t escalation = Index(op, "escalation", w, sizes_.escalations);
    std::string resolution = r.Enum(op, "resolution", w, {"approved_by_human", "rejected_by_human", "expired"});
    int64_t at = r.Time(op, "resolved_at", w);
    std::optional<std::string> reviewer = OptString(op, "reviewer", w), reason = OptString(op, "reason", w);
    Verdict verdict = VerdictFromName(r.Enum(op, "verdict", w, {"approved", "denied", "conditions"})).value_or(Verdict::kDenied);
    return [=](Store& store) {
      store.ResolveEscalation(escalation, resolution, at, reviewer, reason, verdict);
      return Status::Ok();
    };
  }
  if (name == "claim_escalation") {
    int32_t escalation = Index(op, "escalation", w, sizes_.escalations);
    return [escalation](Store& store) {
      store.ClaimEscalation(escalation);
      return Status::Ok();
    };
  }
  if (name == "bind_action") {
    int32_t action = Index(op, "action", w, sizes_.actions);
    std::string target = r.Str(op, "target_agent", w);
    std::string key = NormalizeAgentUrl(target).value_or("");
    if (key.empty()) r.Invalid(w + ".target_agent", "is not an agent URL");
    int64_t at = r.Time(op, "at", w);
    return [action, target, key, at](Store& store) {
      store.BindAction(action, target, key, at);
      return Status::Ok();
    };
  }
  if (name == "set_next_check") {
    int32_t action = Index(op, "action", w, sizes_.actions);
    int64_t at = r.Time(op, "next_check", w);
    return [action, at](Store& store) {
      store.SetNextCheck(action, at);
      return Status::Ok();
    };
  }
  if (name == "record_media_buy") {
    int32_t action = Index(op, "action", w, sizes_.actions);
    std::string id = r.Str(op, "media_buy_id", w);
    return [action, id](Store& store) {
      store.RecordMediaBuy(action, id);
      return Status::Ok();
    };
  }
  if (name == "confirm_execution") {
    int32_t action = Index(op, "action", w, sizes_.actions);
    int32_t check = Index(op, "check", w, sizes_.checks);
    std::optional<double> exec;
    if (const json::Value* x = r.Get(op, "exec", w); x && !x->is_null()) exec = r.Num(op, "exec", w);
    int64_t exp_ms = r.Time(op, "expires_at", w), now = r.Time(op, "now", w);
    return [=](Store& store) {
      store.ConfirmExecution(action, check, exec, exp_ms, now);
      return Status::Ok();
    };
  }
  return nullptr;
}

Step OpReader::OutcomeStep(const json::Value& op, const std::string& w, const std::string& name) {
  if (name == "add_outcome") {
    Outcome o;
    if (const json::Value* v = r.Get(op, "outcome", w)) o = ReadOutcome(r, *v, w + ".outcome", sizes_);
    ++sizes_.outcomes;
    return [o](Store& store) mutable {
      store.AddOutcome(std::move(o));
      return Status::Ok();
    };
  }
  if (name == "settle") {
    int32_t outcome = Index(op, "outcome", w, sizes_.outcomes);
    return [outcome](Store& store) {
      if (store.state().outcomes[outcome].action == kNone) return Contradicts("outcome");
      store.Settle(outcome);
      return Status::Ok();
    };
  }
  if (name == "add_snapshot_spend") {
    int32_t action = Index(op, "action", w, sizes_.actions);
    double spend = r.Num(op, "spend", w);
    return [action, spend](Store& store) {
      store.AddSnapshotSpend(action, spend);
      return Status::Ok();
    };
  }
  if (name == "finalize_outcome") {
    int32_t outcome = Index(op, "outcome", w, sizes_.outcomes);
    json::Value body = Text(op, "body", w);
    return [outcome, body](Store& store) {
      const State& s = store.state();
      const Outcome& o = s.outcomes[outcome];
      if (o.seq != 0) return Contradicts("outcome");  // final once, as a check
      if (o.type() == "delivery" && !ObservationOf(o).observation_id.empty() &&
          (o.action == kNone || o.check == kNone || !s.checks[o.check].statement()))
        return Contradicts("outcome");
      store.FinalizeOutcome(outcome, json::Write(body));
      return Status::Ok();
    };
  }
  if (name == "add_adjustment") {
    Adjustment a;
    if (const json::Value* v = r.Get(op, "adjustment", w)) a = ReadAdjustment(r, *v, w + ".adjustment", sizes_);
    ++sizes_.adjustments;
    return [a](Store& store) mutable {
      store.AddAdjustment(std::move(a));
      return Status::Ok();
    };
  }
  if (name == "set_adjustment_body") {
    int32_t adjustment = Index(op, "adjustment", w, sizes_.adjustments);
    json::Value body = Text(op, "body", w);
    return [adjustment, body](Store& store) {
      store.SetAdjustmentReportBody(adjustment, json::Write(body));
      return Status::Ok();
    };
  }
  if (name == "review_adjustment") {
    int32_t adjustment = Index(op, "adjustment", w, sizes_.adjustments);
    AdjustmentReview review;
    review.state = r.Enum(op, "state", w, {"verified", "disputed"});
    review.verified_amount = r.Num(op, "verified_amount", w);
    review.headroom_restored = r.Num(op, "headroom_restored", w);
    review.reviewed_by = r.Str(op, "reviewed_by", w);
    review.reviewed_at_ms = r.Time(op, "reviewed_at", w);
    review.review_reason = OptString(op, "review_reason", w);
    return [adjustment, review](Store& store) mutable {
      store.ReviewAdjustment(adjustment, std::move(review));
      return Status::Ok();
    };
  }
  return nullptr;
}

Step OpReader::OtherStep(const json::Value& op, const std::string& w, const std::string& name) {
  if (name == "put_idempotency") {
    std::string scope;
    IdempotencyEntry e;
    if (const json::Value* v = r.Get(op, "entry", w)) e = ReadIdempotency(r, *v, w + ".entry", &scope);
    return [scope, e](Store& store) mutable {
      store.PutIdempotency(std::move(scope), std::move(e));
      return Status::Ok();
    };
  }
  if (name == "add_value_record") {
    ValueRecord v;
    if (const json::Value* rec = r.Get(op, "record", w)) {
      std::string err = ValueRecordFromState(*rec, &v);
      if (!err.empty()) r.Invalid(w + ".record", err);
    }
    return [v](Store& store) mutable {
      if (store.state().value_ledger.by_id.count(v.id)) return Contradicts("record.id");
      store.AddValueRecord(std::move(v));
      return Status::Ok();
    };
  }
  if (name == "put_account") {
    int32_t index = r.Index(op, "account", w, accounts_, true);
    Account a;
    if (const json::Value* v = r.Get(op, "record", w)) a = ReadAccount(r, *v, w + ".record");
    if (index == kNone) ++accounts_;
    return [index, a](Store& store) mutable {
      const State& s = store.state();
      const std::string key = AccountKey(a.owner_key, a.brand, a.operator_domain);
      if (index == kNone ? (s.account_by_id.count(a.account_id) || s.account_by_key.count(key))
                         : (s.accounts[index].account_id != a.account_id ||
                            AccountKey(s.accounts[index].owner_key, s.accounts[index].brand,
                                       s.accounts[index].operator_domain) != key))
        return Contradicts("record");
      store.PutAccount(index, std::move(a));
      return Status::Ok();
    };
  }
  if (name == "add_revocation") {
    Revocation rev;
    if (const json::Value* v = r.Get(op, "revocation", w)) rev = ReadRevocation(r, *v, w + ".revocation", sizes_);
    return [rev](Store& store) mutable {
      if (store.state().revocation_by_check.count(rev.check) || store.state().checks[rev.check].issued_token.empty())
        return Contradicts("revocation.check");
      store.AddRevocation(std::move(rev));
      return Status::Ok();
    };
  }
  if (name == "set_counters") {
    std::map<std::string, uint64_t> counters;
    if (const json::Value* c = r.Get(op, "counters", w); c && c->is_object()) {
      for (const json::Member& m : c->as_object())
        counters[m.first] = static_cast<uint64_t>(r.Count(*c, m.first.c_str(), w + ".counters"));
    } else {
      r.Invalid(w + ".counters", "must be an object");
    }
    return [counters](Store& store) {
      store.SetCounters(counters);
      return Status::Ok();
    };
  }
  return nullptr;
}

}  // namespace

std::string ChangeSetText(const ChangeLog& log, uint64_t changes_before, uint64_t seq_before, const State& after) {
  // The canonical JSON (JCS) of {format, format_version, before, after, ops},
  // written in its sorted key order around the ops, which are canonicalized
  // where they are (issue 15: wrapping them in an object copied every op).
  std::string out;
  out.reserve(1024);
  auto counts = [&out](uint64_t changes, uint64_t seq) {
    out += "{\"changes\":";
    json::AppendNumber(out, static_cast<double>(changes));
    out += ",\"seq\":";
    json::AppendNumber(out, static_cast<double>(seq));
    out += '}';
  };
  out += "{\"after\":";
  counts(after.changes, after.seq);
  out += ",\"before\":";
  counts(changes_before, seq_before);
  out += ",\"format\":";
  json::AppendQuoted(out, kFormat);
  out += ",\"format_version\":";
  json::AppendNumber(out, kFormatVersion);
  out += ",\"ops\":[";
  for (size_t i = 0; i < log.ops.size(); ++i) {
    if (i) out += ',';
    json::AppendCanonical(out, log.ops[i]);
  }
  out += "]}";
  return out;
}

Status ApplyChangeSet(State& state, const Config& config, const json::Value& doc, bool* damaged) {
  *damaged = false;
  if (!doc.is_object()) return Invalid("", "a change set must be a JSON object");
  const std::string* format = doc.find_string("format");
  const double* version = doc.find_number("format_version");
  if (!format || *format != kFormat || !version || *version != kFormatVersion)
    return Invalid("format", "not an adcp-governance change set (format/format_version)");
  OpReader reader(state);
  RecordReader& r = reader.r;
  const json::Value* before = r.Get(doc, "before", "");
  const json::Value* after = r.Get(doc, "after", "");
  const json::Array* ops = doc.find_array("ops");
  if (!ops) r.Invalid("ops", "must be an array");
  if (!r.error.empty()) return Invalid(r.field, r.error);
  const uint64_t changes_before = static_cast<uint64_t>(r.Count(*before, "changes", "before"));
  const uint64_t seq_before = static_cast<uint64_t>(r.Count(*before, "seq", "before"));
  const uint64_t changes_after = static_cast<uint64_t>(r.Count(*after, "changes", "after"));
  const uint64_t seq_after = static_cast<uint64_t>(r.Count(*after, "seq", "after"));
  if (!r.error.empty()) return Invalid(r.field, r.error);
  if (changes_before != state.changes || seq_before != state.seq || changes_after != changes_before + 1)
    return MakeError(ErrorCode::kChangeSetOutOfOrder,
                     "change set " + std::to_string(changes_after) + " does not follow state " +
                         std::to_string(state.changes) + " (seq " + std::to_string(state.seq) + ")",
                     "before");
  std::vector<Step> steps;
  for (size_t i = 0; i < ops->size(); ++i)
    ADCP_RETURN_IF_ERROR(reader.Read((*ops)[i], "ops[" + std::to_string(i) + "]", &steps));
  Store store(state, config);
  for (const Step& step : steps) {
    Status s = step(store);
    if (!s.ok()) {
      *damaged = true;
      return s;
    }
  }
  if (state.seq != seq_after) {
    *damaged = true;
    return Invalid("after.seq", "the operations end at seq " + std::to_string(state.seq));
  }
  state.changes = changes_after;
  return Status::Ok();
}

}  // namespace adcp
