// Stored response bodies as pooled shapes (issue 15: memory per decision).
//
// Approved checks of one plan differ in their bodies only by the check id,
// the token's expiry and, for a delivery check, the echo of the seller's
// statement (about 900 bytes, itself rebuilt from the statement's metrics).
// The store keeps the text with those values taken out as a Sym, so a plan's
// bodies share one copy; CheckBodyText() puts the values back. An outcome's
// body likewise drops its outcome id. A body whose shape would not give back
// the exact text is kept as it is.
#include <string_view>

#include "json/json.h"
#include "state/state.h"
#include "util/holes.h"
#include "util/time.h"

namespace adcp {
namespace {

constexpr std::string_view kIdHead = "{\"check_id\":";
constexpr std::string_view kIdHole = "{\"check_id\":\"\"";
constexpr std::string_view kExpiryHole = ",\"expires_at\":\"\"";
constexpr std::string_view kStatementHole = ",\"delivery_statement\":0";
constexpr std::string_view kOutcomeIdHead = "{\"outcome_id\":";
constexpr std::string_view kOutcomeIdHole = "{\"outcome_id\":\"\"";

std::string IdMember(const Check& c) {
  std::string out(kIdHead);
  json::AppendQuoted(out, c.check_id.text());
  return out;
}

std::string ExpiryMember(const Check& c) { return ",\"expires_at\":\"" + FormatMillis(c.expires_at_ms()) + "\""; }

// The statement member's text, written straight from the statement and the
// texts of its metrics' members: what writing DeliveryStatementEcho gives
// (metrics_json is compact JSON the core wrote, with these three members:
// AttachStatementSource), without building the echo (it was a fifth of an
// audit page's time). ShapeOf checks that the shape expands back exactly.
std::string StatementMember(const Check& c) {
  const Statement& st = *c.statement();
  const std::string metrics = StatementMetricsText(st);
  std::string_view issued_at, reporting_period, currency;
  for (const json::MemberText& m : json::MemberTexts(metrics)) {
    if (m.key == "issued_at") issued_at = m.value;
    else if (m.key == "reporting_period") reporting_period = m.value;
    else if (m.key == "currency") currency = m.value;
  }
  std::string out = ",\"delivery_statement\":{\"statement_id\":";
  json::AppendQuoted(out, st.statement_id);
  out.append(",\"statement_digest\":");
  json::AppendQuoted(out, st.statement_digest.str());
  out.append(",\"sequence\":");
  json::AppendNumber(out, static_cast<double>(st.sequence));
  out.append(",\"issued_at\":").append(issued_at);
  out.append(",\"seller_reference\":");
  json::AppendQuoted(out, st.seller_reference);
  out.append(",\"reporting_period\":").append(reporting_period);
  out.append(",\"cumulative_spend\":");
  json::AppendNumber(out, st.cumulative_spend);
  out.append(",\"currency\":").append(currency);
  out.append(",\"canonical_payload\":{\"seller_reference\":");
  json::AppendQuoted(out, st.seller_reference);
  out.append(",\"delivery_metrics\":").append(metrics).append("}}");
  return out;
}

bool HasStatementSource(const Check& c) { return c.statement() && !c.statement()->metrics.empty(); }

// Replaces the first `from` in `text` by `to`.
void ReplaceFirst(std::string& text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
}

// The shape with the id and expiry put back; the statement hole stays.
std::string ExpandIdAndExpiry(const Check& c, std::string_view shape) {
  std::string text = IdMember(c);
  text.append(shape.substr(kIdHole.size()));
  if (c.expires_at_ms()) ReplaceFirst(text, kExpiryHole, ExpiryMember(c));
  return text;
}

// The full text. The statement member is rebuilt only when the shape has its
// hole; `statement` is that member's text when the caller already has it.
std::string Expand(const Check& c, std::string_view shape, const std::string* statement = nullptr) {
  std::string text = ExpandIdAndExpiry(c, shape);
  if (!HasStatementSource(c)) return text;
  const size_t at = text.find(kStatementHole);
  if (at != std::string::npos) text.replace(at, kStatementHole.size(), statement ? *statement : StatementMember(c));
  return text;
}

// Whether "delivery_statement" occurs once in the text and could not be
// spelled with escapes: then the hole is the body's only member of that name,
// wherever it sits, and CheckBodyValue can put the echo in as a value.
bool OneStatementKey(std::string_view text) {
  constexpr std::string_view kKey = "\"delivery_statement\"";
  const size_t first = text.find(kKey);
  return first != std::string_view::npos && text.find(kKey, first + 1) == std::string_view::npos &&
         text.find("\\u") == std::string_view::npos;
}

// The shape of `text`, or "" when it would not expand back to `text`.
std::string ShapeOf(const Check& c, const std::string& text) {
  const std::string id = IdMember(c);
  if (text.compare(0, id.size(), id) != 0) return "";
  std::string shape(kIdHole);
  shape.append(text, id.size(), std::string::npos);
  if (c.expires_at_ms()) ReplaceFirst(shape, ExpiryMember(c), kExpiryHole);
  std::string echo;  // the statement member, rebuilt once for both the hole and the check
  if (HasStatementSource(c) && shape.find(kStatementHole) == std::string::npos && OneStatementKey(text)) {
    // Only an echo that occurs once becomes the hole, so the hole is the one
    // "delivery_statement":0 of the shape (CheckBodyValue relies on it).
    echo = StatementMember(c);
    const size_t at = shape.find(echo);
    if (at != std::string::npos && shape.find(echo, at + 1) == std::string::npos)
      shape.replace(at, echo.size(), kStatementHole);
  }
  return Expand(c, shape, echo.empty() ? nullptr : &echo) == text ? shape : "";
}

}  // namespace

json::Value DeliveryStatementEcho(const Statement& st, const std::string& seller_reference, json::Value metrics) {
  json::Value echo = json::Obj({{"statement_id", st.statement_id},
                                {"statement_digest", st.statement_digest.str()},
                                {"sequence", st.sequence},
                                {"issued_at", *metrics.find("issued_at")},
                                {"seller_reference", seller_reference},
                                {"reporting_period", *metrics.find("reporting_period")},
                                {"cumulative_spend", st.cumulative_spend},
                                {"currency", *metrics.find("currency")}});
  json::Value payload = json::Obj({{"seller_reference", seller_reference}});
  payload.set("delivery_metrics", std::move(metrics));
  echo.set("canonical_payload", std::move(payload));
  return echo;
}

ShapedText ObservationDelivery(std::string_view text, std::string_view observation_id) {
  return ShapedText(
      text,
      [](std::string_view member, bool) {
        return member != "start" && member != "end" && member != "source" && member != "currency";
      },
      {observation_id});
}

std::optional<json::Value> PlannedDeliveryOf(const Check& c) {
  if (!c.planned_delivery()) return std::nullopt;
  return json::ParseStored(c.planned_delivery()->Text());
}

void SetPlannedDelivery(Check& c, const json::Value& planned_delivery) {
  c.set_planned_delivery(ShapedText(json::Write(planned_delivery)));
}

void AttachStatementSource(Check& c, const json::Value& body) {
  if (!c.statement()) return;
  const json::Value* echo = body.find_object("delivery_statement");
  const json::Value* payload = echo ? echo->find_object("canonical_payload") : nullptr;
  const std::string* seller_reference = payload ? payload->find_string("seller_reference") : nullptr;
  const json::Value* metrics = payload ? payload->find_object("delivery_metrics") : nullptr;
  if (!seller_reference || !metrics || !metrics->find("issued_at") || !metrics->find("reporting_period") ||
      !metrics->find("currency"))
    return;  // the body keeps its echo verbatim
  Statement& statement = *c.mutable_statement();
  statement.seller_reference = *seller_reference;
  statement.metrics = StatementMetrics(statement, json::Write(*metrics));
}

void KeepCheckBody(Check& c, std::string text) {
  c.body_shape = Sym();
  if (!c.pending && !text.empty()) {
    std::string shape = ShapeOf(c, text);
    if (!shape.empty()) {
      c.body_shape = Sym(shape);
      c.set_body_json(std::nullopt);
      return;
    }
  }
  if (text.empty()) c.set_body_json(std::nullopt);  // a kept body is never empty
  else c.set_body_json(BoxedText(text));
}

std::string CheckBodyText(const Check& c) {
  if (c.body_shape.empty()) return c.body_json().str();
  return Expand(c, c.body_shape.str());
}

json::Value CheckBodyValue(const Check& c) {
  const std::string& shape = c.body_shape.str();
  if (shape.empty() || !HasStatementSource(c) || shape.find(kStatementHole) == std::string::npos)
    return json::ParseStored(CheckBodyText(c));
  // The statement echo goes in as a value: writing it only to parse it again
  // cost audit pages about a third of their time.
  json::Value body = json::ParseStored(ExpandIdAndExpiry(c, shape));
  json::Value* echo = body.find("delivery_statement");
  // The hole is the only member of that name (OneStatementKey); not at the
  // top level, the text is read instead.
  if (!echo || !echo->is_number()) return json::ParseStored(CheckBodyText(c));
  *echo = DeliveryStatementEcho(*c.statement(), c.statement()->seller_reference.str(), json::ParseStored(StatementMetricsText(*c.statement())));
  return body;
}

namespace {
std::string OutcomeIdMember(const Outcome& o) {
  std::string out(kOutcomeIdHead);
  json::AppendQuoted(out, o.outcome_id.text());
  return out;
}
}  // namespace

void KeepOutcomeBody(Outcome& o, std::string text) {
  o.body_shape = Sym();
  o.body_json.reset();
  const std::string id = OutcomeIdMember(o);
  if (!text.empty() && text.compare(0, id.size(), id) == 0) {
    // The numbers go too: a completed outcome's body carries the plan's
    // running totals, so with them its shape would be unique to the outcome
    // and pooling it would cost more than keeping its text.
    const std::string_view rest = std::string_view(text).substr(id.size());
    std::string shape, numbers;
    if (SplitNumbers(rest, &shape, &numbers)) {
      o.body_shape = Sym(std::string(kOutcomeIdHole) + shape);
      o.body_json = std::move(numbers);
    } else {
      o.body_shape = Sym(std::string(kOutcomeIdHole) + std::string(rest));
    }
    return;
  }
  if (!text.empty()) o.body_json = std::move(text);  // a boxed body is never empty
}

std::optional<double> DeliveryNumber(const Outcome& o, std::string_view key) {
  if (ObservationOf(o).delivery.empty()) return std::nullopt;
  const std::string delivery = ObservationDeliveryText(ObservationOf(o));
  for (const json::MemberText& m : json::MemberTexts(delivery)) {
    if (m.key != key) continue;
    json::NumberText number = json::ReadNumber(m.value);
    if (number.valid && number.finite) return number.value;
    return std::nullopt;
  }
  return std::nullopt;
}

std::string OutcomeBodyText(const Outcome& o) {
  if (o.body_shape.empty()) return o.body_json.str();
  const std::string_view shape = std::string_view(o.body_shape.str()).substr(kOutcomeIdHole.size());
  return OutcomeIdMember(o) + (o.body_json ? JoinHoles(shape, *o.body_json) : std::string(shape));
}

}  // namespace adcp
