#include "eval/intent_inputs.h"

#include <cmath>
#include <type_traits>

#include "canon/digests.h"
#include "json/json.h"
#include "util/money.h"

namespace adcp {
namespace {

TaskError Invalid(const std::string& field, const std::string& what) {
  return MakeError(ErrorCode::kValidationError, field + ": " + what, field);
}

const json::Value* At(const json::Value& root, std::initializer_list<const char*> path) {
  const json::Value* cur = &root;
  for (const char* k : path) {
    if (!cur->is_object()) return nullptr;
    cur = cur->find(k);
    if (!cur) return nullptr;
  }
  return cur;
}

// A field path for an error message, spelled only when a value is wrong
// (issue 15: spelling every source's path was most of an intent check's
// allocations). `path` is a callable returning the text, or the text.
template <typename Path>
std::string Spell(const Path& path) {
  if constexpr (std::is_invocable_v<const Path&>)
    return path();
  else
    return std::string(path);
}

std::string Dotted(std::string base, const std::vector<const char*>& keys) {
  for (const char* k : keys) base += std::string(".") + k;
  return base;
}

// Appends the strings of an array source; error when it is not an array of strings.
template <typename Path>
Status CollectStrings(const json::Value* v, const Path& path, std::vector<std::string>* out) {
  if (!v) return Status::Ok();
  if (!v->is_array()) return Invalid(Spell(path), "must be an array of strings");
  for (const json::Value& e : v->as_array()) {
    if (!e.is_string()) return Invalid(Spell(path), "must be an array of strings");
    if (!ContainsString(*out, e.as_string())) out->push_back(e.as_string());
  }
  return Status::Ok();
}

const json::Array* ProposalPurchases(const json::Value& request) {
  const json::Value* p = At(request, {"proposal", "commercial_terms", "purchases"});
  return p && p->is_array() ? &p->as_array() : nullptr;
}

// One source list: each entry is a single path or a union over array elements.
struct Source {
  std::vector<const char*> path;   // path to the value, or to the array for unions
  std::vector<const char*> inner;  // non-empty: union over elements' inner path
  bool proposal = false;           // union over proposal purchases
};

Status FirstNonEmpty(const json::Value& request, const std::vector<Source>& sources, std::vector<std::string>* out) {
  const json::Value* payload = request.find("payload");
  for (const Source& s : sources) {
    std::vector<std::string> got;
    if (s.proposal) {
      if (const json::Array* purchases = ProposalPurchases(request)) {
        for (size_t i = 0; i < purchases->size(); ++i) {
          const json::Value* v = (*purchases)[i].is_object() ? At((*purchases)[i], {"targeting_overlay", s.inner[0]}) : nullptr;
          auto path = [&] {
            return "proposal.commercial_terms.purchases[" + std::to_string(i) + "].targeting_overlay." + s.inner[0];
          };
          ADCP_RETURN_IF_ERROR(CollectStrings(v, path, &got));
        }
      }
    } else if (!s.inner.empty()) {
      const json::Value* arr = payload;
      for (const char* k : s.path) arr = arr && arr->is_object() ? arr->find(k) : nullptr;
      if (arr && arr->is_array()) {
        for (size_t i = 0; i < arr->size(); ++i) {
          const json::Value& el = arr->as_array()[i];
          const json::Value* v = &el;
          for (const char* k : s.inner) v = v && v->is_object() ? v->find(k) : nullptr;
          auto path = [&] { return Dotted(Dotted("payload", s.path) + "[" + std::to_string(i) + "]", s.inner); };
          ADCP_RETURN_IF_ERROR(CollectStrings(v, path, &got));
        }
      }
    } else {
      const json::Value* v = payload;
      for (const char* k : s.path) v = v && v->is_object() ? v->find(k) : nullptr;
      ADCP_RETURN_IF_ERROR(CollectStrings(v, [&] { return Dotted("payload", s.path); }, &got));
    }
    if (!got.empty()) {
      *out = std::move(got);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// A start/end value: RFC 3339 date-time (or `asap` for a start).
template <typename Path>
Status TimeValue(const json::Value* v, const Path& path, bool is_start, bool is_date, int64_t now_ms,
                 std::optional<Instant>* out, std::string* raw) {
  if (!v || out->has_value()) return Status::Ok();
  if (!v->is_string()) return Invalid(Spell(path), is_date ? "must be a date" : "must be an RFC 3339 date-time");
  const std::string& s = v->as_string();
  if (is_start && s == "asap") {
    *out = Instant::FromMillis(now_ms);
    *raw = FormatMillis(now_ms);
    return Status::Ok();
  }
  std::optional<Instant> t;
  if (is_date) {
    t = ParseDate(s);
    if (t && !is_start) t->seconds += 86400;  // an end date means the next day's midnight (01 §12)
  } else {
    t = ParseDateTime(s);
  }
  if (!t) return Invalid(Spell(path), is_date ? "must be a date (YYYY-MM-DD)" : "must be an RFC 3339 date-time");
  *out = t;
  *raw = s;
  return Status::Ok();
}

}  // namespace

bool IsExplicitCommitmentTool(const std::string& t) {
  return t == "update_media_buy" || t == "buy_products" || t == "accept_proposal" || t == "control_media_buy" ||
         t == "acquire_rights" || t == "update_rights" || t == "activate_signal" || t == "build_creative";
}

bool IsIncrementalTool(const std::string& t) {
  return t == "update_media_buy" || t == "accept_proposal" || t == "control_media_buy";
}

Result<RequestedScope> ExtractIntentScope(const json::Value& request, int64_t now_ms) {
  RequestedScope scope;
  // Built once: as temporaries they were two vectors a source, every call.
  static const std::vector<Source> kCountrySources = {{{"geo", "countries"}, {}},
                                                      {{"targeting", "countries"}, {}},
                                                      {{"countries"}, {}},
                                                      {{"campaign", "countries"}, {}},
                                                      {{"packages"}, {"targeting_overlay", "geo_countries"}},
                                                      {{"targeting_overlay", "geo_countries"}, {}},
                                                      {{}, {"geo_countries"}, true}};
  static const std::vector<Source> kRegionSources = {{{"geo", "regions"}, {}},
                                                     {{"regions"}, {}},
                                                     {{"packages"}, {"targeting_overlay", "geo_regions"}},
                                                     {{"targeting_overlay", "geo_regions"}, {}},
                                                     {{}, {"geo_regions"}, true}};
  Status s = FirstNonEmpty(request, kCountrySources, &scope.countries);
  if (!s.ok()) return s.error();
  s = FirstNonEmpty(request, kRegionSources, &scope.regions);
  if (!s.ok()) return s.error();
  // Channels: payload.channels, [payload.channel], union of packages[].channels.
  const json::Value* payload = request.find("payload");
  if (const json::Value* ch = payload->find("channels")) {
    Status c = CollectStrings(ch, "payload.channels", &scope.channels);
    if (!c.ok()) return c.error();
  }
  if (scope.channels.empty()) {
    if (const json::Value* ch = payload->find("channel")) {
      if (!ch->is_string()) return Invalid("payload.channel", "must be a string");
      scope.channels.push_back(ch->as_string());
    }
  }
  if (scope.channels.empty()) {
    if (const json::Array* packages = payload->find_array("packages")) {
      for (size_t i = 0; i < packages->size(); ++i) {
        const json::Value& p = (*packages)[i];
        Status c = CollectStrings(p.is_object() ? p.find("channels") : nullptr,
                                  [i] { return "payload.packages[" + std::to_string(i) + "].channels"; }, &scope.channels);
        if (!c.ok()) return c.error();
      }
    }
  }
  // Flight: each side from the first source that has it.
  struct TimeSource {
    std::vector<const char*> path;
    bool is_date;
  };
  static const TimeSource starts[] = {{{"flight", "start"}, false},  {{"flight", "start_time"}, false},
                                      {{"campaign", "start_date"}, true}, {{"start_time"}, false}};
  static const TimeSource ends[] = {{{"flight", "end"}, false},  {{"flight", "end_time"}, false},
                                    {{"campaign", "end_date"}, true}, {{"end_time"}, false}};
  for (int side = 0; side < 2; ++side) {
    const TimeSource* list = side == 0 ? starts : ends;
    std::optional<Instant>* out = side == 0 ? &scope.start : &scope.end;
    std::string* raw = side == 0 ? &scope.start_raw : &scope.end_raw;
    for (int i = 0; i < 4; ++i) {
      const json::Value* v = payload;
      for (const char* k : list[i].path) v = v && v->is_object() ? v->find(k) : nullptr;
      Status t = TimeValue(v, [&] { return Dotted("payload", list[i].path); }, side == 0, list[i].is_date, now_ms, out, raw);
      if (!t.ok()) return t.error();
    }
    if (!out->has_value()) {
      const json::Value* v = At(request, {"proposal", "commercial_terms", side == 0 ? "start_time" : "end_time"});
      // commercial_terms.start_time may be a start-timing object; only strings are read.
      if (v && v->is_string()) {
        Status t = TimeValue(v, side == 0 ? "proposal.commercial_terms.start_time" : "proposal.commercial_terms.end_time",
                             side == 0, false, now_ms, out, raw);
        if (!t.ok()) return t.error();
      }
    }
  }
  return scope;
}

RequestedScope ScopeOfPlannedDelivery(const json::Value& pd) {
  RequestedScope scope;
  if (const json::Value* geo = pd.find_object("geo")) {
    CollectStrings(geo->find("countries"), "", &scope.countries);
    CollectStrings(geo->find("regions"), "", &scope.regions);
  }
  CollectStrings(pd.find("channels"), "", &scope.channels);
  if (const std::string* s = pd.find_string("start_time")) {
    scope.start = ParseDateTime(*s);
    scope.start_raw = *s;
  }
  if (const std::string* e = pd.find_string("end_time")) {
    scope.end = ParseDateTime(*e);
    scope.end_raw = *e;
  }
  return scope;
}

Result<IntentAmount> ExtractAmount(const json::Value& request, const std::string& tool, const std::string& currency) {
  IntentAmount out;
  std::optional<double> a_prop;
  if (const json::Value* pc = request.find_object("proposed_commitment")) {
    a_prop = *pc->find_number("amount");
    if (*pc->find_string("currency") != currency)
      return Invalid("proposed_commitment.currency", "must equal the plan currency " + currency);
  }
  const json::Value& payload = *request.find("payload");
  std::optional<double> a_pay;
  std::string pay_path;
  bool pay_takes_value = true;
  auto number_at = [&](const json::Value& v, const std::string& path) -> Result<double> {
    if (!v.is_number() || v.as_number() < 0) return Invalid(path, "must be a non-negative number");
    return v.as_number();
  };
  if (const json::Value* tb = payload.find("total_budget")) {
    if (tb->is_object()) {
      if (const json::Value* amt = tb->find("amount")) {
        Result<double> r = number_at(*amt, "payload.total_budget.amount");
        if (!r.ok()) return r.error();
        a_pay = r.value();
        pay_path = "payload.total_budget.amount";
      }
      if (const json::Value* cur = tb->find("currency")) {
        if (!cur->is_string() || cur->as_string() != currency)
          return Invalid("payload.total_budget.currency", "must equal the plan currency " + currency);
      }
    } else {
      Result<double> r = number_at(*tb, "payload.total_budget");
      if (!r.ok()) return r.error();
      a_pay = r.value();
      pay_path = "payload.total_budget";
    }
  }
  if (!a_pay) {
    if (const json::Value* b = payload.find("budget")) {
      if (b->is_object()) {
        if (const json::Value* t = b->find("total")) {
          Result<double> r = number_at(*t, "payload.budget.total");
          if (!r.ok()) return r.error();
          a_pay = r.value();
          pay_path = "payload.budget.total";
        }
      } else {
        Result<double> r = number_at(*b, "payload.budget");
        if (!r.ok()) return r.error();
        a_pay = r.value();
        pay_path = "payload.budget";
      }
    }
  }
  if (!a_pay) {
    if (const json::Array* packages = payload.find_array("packages")) {
      double sum = 0;
      int budgeted = 0;
      for (size_t i = 0; i < packages->size(); ++i) {
        const json::Value& p = (*packages)[i];
        const json::Value* b = p.is_object() ? p.find("budget") : nullptr;
        if (!b) continue;
        std::string path = "payload.packages[" + std::to_string(i) + "].budget";
        const json::Value* v = b;
        if (b->is_object()) {
          if (b->find("amount")) {
            v = b->find("amount");
            path += ".amount";
          } else if (b->find("total")) {
            v = b->find("total");
            path += ".total";
          } else {
            return Invalid(path, "must be a number or an object with amount");
          }
        }
        Result<double> r = number_at(*v, path);
        if (!r.ok()) return r.error();
        sum += r.value();
        if (!std::isfinite(sum)) return Invalid("payload.packages", "budget sum overflows");
        ++budgeted;
        pay_path = path;
      }
      if (budgeted > 0) {
        a_pay = sum;
        if (budgeted > 1) {
          pay_path = "payload.packages";
          pay_takes_value = false;
        }
      }
    }
  }
  if (a_prop && a_pay && !IsIncrementalTool(tool) && std::fabs(*a_prop - *a_pay) > kEpsilon)
    return Invalid("proposed_commitment.amount", "differs from the amount in the payload");
  if (tool == "create_media_buy" && !a_prop && !a_pay)
    return Invalid("payload.total_budget", "create_media_buy needs a determinable amount");
  if (a_prop) {
    out.amount = a_prop;
    out.path = {"proposed_commitment.amount", true};
  } else if (a_pay) {
    out.amount = a_pay;
    out.path = {pay_path, pay_takes_value};
  }
  return out;
}

Status CheckProposal(const json::Value& request, std::string* proposal_id, std::string* terms_digest) {
  const json::Value& proposal = *request.find("proposal");
  const json::Value& payload = *request.find("payload");
  const std::string& kind = *proposal.find_string("proposal_kind");
  if (*proposal.find_string("proposal_status") != "committed")
    return Invalid("proposal", "proposal_status must be committed");
  const json::Value& terms = *proposal.find("commercial_terms");
  if (*proposal.find_string("terms_digest") != canon::PrefixedB64Digest(terms))
    return Invalid("proposal.terms_digest", "does not match the commercial terms");
  const std::string* pid = payload.find_string("proposal_id");
  const std::string* ptd = payload.find_string("proposal_terms_digest");
  if (!pid || *pid != *proposal.find_string("proposal_id") || !ptd || *ptd != *proposal.find_string("terms_digest"))
    return Invalid("payload.proposal_terms_digest", "must bind the payload to the proposal id and terms digest");
  // Terms amount (03 §4.4 step 3).
  std::optional<double> terms_amount;
  std::optional<std::string> terms_currency;
  if (kind == "media_buy_cancellation") {
    terms_amount = 0;
    if (const json::Value* fee = terms.find("cancellation_terms") ? terms.find("cancellation_terms")->find("fee") : nullptr) {
      terms_amount = *fee->find_number("amount");
      terms_currency = *fee->find_string("currency");
    }
  } else if (const json::Value* tb = terms.find_object("total_budget")) {
    terms_amount = *tb->find_number("amount");
    terms_currency = *tb->find_string("currency");
  } else if (const json::Array* purchases = terms.find_array("purchases")) {
    double sum = 0;
    for (const json::Value& p : *purchases) {
      if (const double* b = p.find_number("budget")) sum += *b;
      if (!terms_currency)
        if (const json::Value* pricing = p.find_object("pricing"))
          if (const std::string* c = pricing->find_string("currency")) terms_currency = *c;
    }
    terms_amount = sum;
  }
  const json::Value& pc = *request.find("proposed_commitment");
  double amount = *pc.find_number("amount");
  if (terms_currency && *pc.find_string("currency") != *terms_currency)
    return Invalid("proposed_commitment", "currency must equal the proposal terms currency");
  if (terms_amount) {
    bool ok = kind == "media_buy_update" ? !Exceeds(amount, *terms_amount) : std::fabs(amount - *terms_amount) <= kEpsilon;
    if (!ok) return Invalid("proposed_commitment", "amount must match the proposal terms");
  }
  *proposal_id = *proposal.find_string("proposal_id");
  *terms_digest = *proposal.find_string("terms_digest");
  return Status::Ok();
}

std::string AccountKey(const json::Value& payload) {
  const json::Value* account = payload.find("account");
  if (!account) return "";
  if (const std::string* id = account->find_string("account_id")) return *id;
  return json::Canonicalize(*account);
}

}  // namespace adcp
