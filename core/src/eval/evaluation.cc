#include "eval/evaluation.h"

#include <algorithm>

#include "json/json.h"
#include "util/money.h"

namespace adcp {

json::Value Condition::ToJson() const {
  json::Value v = json::Obj({{"field", field}});
  if (required_value) v.set("required_value", *required_value);
  else if (hook_required_value) v.set("required_value", *hook_required_value);
  v.set("reason", reason);
  return v;
}

void Evaluation::Category(const std::string& id) {
  if (!ContainsString(categories, id)) categories.push_back(id);
}

json::Value& Evaluation::Finding(const std::string& category, const char* severity, std::string explanation,
                                 std::optional<json::Value> details) {
  Category(category);
  json::Value f = json::Obj({{"category_id", category}, {"severity", severity}, {"explanation", std::move(explanation)}});
  if (details) f.set("details", std::move(*details));
  return findings.push(std::move(f));
}

void Evaluation::AddCondition(Condition c) {
  if (c.from_cap) {
    for (Condition& existing : conditions) {
      if (existing.from_cap && existing.field == c.field) {
        if (c.required_value && (!existing.required_value || *c.required_value < *existing.required_value))
          existing.required_value = c.required_value;
        existing.reason += "; " + c.reason;
        return;
      }
    }
  }
  conditions.push_back(std::move(c));
}

void Evaluation::Cap(const std::string& category, double a, double c, const AmountPath& path, const std::string& what,
                     const std::string& source_plan_id) {
  Category(category);
  if (!Exceeds(a, c)) return;
  json::Value details = json::Obj({{"requested", a}, {"cap", c}});
  std::string text = "Requested " + json::FormatNumber(a) + " exceeds the " + what + " of " + json::FormatNumber(c) + ".";
  if (c > kEpsilon) {
    Condition cond;
    cond.field = path.field;
    if (path.takes_value) cond.required_value = c;
    cond.reason = path.takes_value ? "Reduce to at most " + json::FormatNumber(c) + " (" + what + ")"
                                   : "Reduce the package budgets to a total of at most " + json::FormatNumber(c) + " (" +
                                         what + ")";
    cond.from_cap = true;
    AddCondition(std::move(cond));
    json::Value& f = Finding(category, "warning", text, details);
    if (!source_plan_id.empty()) f.set("source_plan_id", source_plan_id);
  } else {
    json::Value& f = Finding(category, "critical", text, details);
    if (!source_plan_id.empty()) f.set("source_plan_id", source_plan_id);
  }
}

bool Evaluation::HasCritical() const {
  for (const json::Value& f : findings.as_array())
    if (*f.find_string("severity") == "critical") return true;
  return false;
}

bool ContainsString(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

json::Value StringArray(const std::vector<std::string>& v) {
  json::Value a = json::Value::MakeArray();
  for (const std::string& s : v) a.push(s);
  return a;
}

namespace {
std::string CountryOf(const std::string& region) { return region.substr(0, region.find('-')); }
}  // namespace

std::vector<std::string> AllowedCountries(const std::optional<std::vector<std::string>>& pc,
                                          const std::optional<std::vector<std::string>>& pr) {
  std::vector<std::string> allowed = pc.value_or(std::vector<std::string>{});
  if (pr)
    for (const std::string& r : *pr)
      if (!ContainsString(allowed, CountryOf(r))) allowed.push_back(CountryOf(r));
  return allowed;
}

std::vector<std::string> UnauthorizedGeo(const std::optional<std::vector<std::string>>& pc,
                                         const std::optional<std::vector<std::string>>& pr,
                                         const std::vector<std::string>& countries,
                                         const std::vector<std::string>& regions) {
  std::vector<std::string> out;
  if (!pc && !pr) return out;
  std::vector<std::string> restricted;
  if (pr)
    for (const std::string& r : *pr)
      if (!ContainsString(restricted, CountryOf(r))) restricted.push_back(CountryOf(r));
  std::vector<std::string> allowed = AllowedCountries(pc, pr);
  for (const std::string& c : countries) {
    bool bad = !ContainsString(allowed, c);
    if (!bad && ContainsString(restricted, c)) {
      bool has_region = false;
      for (const std::string& r : regions) has_region = has_region || CountryOf(r) == c;
      bad = !has_region;
    }
    if (bad && !ContainsString(out, c)) out.push_back(c);
  }
  for (const std::string& r : regions) {
    std::string cc = CountryOf(r);
    bool bad = !ContainsString(allowed, cc) ||
               (ContainsString(restricted, cc) && !(pr && ContainsString(*pr, r)));
    if (bad && !ContainsString(out, r)) out.push_back(r);
  }
  return out;
}

std::string Explanation(Verdict verdict, const json::Value& findings,
                        const std::vector<Condition>& conditions) {
  if (verdict == Verdict::kApproved) {
    size_t n = findings.size();
    if (n == 0) return "All governance checks passed.";
    return "Approved with " + std::to_string(n) + " finding(s).";
  }
  if (verdict == Verdict::kConditions) {
    std::string text = "Counterproposal: ";
    for (size_t i = 0; i < conditions.size(); ++i) text += (i ? "; " : "") + conditions[i].reason;
    return text;
  }
  std::string text = "Denied: ";
  bool first = true;
  for (const json::Value& f : findings.as_array()) {
    if (*f.find_string("severity") != "critical") continue;
    text += (first ? "" : "; ") + *f.find_string("explanation");
    first = false;
  }
  return text;
}

}  // namespace adcp
