// AdCP 3.0-era clients (spec 10): per-request dialect detection, request
// normalization and rendering of results in the dialect. A request of
// dialect 3.2 never passes through anything here except Detect.
#pragma once

#include <optional>
#include <string>

#include "json/value.h"
#include "state/state.h"

namespace adcp {

struct Config;
struct Auth;


// A task's 3.2 and 3.0 markers (10 §1.3), tested on the raw request.
struct DialectMarkers {
  bool (*has_32_marker)(const json::Value& request);
  bool (*has_30_marker)(const json::Value& request);
};
bool CheckHas32Marker(const json::Value& r);
bool CheckHas30Marker(const json::Value& r);
bool OutcomeHas32Marker(const json::Value& r);
bool OutcomeHas30Marker(const json::Value& r);
bool SyncHas32Marker(const json::Value& r);
bool SyncHas30Marker(const json::Value& r);
bool NoMarker(const json::Value& r);

// 10 §1.2 D1–D7 on the raw request; `markers` null: the task has no dialects (3.2).
Dialect Detect(const DialectMarkers* markers, const json::Value& request, const Config& config, const Auth& auth);

// 10 §3.3.1: tools 6.11.0 annotates read-only (R13).
bool IsReadOnlyTool(const std::string& tool);
// 10 §3.3.2: purchase_type derived from the tool when a 3.0 client sends none.
std::string LegacyPurchaseType(const std::string& tool);

// 10 §1.3: a delivery_metrics object with any statement field / a delivery
// object with any 3.2 observation field (then the 3.2 rules apply to it).
bool HasStatementFields(const json::Value* metrics);
bool HasObservationFields(const json::Value* delivery);
// 10 §1.2 D2 pattern.
bool MatchesAdcpVersion(const json::Value& v);

// What normalization set aside for the task and the renderer.
struct LegacyRequest {
  std::optional<std::string> buyer_campaign_ref;   // L2 (echoed in 3.0 check bodies)
  std::optional<std::string> threaded_context;     // L8: a string governance_context next to `tool`
  std::optional<json::Value> payload;              // the intent payload (condition rebasing, 10 §6.2)
  std::optional<std::string> plan_id;              // rendering: plan_id for bodies that lack one (10 §6.2)
};

// 10 §3.1, §4.1, §5.1: removes or moves fields; never invents authority.
json::Value NormalizeCheck(const json::Value& request, LegacyRequest* out);
json::Value NormalizeOutcome(const json::Value& request);
json::Value NormalizeSync(const json::Value& request);
json::Value NormalizeAudit(const json::Value& request);

// 10 §6.2: the dialect body of a completed check. `chain_expires_ms` is the
// consultation chain's expiry for a `conditions` answer (R12).
json::Value RenderCheckBody(const json::Value& body32, Dialect d, const LegacyRequest& legacy,
                            std::optional<int64_t> chain_expires_ms);
// 10 §6.2 pending review (R11): the escalated check as a `denied` body.
json::Value RenderPendingReviewBody(const json::Value& parts, const Check& check, const Escalation& escalation,
                                    Dialect d, const LegacyRequest& legacy);
// 10 §6.3.
json::Value RenderOutcomeBody(const json::Value& body32, Dialect d);
// 10 §6.4.
json::Value ProjectAuditBody(const json::Value& body32, Dialect d);
// 10 §7.2: the fail-closed overlay of a failed legacy check.
json::Value LegacyDenial(const json::Value& error, const json::Value& request);

}  // namespace adcp
