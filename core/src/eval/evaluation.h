// Building blocks of check evaluation (03 §4–§6): findings, conditions with
// the cap rule, categories, the geography and flight rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "json/value.h"
#include "state/vocab.h"
#include "util/time.h"

namespace adcp {

struct Condition {
  std::string field;
  std::optional<double> required_value;
  std::optional<json::Value> hook_required_value;  // hook conditions keep their value as returned
  std::string reason;
  bool from_cap = false;
  json::Value ToJson() const;
};

// Where an amount came from (03 §4.3), for condition paths.
struct AmountPath {
  std::string field;            // e.g. proposed_commitment.amount
  bool takes_value = true;      // false for several budgeted packages
};

class Evaluation {
 public:
  json::Value findings = json::Value::MakeArray();
  std::vector<Condition> conditions;
  std::vector<std::string> categories;

  void Category(const std::string& id);
  json::Value& Finding(const std::string& category, const char* severity, std::string explanation,
                       std::optional<json::Value> details = std::nullopt);
  // 03 §5.1 cap rule for amount `a` against cap `c`.
  void Cap(const std::string& category, double a, double c, const AmountPath& path, const std::string& what,
           const std::string& source_plan_id = "");
  void AddCondition(Condition c);
  bool HasCritical() const;
};

// 03 §4.2 geography rule. `plan_countries`/`plan_regions`: nullopt = absent.
// Returns the unauthorized requested items (countries then regions).
std::vector<std::string> UnauthorizedGeo(const std::optional<std::vector<std::string>>& plan_countries,
                                         const std::optional<std::vector<std::string>>& plan_regions,
                                         const std::vector<std::string>& countries,
                                         const std::vector<std::string>& regions);
// Countries allowed by the rule (PC ∪ country codes of PR).
std::vector<std::string> AllowedCountries(const std::optional<std::vector<std::string>>& plan_countries,
                                          const std::optional<std::vector<std::string>>& plan_regions);

json::Value StringArray(const std::vector<std::string>& v);
bool ContainsString(const std::vector<std::string>& v, const std::string& s);

// 03 §11 explanation templates.
std::string Explanation(Verdict verdict, const json::Value& findings, const std::vector<Condition>& conditions);

}  // namespace adcp
