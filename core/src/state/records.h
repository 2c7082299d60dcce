// Records in their stored form (exportState, change sets): one JSON writer
// and one validating reader per record type, shared by importState and by
// change-set application, so both accept exactly the same documents.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "json/json.h"
#include "state/state.h"

namespace adcp {

// Sizes of the record tables an index may point into.
struct TableSizes {
  size_t plans = 0, checks = 0, actions = 0, outcomes = 0, adjustments = 0, escalations = 0, consultations = 0;
};

// Ranges of the integers a state document holds (issue 17: a document read
// back from disk or a database is untrusted input). Counts and sequence
// numbers are exact in a double, in int64 and in JavaScript; times are
// within the ECMAScript time range and not before 1970 (the core's own times come from nowMs, within
// 0..9999-12-31, plus bounded durations), so sums like created_at + timeout
// cannot overflow.
constexpr double kMaxCount = 9007199254740991.0;  // 2^53 - 1
constexpr double kMaxTimeMs = 8.64e15;

// Bounds of a JSON value stored as text in a record (Any, Text).
inline constexpr json::ParseLimits kStoredTextLimits{64u << 20, 256};

// Reads typed members and remembers the first problem and where it was
// (`field`, the member's path in the document, e.g. "checks[3].expires_at").
class RecordReader {
 public:
  std::string error;
  std::string field;

  const json::Value* Get(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = o.find(key);
    if (!v) Fail(where, key, "present");
    return v;
  }
  // importState reads each record from a tree parsed for it alone and
  // dropped after: the reader may then take strings out of that tree
  // instead of copying them (no reader reads a member twice).
  bool take_strings = false;
  std::string Str(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (v && v->is_string()) return StringOf(*v);
    if (v) Fail(where, key, "a string");
    return "";
  }
  // A string from a closed vocabulary.
  std::string Enum(const json::Value& o, const char* key, const std::string& where,
                   std::initializer_list<const char*> allowed) {
    std::string s = Str(o, key, where);
    for (const char* a : allowed)
      if (s == a) return s;
    Fail(where, key, "one of the recorded values");
    return *allowed.begin();
  }
  // A member from a closed vocabulary the core keeps as an enum: the
  // vocabulary's own FromName knows its words; `fallback` only with an error.
  template <class E>
  E Vocab(const json::Value& o, const char* key, const std::string& where,
          std::optional<E> (*from_name)(std::string_view), E fallback) {
    const std::optional<E> value = from_name(Str(o, key, where));
    if (!value) Fail(where, key, "one of the recorded values");
    return value.value_or(fallback);
  }
  double Num(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (v && v->is_number()) return v->as_number();
    if (v) Fail(where, key, "a number");
    return 0;
  }
  // An integral number in [lo, hi]; converted only once known to fit.
  int64_t Integer(const json::Value& o, const char* key, const std::string& where, double lo, double hi) {
    const json::Value* v = Get(o, key, where);
    if (!v) return 0;
    if (!v->is_number() || !(v->as_number() >= lo && v->as_number() <= hi) ||
        std::floor(v->as_number()) != v->as_number()) {
      Fail(where, key, "an integer in range");
      return 0;
    }
    return static_cast<int64_t>(v->as_number());
  }
  int64_t Count(const json::Value& o, const char* key, const std::string& where) {
    return Integer(o, key, where, 0, kMaxCount);
  }
  int64_t Time(const json::Value& o, const char* key, const std::string& where) {
    return Integer(o, key, where, 0, kMaxTimeMs);
  }
  std::optional<int64_t> OptTime(const json::Value& o, const char* key, const std::string& where) {
    if (!o.has(key)) return std::nullopt;
    return Time(o, key, where);
  }
  bool Bool(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (v && v->is_bool()) return v->as_bool();
    if (v) Fail(where, key, "a boolean");
    return false;
  }
  // A JSON value stored as text (see Text()).
  json::Value Any(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (!v) return json::Value();
    if (!v->is_string()) {
      Fail(where, key, "JSON text");
      return json::Value();
    }
    json::ParseResult p = json::Parse(v->as_string(), kStoredTextLimits);
    if (!p.ok()) Fail(where, key, "valid JSON text");
    return p.value;
  }
  // JSON text kept as text (a stored response body): checked as Any()
  // checks it, and kept in the form the core writes (json::Normalize), so
  // that an imported body reads back like one the core stored itself (an
  // audit page splices its members as they are).
  std::string Text(const json::Value& o, const char* key, const std::string& where) {
    const json::Value* v = Get(o, key, where);
    if (!v) return "";
    if (!v->is_string()) {
      Fail(where, key, "JSON text");
      return "";
    }
    std::optional<std::string> text = json::Normalize(v->as_string(), kStoredTextLimits);
    if (!text) {
      Fail(where, key, "valid JSON text");
      return "";
    }
    return std::move(*text);
  }
  std::vector<std::string> Strings(const json::Value& o, const char* key, const std::string& where) {
    std::vector<std::string> out;
    const json::Value* v = Get(o, key, where);
    if (!v) return out;
    if (!v->is_array()) {
      Fail(where, key, "an array");
      return out;
    }
    for (const json::Value& e : v->as_array()) {
      if (!e.is_string()) Fail(where, key, "an array of strings");
      else out.push_back(e.as_string());
    }
    return out;
  }
  std::vector<int32_t> Indexes(const json::Value& o, const char* key, const std::string& where, size_t limit) {
    std::vector<int32_t> out;
    const json::Value* v = Get(o, key, where);
    if (!v) return out;
    if (!v->is_array()) {
      Fail(where, key, "an array");
      return out;
    }
    for (const json::Value& e : v->as_array()) {
      if (!e.is_number() || !(e.as_number() >= 0 && e.as_number() < static_cast<double>(limit)) ||
          std::floor(e.as_number()) != e.as_number())
        Fail(where, key, "an array of valid indexes");
      else out.push_back(static_cast<int32_t>(e.as_number()));
    }
    return out;
  }
  // An index into a table of `limit` records, or -1.
  int32_t Index(const json::Value& o, const char* key, const std::string& where, size_t limit, bool allow_none) {
    int64_t i = Integer(o, key, where, allow_none ? kNone : 0, static_cast<double>(limit) - 1);
    return static_cast<int32_t>(i);
  }
  template <class T>
  std::optional<T> Opt(const json::Value& o, const char* key, const std::string& where);
  std::string StringOf(const json::Value& v) {
    // The tree is the caller's own, not const (see take_strings).
    return take_strings ? std::move(*const_cast<json::Value&>(v).mutable_string()) : v.as_string();
  }
  // An accepted proposal's id and terms digest (proposal_id, terms_digest):
  // both or neither, as the core writes them (E4 compares both).
  Boxed<ProposalBinding> Proposal(const json::Value& o, const std::string& where);
  void Fail(const std::string& where, const char* key, const char* what) {
    if (!error.empty()) return;
    field = where.empty() ? key : where + "." + key;
    error = field + (std::string(what) == "present" ? " is missing" : std::string(" must be ") + what);
  }
  // A problem with a whole record or member (field = its path).
  void Invalid(const std::string& path, const std::string& message) {
    if (!error.empty()) return;
    field = path;
    error = path + " " + message;
  }
};

json::Value PlanToJson(const Plan& p);
json::Value CheckToJson(const State& s, const Check& c);
json::Value ActionToJson(const Action& a);
json::Value OutcomeToJson(const Outcome& o);
json::Value AdjustmentToJson(const Adjustment& a);
json::Value EscalationToJson(const Escalation& e);
json::Value ConsultationToJson(const Consultation& c);
json::Value RevocationToJson(const Revocation& r);
json::Value AccountToJson(const Account& a);
json::Value IdempotencyToJson(const State& s, const std::string& scope, const IdempotencyEntry& e);
json::Value PlanRevisionToJson(const PlanRevision& r);

// Readers: `w` is the record's path in the document ("checks[3]"); the first
// problem is left in `r` (error and field); indexes must fall inside `t`.
Plan ReadPlan(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Check ReadCheck(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Action ReadAction(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Outcome ReadOutcome(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Adjustment ReadAdjustment(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Escalation ReadEscalation(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Consultation ReadConsultation(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Revocation ReadRevocation(RecordReader& r, const json::Value& v, const std::string& w, const TableSizes& t);
Account ReadAccount(RecordReader& r, const json::Value& v, const std::string& w);
IdempotencyEntry ReadIdempotency(RecordReader& r, const json::Value& v, const std::string& w, std::string* scope);
PlanRevision ReadPlanRevision(RecordReader& r, const json::Value& v, const std::string& w);

}  // namespace adcp
