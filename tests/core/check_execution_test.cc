// Spec 03 §5.5–§5.6 execution checks: purchase, modification, delivery,
// seller delivery statements, tokens of the action.
#include "canon/digests.h"
#include "check_helpers.h"

using namespace adcp;
using namespace adcp::test;

namespace {

std::string Approve(Host& h, double amount, Value plan = BasePlan()) {
  SyncPlan(h, plan);
  Value r = Check(h, IntentRequest(amount));
  REQUIRE(Verdict(r) == "approved");
  return Token(r);
}

}  // namespace

TEST_CASE("03 §3 execution resolve/authorize: unknown, altered and expired tokens, audience, plan_id", "[03]") {
  Host h;
  std::string token = Approve(h, 100);
  std::string before = h.State();
  ExpectError(Check(h, ExecutionRequest("not-a-token"), kSeller), "VALIDATION_ERROR", "governance_context");
  std::string altered = token;
  altered[altered.size() - 5] = altered[altered.size() - 5] == 'A' ? 'B' : 'A';
  ExpectError(Check(h, ExecutionRequest(altered), kSeller), "VALIDATION_ERROR", "governance_context");
  // A token forged with the same claims but another signature is unknown too.
  std::string forged = token.substr(0, token.rfind('.') + 1) + StandInSignature("forged", "test-kid");
  ExpectError(Check(h, ExecutionRequest(forged), kSeller), "VALIDATION_ERROR", "governance_context");
  ExpectError(Check(h, Set(ExecutionRequest(token), "plan_id", "other"), kSeller), "VALIDATION_ERROR", "plan_id");
  Value wrong = Set(ExecutionRequest(token), "caller", kSeller2);
  ExpectError(Check(h, wrong, kSeller2), "PERMISSION_DENIED", "");
  CHECK(h.State() == before);
  h.now_ms += 900 * 1000;  // exp <= now
  ExpectError(Check(h, ExecutionRequest(token), kSeller), "PERMISSION_DENIED", "governance_context");
}

TEST_CASE("03 §5.5 purchase check: approved, narrows exec(A) and the hold, issues an execution token", "[03]") {
  Host h;
  std::string token = Approve(h, 600);
  Value req = ExecutionRequest(token);
  req.put("planned_delivery", J(R"({"media_buy_id":"mb_1","total_budget":500,"currency":"USD","channels":["olv"]})"));
  Value r = Check(h, req, kSeller);
  CHECK_SUBSET(J(R"({"response":{"check_type":"execution","verdict":"approved","plan_id":"$absent",
    "next_check":"2026-01-08T00:00:00.000Z","categories_evaluated":["channel_compliance","budget_authority"]}})"), r);
  Value claims = DecodeSegment(Token(r), 1);
  CHECK_SUBSET(J(R"({"sub":"gb_00000001","phase":"purchase","media_buy_id":"mb_1","caller":"https://seller.example.com",
    "authorized_commitment":{"amount":500,"currency":"USD"},"exp":1767830400})"), claims);
  CHECK_FALSE(claims.has("authorized_task"));
  CHECK(json::Write(*DecodeSegment(Token(r), 0).find("crit")) == R"(["authorized_commitment"])");
  // The hold is now 500: 500 more fits exactly.
  CHECK(Verdict(Check(h, IntentRequest(500))) == "approved");
  // Audit: the action has two final checks.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"governed_actions":[{"governance_context":")" + token +
                 R"(","check_count":2,"committed":0,"status":"active"},{"check_count":1}]}]}})"), audit);
}

TEST_CASE("03 §5.5 E6 budget authority of execution amounts", "[03]") {
  Host h;
  std::string token = Approve(h, 600);
  auto purchase = [&](const char* pd) {
    Value req = ExecutionRequest(token);
    req.put("planned_delivery", J(pd));
    return Check(h, req, kSeller);
  };
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"budget_authority","details":{"requested":700,"ceiling":600}}]}})"),
               purchase(R"({"media_buy_id":"mb_1","total_budget":700,"currency":"USD"})"));
  CHECK(FindingCategories(purchase(R"({"media_buy_id":"mb_1","total_budget":100,"currency":"EUR"})")) ==
        std::vector<std::string>{"budget_authority:critical"});
  ExpectError(Check(h, Set(ExecutionRequest(token), "execution_commitment", J(R"({"amount":1,"currency":"USD"})")), kSeller),
              "VALIDATION_ERROR", "execution_commitment");
  // Incremental intent: execution_commitment is required.
  Host h2;
  SyncPlan(h2, BasePlan());
  Value upd = Set(Set(IntentRequest(0), "tool", "update_media_buy"), "proposed_commitment", J(R"({"amount":100,"currency":"USD"})"));
  upd.put("payload", J(R"({"media_buy_id":"mb_1"})"));
  std::string t2 = Token(Check(h2, upd));
  ExpectError(Check(h2, ExecutionRequest(t2, "modification"), kSeller), "VALIDATION_ERROR", "execution_commitment");
  Value ok = Set(ExecutionRequest(t2, "modification"), "execution_commitment", J(R"({"amount":80,"currency":"USD"})"));
  Value r = Check(h2, ok, kSeller);
  CHECK(Verdict(r) == "approved");
  CHECK(*DecodeSegment(Token(r), 1).find("authorized_commitment")->find_number("amount") == 80);
}

TEST_CASE("03 §5.5 E1–E5: completed plan, seller removed, geography/channels/flight of the planned delivery", "[03]") {
  Host h;
  Value plan = Set(Set(Set(BasePlan(), "approved_sellers", J(R"(["https://seller.example.com"])")), "countries", J(R"(["US"])")),
                   "channels", J(R"({"allowed":["olv"]})"));
  std::string token = Approve(h, 100, plan);
  Value req = ExecutionRequest(token);
  req.put("planned_delivery", J(R"({"media_buy_id":"mb_1","geo":{"countries":["MX"]},"channels":["ctv"],"end_time":"2027-01-01T00:00:00Z"})"));
  CHECK(FindingCategories(Check(h, req, kSeller)) ==
        std::vector<std::string>{"geo_compliance:critical", "channel_compliance:critical", "flight_compliance:critical"});
  SyncPlan(h, Set(plan, "approved_sellers", J(R"(["https://seller-two.example.com"])")));
  CHECK(FindingCategories(Check(h, ExecutionRequest(token), kSeller)) == std::vector<std::string>{"seller_compliance:critical"});
  SyncPlan(h, plan);
  h.Admin(J(R"({"op":"complete_plan","owner":"https://buyer.example.com","plan_id":"plan_1"})"));
  CHECK(FindingCategories(Check(h, ExecutionRequest(token), kSeller)) == std::vector<std::string>{"plan_status:critical"});
  // Delivery checks still work on a completed plan.
  CHECK(Verdict(Check(h, DeliveryRequest(token, StatementMetrics("st_1", 1, 10)), kSeller)) == "approved");
}

TEST_CASE("03 §5.6 delivery statements: digest, currency, replay, conflicts, sequence", "[03]") {
  Host h;
  std::string token = Approve(h, 600);
  Value m1 = StatementMetrics("st_1", 1, 100);
  Value bad_digest = m1;
  bad_digest.put("statement_digest", "sha256:" + std::string(64, '0'));
  ExpectError(Check(h, DeliveryRequest(token, bad_digest), kSeller), "VALIDATION_ERROR", "delivery_metrics.statement_digest");
  Value eur = StatementMetrics("st_1", 1, 100);
  eur.put("currency", "EUR");
  eur.put("statement_digest", canon::StatementDigest("mb_1", eur));
  ExpectError(Check(h, DeliveryRequest(token, eur), kSeller), "VALIDATION_ERROR", "delivery_metrics.currency");
  Value first = Check(h, Set(DeliveryRequest(token, m1), "context", J(R"({"n":1})")), kSeller);
  CHECK_SUBSET(J(R"({"replayed":false,"response":{"verdict":"approved","delivery_statement":{"statement_id":"st_1","sequence":1,
    "seller_reference":"mb_1","cumulative_spend":100,"currency":"USD","canonical_payload":{"seller_reference":"mb_1"}}}})"), first);
  CHECK(json::Canonicalize(*Body(first).find("delivery_statement")->find("canonical_payload")->find("delivery_metrics")) ==
        json::Canonicalize(m1));
  std::string before = h.State();
  Value replay = Check(h, Set(DeliveryRequest(token, m1), "context", J(R"({"n":2})")), kSeller);
  CHECK(*replay.find("replayed") == Value(true));
  Value b1 = Body(first), b2 = Body(replay);
  b1.erase("context");
  b2.erase("context");
  CHECK(json::Write(b1) == json::Write(b2));
  CHECK(*Body(replay).find("context") == J(R"({"n":2})"));
  CHECK(h.State() == before);  // no new record
  ExpectError(Check(h, DeliveryRequest(token, StatementMetrics("st_1", 2, 150)), kSeller), "CONFLICT", "");
  ExpectError(Check(h, DeliveryRequest(token, StatementMetrics("st_2", 1, 150)), kSeller), "CONFLICT", "");  // stale sequence
  CHECK(Verdict(Check(h, DeliveryRequest(token, StatementMetrics("st_2", 2, 150)), kSeller)) == "approved");
  // The audit counts statement replays once.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"]})"), kBuyer);
  CHECK_SUBSET(J(R"({"response":{"plans":[{"governed_actions":[{"check_count":3,"seller_reported_spend":150,
    "delivery_reconciliation_status":"unmatched","delivery_period_state":"open","conservative_exposure":150,
    "delivery_reporting_period":{"start":"2026-01-01T00:00:00Z","end":"2026-01-08T00:00:00Z"}}]}]}})"), audit);
}

TEST_CASE("03 §5.6 delivery evaluation: overspend, geo drift tolerance, channels, mix, pacing, missed next_check", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential","geo_drift_tolerance_pct":5,"delivery_reporting_interval_seconds":86400})";
  Host h(o);
  Value plan = Set(Set(BasePlan(), "countries", J(R"(["US"])")), "channels",
                   J(R"({"allowed":["olv","ctv"],"mix_targets":{"ctv":{"min_pct":20,"max_pct":60}}})"));
  std::string token = Approve(h, 600, plan);
  Value over = Check(h, DeliveryRequest(token, StatementMetrics("st_1", 1, 700)), kSeller);
  CHECK_SUBSET(J(R"({"response":{"verdict":"denied","findings":[{"category_id":"delivery_pacing","severity":"critical",
    "details":{"cumulative_spend":700,"committed":600}}]}})"), over);
  // The statement counts for sequencing even though the check was denied.
  ExpectError(Check(h, DeliveryRequest(token, StatementMetrics("st_x", 1, 10)), kSeller), "CONFLICT", "");
  Value drift = Check(h, DeliveryRequest(token, StatementMetrics("st_2", 2, 100, "2026-01-08T00:00:00Z", "2026-01-15T00:00:00Z",
                                                R"(,"geo_distribution":{"US":96,"CA":4},"channel_distribution":{"olv":50,"ctv":50})")),
                      kSeller);
  CHECK(FindingCategories(drift).empty());  // 4% <= 5% tolerance; ctv within 20..60
  Value bad = Check(h, DeliveryRequest(token, StatementMetrics("st_3", 3, 200, "2026-01-15T00:00:00Z", "2026-01-22T00:00:00Z",
                                              R"(,"geo_distribution":{"US":90,"CA":10},"channel_distribution":{"olv":90,"display":10},"pacing":"behind")")),
                    kSeller);
  CHECK(FindingCategories(bad) == std::vector<std::string>{"geo_compliance:critical", "channel_compliance:critical",
                                                           "channel_compliance:warning", "delivery_pacing:warning"});
  CHECK_SUBSET(J(R"({"response":{"findings":[{"details":{"unauthorized_pct":10}},{},{"details":{"channel":"ctv","actual_pct":0,"min_pct":20}},
    {"details":{"pacing":"behind","expected_spend":34.62,"pace_deviation_pct":477.78}}]}})"), bad);
  // The last approved check set next_check = now + 1 day; a later report warns
  // (presenting the seller's own execution token, still valid).
  h.now_ms += 2.0 * 86400 * 1000;
  Value late = Check(h, DeliveryRequest(Token(drift), StatementMetrics("st_4", 4, 250, "2026-01-22T00:00:00Z", "2026-01-29T00:00:00Z")), kSeller);
  CHECK_SUBSET(J(R"({"response":{"verdict":"approved","findings":[{"category_id":"delivery_pacing","details":{"missed_next_check":"2026-01-02T00:00:00.000Z"}}]}})"), late);
}

TEST_CASE("03 §4.4 accept_proposal: committed status, terms digest, binding, amounts; E4 proposal binding", "[03]") {
  Host h;
  SyncPlan(h, BasePlan());
  Value terms = J(R"({"brand":{"domain":"acme.example"},"purchases":[{"product_id":"p1","pricing_option_id":"po1",
    "pricing":{"currency":"USD"},"budget":300,"start_time":"2026-02-01T00:00:00Z","end_time":"2026-02-28T00:00:00Z"}],
    "start_time":"2026-02-01T00:00:00Z","end_time":"2026-02-28T00:00:00Z"})");
  std::string digest = canon::PrefixedB64Digest(terms);
  Value proposal = json::Obj({{"proposal_id", "prop_1"}, {"proposal_kind", "new_media_buy"}, {"proposal_status", "committed"},
                              {"name", "Feb"}, {"expires_at", "2026-02-01T00:00:00Z"}, {"commercial_terms", terms},
                              {"terms_digest", digest}});
  Value req = json::Obj({{"caller", kBuyer}, {"plan_id", "plan_1"}, {"target_agent", kSeller}, {"tool", "accept_proposal"},
                         {"payload", json::Obj({{"proposal_id", "prop_1"}, {"proposal_terms_digest", digest}})},
                         {"proposed_commitment", J(R"({"amount":300,"currency":"USD"})")}, {"proposal", proposal}});
  ExpectError(Check(h, Set(req, "proposal.terms_digest", "sha256:" + std::string(43, 'A'))), "VALIDATION_ERROR",
              "proposal.terms_digest");
  ExpectError(Check(h, Set(req, "proposal.proposal_status", "draft")), "VALIDATION_ERROR", "proposal");
  ExpectError(Check(h, Set(req, "payload.proposal_id", "other")), "VALIDATION_ERROR", "payload.proposal_terms_digest");
  ExpectError(Check(h, Set(req, "proposed_commitment.amount", 250.0)), "VALIDATION_ERROR", "proposed_commitment");
  Value ok = Check(h, req);
  REQUIRE(Verdict(ok) == "approved");
  std::string token = Token(ok);
  // accept_proposal is incremental: the seller states the amount it executes.
  Value exec = Set(ExecutionRequest(token), "execution_commitment", J(R"({"amount":300,"currency":"USD"})"));
  CHECK(FindingCategories(Check(h, exec, kSeller)) == std::vector<std::string>{"proposal_binding:critical"});
  exec.put("planned_delivery", json::Obj({{"media_buy_id", "mb_1"}, {"proposal_id", "prop_1"}, {"proposal_terms_digest", digest}}));
  CHECK(Verdict(Check(h, exec, kSeller)) == "approved");
}

TEST_CASE("03 §9 runtime attestations: evaluation, outcomes, binding digest in body, entry and token", "[03]") {
  HostOptions o;
  o.config = R"({"issuer":"https://governance.example.com","signing":{"kid":"k"},"id_mode":"sequential",
                 "runtime_attestations":{"signal_activation":{"requirement":"required","claim_types":["https://claims.example/audience/methodology-reviewed"]}}})";
  Host h(o);
  h.evaluate_attestation = [](std::string_view, std::string_view ctx) {
    Value c = ParseOrFail(std::string(ctx));
    (void)c;
    return HookResult<std::string>{
        R"({"outcome":"verified","credential_digest":"sha256:cee39fac0bff75b76b0dd193c19e259d7bfed089dd9ae4a528a132d32ec7449a","proof_format":"https://formats.example/jcs-signed-json","confidence":0.98})",
        ""};
  };
  SyncPlan(h, BasePlan());
  Value vectors = ReadJson(SharedPath("adcp/test-vectors/governance-runtime-attestations/vectors.json"));
  Value ref = *vectors.find("binding_vector")->find("reference");
  Value req = json::Obj({{"caller", kBuyer}, {"plan_id", "plan_1"}, {"target_agent", "https://signals.meridian.example/adcp"},
                         {"tool", "activate_signal"}, {"purchase_type", "signal_activation"},
                         {"payload", J(R"({"signal_agent_segment_id":"signal_urban_commuters"})")},
                         {"proposed_commitment", J(R"({"amount":50,"currency":"USD"})")},
                         {"runtime_attestations", Value(json::Array{ref})}});
  Value r = Check(h, req, kBuyer);
  CHECK(Verdict(r) == "approved");
  const Value& evals = *Body(r).find("runtime_attestation_evaluations");
  CHECK_SUBSET(J(R"([{"outcome":"verified","reference_digest":"sha256:1615872aea756cbeba3ced4a17111d72d2ed8e1c69aad8ac165e3a01a23af1a5",
    "evaluated_by":"https://governance.example.com","action_binding":{"action_type":"https://adcontextprotocol.org/actions/governance-check","action_id":"chk_00000001"}}])"), evals);
  Value pre = json::Obj({{"evaluations", evals}, {"findings", Value::MakeArray()}});
  CHECK(*Body(r).find_string("runtime_attestation_binding_digest") == canon::PrefixedHexDigest(pre));
  CHECK(*DecodeSegment(Token(r), 1).find_string("runtime_attestation_binding_digest") ==
        *Body(r).find_string("runtime_attestation_binding_digest"));
  // Another signal id: subject mismatch -> critical (required).
  Value mismatch = Set(req, "payload.signal_agent_segment_id", "other_signal");
  Value m = Check(h, mismatch, kBuyer);
  CHECK(Verdict(m) == "denied");
  CHECK_SUBSET(J(R"({"response":{"findings":[{"category_id":"signal_quality","severity":"critical",
    "attestation_reference_digest":"sha256:1615872aea756cbeba3ced4a17111d72d2ed8e1c69aad8ac165e3a01a23af1a5"}],
    "runtime_attestation_evaluations":[{"outcome":"subject_mismatch"}]}})"), m);
  // Required but none presented.
  Value none = Check(h, Del(req, "runtime_attestations"), kBuyer);
  CHECK(FindingCategories(none) == std::vector<std::string>{"signal_quality:critical"});
  CHECK_FALSE(Body(none).has("runtime_attestation_evaluations"));
  // Audit entry carries reference/evaluation pairs and the digest.
  Value audit = h.Call("get_plan_audit_logs", J(R"({"plan_ids":["plan_1"],"include_entries":true})"), kBuyer);
  const Value& entry = audit.find("response")->find_array("plans")[0][0].find_array("entries")[0][0];
  CHECK(entry.has("runtime_attestations"));
  CHECK(entry.has("runtime_attestation_binding_digest"));
  // Deactivation is never gated.
  Value off = Set(Del(req, "runtime_attestations"), "payload.action", "deactivate");
  CHECK(Verdict(Check(h, off, kBuyer)) == "approved");
}
