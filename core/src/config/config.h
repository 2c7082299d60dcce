// Agent configuration (spec README "Configuration").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"

namespace adcp {

struct DriftThresholds {
  std::optional<double> escalation_rate_max, escalation_rate_min, auto_approval_rate_max, human_override_rate_max;
  bool empty() const {
    return !escalation_rate_max && !escalation_rate_min && !auto_approval_rate_max && !human_override_rate_max;
  }
  json::Value ToJson() const;  // only configured keys, 06 §5.3 order
};

// Parses a thresholds object (keys of 06 §5.3, each 0..1; unknown keys are
// an error). Returns an error message or empty.
std::string ParseDriftThresholds(const json::Value& v, DriftThresholds* out);

struct Config {
  std::string issuer;
  std::string signing_alg = "EdDSA";
  std::optional<std::string> signing_kid;
  // The signer's public key as JWK members (kty, crv, x, y), for PublicJwk:
  // from signing.public_jwk, or signing.public_key (an Ed25519 x).
  std::optional<json::Value> signing_public_jwk;
  std::string default_mode = "enforce";
  int64_t intent_token_ttl_seconds = 900;
  int64_t execution_token_ttl_seconds = 604800;
  int64_t delivery_reporting_interval_seconds = 604800;
  int64_t consultation_ttl_seconds = 3600;
  int64_t max_consultation_attempts = 3;
  int64_t escalation_timeout_seconds = 0;
  double low_confidence_threshold = 0.6;
  std::optional<int64_t> aggregation_window_days;
  int64_t replay_ttl_seconds = 86400;
  bool reject_budget_below_committed = true;  // budget_reduction_below_committed
  bool industry_triggers_human_review = true;
  double geo_drift_tolerance_pct = 0;
  DriftThresholds drift_thresholds;
  int64_t drift_min_checks = 10;
  int64_t drift_trend_min_checks = 10;
  double drift_trend_epsilon = 0.05;
  bool signal_attestations_enabled = false;
  std::string signal_attestation_requirement;  // optional|required
  std::vector<std::string> signal_attestation_claim_types;
  bool budget_holds = true;
  std::string protocol = "auto";
  bool sequential_ids = false;
  bool allow_unsigned_tokens = false;
  // Change sets (issue 11): written down per call only when a host persists
  // or replicates them (durable agents, onChange); they cost ~15% per call.
  bool change_sets = false;
  bool compat_accept_missing_idempotency_key = false;
  bool compat_accept_legacy_delivery_snapshot = false;
  bool compat_legacy_body_status = false;
  // Project additions (not in the spec's table).
  int64_t max_request_bytes = 1 << 20;  // bad-input limit (issue: configurable)
  // Buyer-vs-seller spend tolerance for measurement_variance (04 §4.2);
  // ε by default.
  double delivery_variance_tolerance = 1e-6;
};

// Returns an error message (empty on success).
std::string ParseConfig(std::string_view json_text, Config* out);

}  // namespace adcp
