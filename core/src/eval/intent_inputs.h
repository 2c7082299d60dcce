// What an intent check asks for (03 §4): geography, channels and flight
// declared in the payload, the commitment amount, accept_proposal binding.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "eval/evaluation.h"
#include "json/value.h"
#include "util/status.h"
#include "util/time.h"

namespace adcp {

struct RequestedScope {
  std::vector<std::string> countries, regions, channels;
  std::optional<Instant> start, end;
  std::string start_raw, end_raw;  // as supplied (asap -> outbound form of now)
};

// 03 §4.1 (sources in order, first non-empty wins). Malformed source ->
// VALIDATION_ERROR at that path.
Result<RequestedScope> ExtractIntentScope(const json::Value& request, int64_t now_ms);

// Geography / channels / flight of a planned_delivery (03 §5.5 E5).
RequestedScope ScopeOfPlannedDelivery(const json::Value& planned_delivery);

struct IntentAmount {
  std::optional<double> amount;  // undefined = non-monetary
  AmountPath path;
};

bool IsExplicitCommitmentTool(const std::string& tool);
bool IsIncrementalTool(const std::string& tool);

// 03 §4.3.
Result<IntentAmount> ExtractAmount(const json::Value& request, const std::string& tool, const std::string& plan_currency);

// 03 §4.4 (tool = accept_proposal). Fills the proposal binding.
Status CheckProposal(const json::Value& request, std::string* proposal_id, std::string* terms_digest);

// 03 §5.3 account key: payload.account.account_id if a string, else JCS of
// payload.account, else "".
std::string AccountKey(const json::Value& payload);

}  // namespace adcp
