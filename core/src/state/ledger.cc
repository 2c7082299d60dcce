#include "state/ledger.h"

#include "canon/sha256.h"
#include "util/holes.h"

#include <algorithm>
#include <cctype>

namespace adcp {
namespace {

std::vector<Sym> ChannelsOf(const json::Value* planned_delivery) {
  std::vector<Sym> out;
  if (!planned_delivery) return out;
  if (const json::Array* chans = planned_delivery->find_array("channels"))
    for (const json::Value& c : *chans)
      if (c.is_string() && std::find(out.begin(), out.end(), c.as_string()) == out.end()) out.push_back(c.as_string());
  return out;
}

void AddTo(std::map<std::string, ExactSum>& map, const std::string& key, double amount) {
  ExactSum& s = map[key];
  s.Add(amount);
  if (s.IsZero()) map.erase(key);
}

void AddEntry(State& state, int32_t plan_index, int32_t action, const std::string& purchase_type, EntryRef ref) {
  Plan& plan = state.plans[plan_index];
  if (plan.entries.empty()) plan.entries_type = purchase_type;
  // While every entry is of one type, `entries` is that type's list
  // (EntriesOfType); at a second type the lists by type start.
  if (plan.entries_by_type.empty() && plan.entries_type != purchase_type)
    plan.entries_by_type[plan.entries_type.str()] = plan.entries;
  plan.entries.push_back(ref);
  if (!plan.entries_by_type.empty()) plan.entries_by_type[purchase_type].push_back(ref);
  if (action != kNone) state.actions[action].entries.push_back(ref);
}

void CountFindings(PlanAggregates& agg, const json::Value* findings) {
  if (!findings || !findings->is_array()) return;
  for (const json::Value& f : findings->as_array()) {
    ++agg.findings;
    if (const double* c = f.find_number("confidence")) {
      agg.confidence_sum += *c;
      ++agg.confidence_count;
    }
  }
}

double Prefix(const std::vector<double>& tree, size_t n) {
  double sum = 0;
  for (; n > 0; n -= n & (~n + 1)) sum += tree[n];
  return sum;
}

void FenwickAdd(std::vector<double>& tree, size_t pos, double delta) {
  for (size_t i = pos + 1; i < tree.size(); i += i & (~i + 1)) tree[i] += delta;
}

void FenwickAppend(std::vector<double>& tree) {
  if (tree.empty()) tree.push_back(0);  // index 0 unused
  size_t n = tree.size();
  size_t low = n & (~n + 1);
  // tree[n] covers (n - low, n]; the new element is 0.
  tree.push_back(Prefix(tree, n - 1) - Prefix(tree, n - low));
}

// The key of an action's H2 series, from what never changes while it is
// registered (the plan's owner; the seller and account, which BindAction
// changes only between unregistering and registering again).
std::string AggregationKeyOf(const State& state, const Action& a) {
  return AggregationKey(state.plans[a.plan].owner_key, a.target_key(), a.account_key());
}

void AddToSeries(State& state, const Action& a, bool gross, double delta) {
  if (a.aggregation_pos == kNone || delta == 0) return;
  AggregationSeries& s = state.aggregation[AggregationKeyOf(state, a)];
  (gross ? s.gross : s.held)[a.aggregation_pos] += delta;
  FenwickAdd(gross ? s.gross_tree : s.held_tree, static_cast<size_t>(a.aggregation_pos), delta);
}

}  // namespace

std::string AggregationKey(const std::string& owner_key, const std::string& seller_key, const std::string& account_key) {
  return owner_key + "\n" + seller_key + "\n" + account_key;
}

void RegisterAggregation(State& state, int32_t action_index) {
  Action& a = state.actions[action_index];
  state.aggregation_sellers[JoinKey(state.plans[a.plan].owner_key, a.account_key())].insert(a.target_key());
  AggregationSeries& s = state.aggregation[AggregationKeyOf(state, a)];
  const int64_t at = a.aggregation_at_ms.value_or(a.approved_at_ms);
  if (!s.approved_at_ms.empty() && at < s.approved_at_ms.back()) s.sorted = false;
  a.aggregation_pos = static_cast<int32_t>(s.approved_at_ms.size());
  s.approved_at_ms.push_back(at);
  s.gross.push_back(0);
  s.held.push_back(0);
  FenwickAppend(s.gross_tree);
  FenwickAppend(s.held_tree);
}

void UnregisterAggregation(State& state, int32_t action_index) {
  Action& a = state.actions[action_index];
  if (a.settlement != kNone && !a.failed) AddToSeries(state, a, true, -a.gross);
  a.aggregation_pos = kNone;  // the emptied slot stays; sums no longer see this action there
}

void RecordSettlementAggregation(State& state, int32_t action_index) {
  const Action& a = state.actions[action_index];
  if (a.settlement != kNone && !a.failed) AddToSeries(state, a, true, a.gross);
}

double WindowSum(const State& state, const std::string& key, int64_t after_ms) {
  auto it = state.aggregation.find(key);
  if (it == state.aggregation.end()) return 0;
  const AggregationSeries& s = it->second;
  const size_t n = s.approved_at_ms.size();
  if (!s.sorted) {  // a clock that went backwards: exact but linear
    double sum = 0;
    for (size_t i = 0; i < n; ++i)
      if (s.approved_at_ms[i] > after_ms) sum += s.gross[i] + s.held[i];
    return sum;
  }
  size_t first = static_cast<size_t>(std::upper_bound(s.approved_at_ms.begin(), s.approved_at_ms.end(), after_ms) -
                                     s.approved_at_ms.begin());
  return (Prefix(s.gross_tree, n) - Prefix(s.gross_tree, first)) + (Prefix(s.held_tree, n) - Prefix(s.held_tree, first));
}

double WindowSumAnySeller(const State& state, const std::string& owner_key, const std::string& account_key,
                          int64_t after_ms) {
  auto it = state.aggregation_sellers.find(JoinKey(owner_key, account_key));
  if (it == state.aggregation_sellers.end()) return 0;
  double sum = 0;
  for (const std::string& seller : it->second) sum += WindowSum(state, AggregationKey(owner_key, seller, account_key), after_ms);
  return sum;
}

std::vector<Sym> SettledChannels(const State& state, const Action& a) {
  if (a.latest_exec_check != kNone) {
    const std::optional<json::Value> planned = PlannedDeliveryOf(state.checks[a.latest_exec_check]);
    std::vector<Sym> ch = ChannelsOf(planned ? &*planned : nullptr);
    if (!ch.empty()) return ch;
  }
  if (a.settlement != kNone && !a.failed) {
    const Outcome& o = state.outcomes[a.settlement];
    if (!SettlementOf(o).seller_channels.empty()) return SettlementOf(o).seller_channels;
  }
  return a.intent_channels;
}

SymList HoldChannels(const State& state, const Action& a) {
  if (a.latest_exec_check != kNone) {
    const std::optional<json::Value> planned = PlannedDeliveryOf(state.checks[a.latest_exec_check]);
    std::vector<Sym> ch = ChannelsOf(planned ? &*planned : nullptr);
    if (!ch.empty()) return ch;
  }
  return a.intent_channels;
}

namespace {
constexpr int64_t kMillisPerDay = 86400000;
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

void ApplyActionLedger(State& state, int32_t action_index, int sign) {
  Action& a = state.actions[action_index];
  PlanAggregates& agg = state.plans[a.plan].agg;
  const double s = sign;
  const bool settled_completed = a.settlement != kNone && !a.failed;
  if (a.settlement == kNone) agg.unsettled_actions += sign;
  agg.gross_committed.Add(s * a.gross);
  const ActionAdjustments& adjusted = AdjustmentsOf(a);
  agg.adjustments_reported.Add(s * adjusted.reported_adj.Value());
  agg.adjustments_verified.Add(s * adjusted.verified.Value());
  agg.headroom_restored.Add(s * adjusted.restored.Value());
  const double net = a.net_committed();
  if (net != 0) {
    AddTo(agg.by_type, a.purchase_type(), s * net);
    AddTo(agg.by_seller, a.target_key(), s * net);
    AddTo(agg.by_caller, a.caller_key(), s * net);
  }
  if (a.settlement != kNone && net != 0) {
    const int64_t day = FloorDiv(state.outcomes[a.settlement].timestamp_ms, kMillisPerDay);
    ExactSum& on_day = agg.committed_by_day[day];
    on_day.Add(s * net);
    if (on_day.Value() == 0) agg.committed_by_day.erase(day);  // exact: only when nothing settles that day
  }
  if (settled_completed) {
    std::vector<Sym> channels = SettledChannels(state, a);
    if (!channels.empty()) {
      double share = net / static_cast<double>(channels.size());
      for (const std::string& ch : channels) {
        // A key stays while any settled action attributes the channel, even
        // at 0 committed; the count tells when the last one went away.
        agg.channel_committed[ch].Add(s * share);
        if ((agg.channel_attributions[ch] += sign) == 0) {
          agg.channel_attributions.erase(ch);
          agg.channel_committed.erase(ch);
        }
      }
    }
  }
}

void ApplyActionHold(State& state, int32_t action_index, int sign) {
  Action& a = state.actions[action_index];
  if (!a.hold_counting()) return;
  PlanAggregates& agg = state.plans[a.plan].agg;
  const Hold& hold = a.hold();
  const double amount = sign * hold.amount;
  AddToSeries(state, a, false, amount);
  agg.held.Add(amount);
  AddTo(agg.held_by_type, a.purchase_type(), amount);
  AddTo(agg.held_by_seller, a.target_key(), amount);
  AddTo(agg.held_by_caller, a.caller_key(), amount);
  if (!hold.channels.empty()) {
    double share = amount / static_cast<double>(hold.channels.size());
    for (const std::string& ch : hold.channels) AddTo(agg.held_by_channel, ch, share);
  }
  if (sign > 0) {
    agg.hold_expiry.emplace(hold.exp_ms, action_index);
  } else {
    auto range = agg.hold_expiry.equal_range(hold.exp_ms);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == action_index) {
        agg.hold_expiry.erase(it);
        break;
      }
    }
  }
}

void ExpireHolds(State& state, int32_t plan_index, int64_t now_ms) {
  PlanAggregates& agg = state.plans[plan_index].agg;
  while (!agg.hold_expiry.empty() && agg.hold_expiry.begin()->first <= now_ms) {
    int32_t action = agg.hold_expiry.begin()->second;
    ApplyActionHold(state, action, -1);
    state.actions[action].StopHold();
  }
}

void CountFinalCheck(State& state, int32_t check_index, const json::Value& body) {
  Check& c = state.checks[check_index];
  PlanAggregates& agg = state.plans[c.plan].agg;
  ++agg.checks;
  if (c.verdict == Verdict::kApproved) ++agg.approved;
  if (c.verdict == Verdict::kDenied) ++agg.denied;
  if (c.verdict == Verdict::kConditions) ++agg.conditions;
  bool escalated = c.escalation() != kNone;
  if (escalated) {
    ++agg.escalated;
    const Escalation& e = state.escalations[c.escalation()];
    if (e.resolution && *e.resolution != "expired") {
      ++agg.human_reviewed;
      bool approved_by_human = *e.resolution == "approved_by_human";
      if (approved_by_human != (e.recommendation == "approve")) ++agg.overrides;
    }
  } else if (c.verdict == Verdict::kApproved) {
    ++agg.auto_approved;
  }
  if (escalated) agg.escalated_ordinals.push_back(static_cast<uint32_t>(agg.checks - 1));
  CountFindings(agg, body.find("findings"));
  if (c.action != kNone) ++state.actions[c.action].check_count;
  AddEntry(state, c.plan, c.action, c.purchase_type(), EntryRef{check_index, EntryKind::kCheck});
}

void CountOutcome(State& state, int32_t outcome_index) {
  Outcome& o = state.outcomes[outcome_index];
  PlanAggregates& agg = state.plans[o.plan].agg;
  ++agg.outcomes;
  CountFindings(agg, &FindingsOf(o));
  AddEntry(state, o.plan, o.action, o.purchase_type(), EntryRef{outcome_index, EntryKind::kOutcome});
}

void CountAdjustment(State& state, int32_t adjustment_index) {
  Adjustment& adj = state.adjustments[adjustment_index];
  PlanAggregates& agg = state.plans[adj.plan].agg;
  ++agg.adjustments;
  if (adj.state == "verified") ++agg.adjustments_verified_count;
  const std::string& pt = state.actions[adj.action].purchase_type();
  AddEntry(state, adj.plan, adj.action, pt, EntryRef{adjustment_index, EntryKind::kAdjustment});
}

void CountAdjustmentVerified(State& state, int32_t adjustment_index) {
  ++state.plans[state.adjustments[adjustment_index].plan].agg.adjustments_verified_count;
}

void RecordStatement(State& state, int32_t check_index) {
  const Check& c = state.checks[check_index];
  Action& a = state.actions[c.action];
  const Statement& s = *c.statement();
  if (s.sequence > a.highest_sequence) {
    a.highest_sequence = s.sequence;
    a.highest_statement_check = check_index;
  }
  Period& p = a.periods[PeriodKeyOf(s)];
  if (s.sequence > p.highest_sequence) {
    p.highest_sequence = s.sequence;
    p.latest_statement_check = check_index;
  }
}

void RecordObservation(State& state, int32_t outcome_index) {
  const Outcome& o = state.outcomes[outcome_index];
  Action& a = state.actions[o.action];
  const Statement& s = *state.checks[o.check].statement();
  Period& p = a.periods[PeriodKeyOf(s)];
  p.status = ObservationOf(o).reconciliation_status;
  p.closed = p.closed || ObservationOf(o).period_state == PeriodState::kClosed;
  p.latest_observation = outcome_index;
  if (std::optional<double> spend = DeliveryNumber(o, "cumulative_spend")) p.latest_observed_spend = *spend;
  a.latest_observation = outcome_index;
}

TokenDigest TokenKey(const std::string& token) { return canon::Sha256Of(token); }

namespace {

// Claims whose values differ from token to token (ids, times, the payload
// hash, the commitment's amount): taken out of the shape.
bool TakenOut(std::string_view key) {
  for (std::string_view k : {"sub", "iat", "exp", "jti", "check_id", "media_buy_id", "authorized_payload_hash", "amount"})
    if (key == k) return true;
  return false;
}

// The three segments of a compact JWS text; false unless there are exactly three.
bool Segments(std::string_view text, std::string_view* header, std::string_view* claims, std::string_view* signature) {
  const size_t a = text.find('.'), b = a == std::string_view::npos ? a : text.find('.', a + 1);
  if (b == std::string_view::npos || text.find('.', b + 1) != std::string_view::npos) return false;
  *header = text.substr(0, a);
  *claims = text.substr(a + 1, b - a - 1);
  *signature = text.substr(b + 1);
  return true;
}

}  // namespace

std::string TokenClaims(const StoredToken& token, const TokenIds& ids) {
  if (token.header() != StoredToken::kVerbatim) {
    const std::string_view claims = token.bytes().substr(0, token.bytes().size() - token.signature_size());
    if (token.claims_shape().empty()) return std::string(claims);
    std::string values;
    // Only with other ids than it was stored with (no caller does that).
    if (!ResolveKnown(claims, {ids.check_id, ids.action_id, ids.payload_hash, ids.created_s, ids.expires_s}, &values))
      return "";
    return JoinHoles(token.claims_shape().str(), values);
  }
  std::string_view header, claims, signature;
  std::string decoded;
  if (!Segments(token.bytes(), &header, &claims, &signature) || !canon::Base64UrlDecode(claims, &decoded)) return "";
  return decoded;
}

std::string TokenText(const State& s, const StoredToken& token, const TokenIds& ids) {
  if (token.header() == StoredToken::kVerbatim) return std::string(token.bytes());
  const std::string claims = TokenClaims(token, ids);
  const std::string_view signature = token.bytes().substr(token.bytes().size() - token.signature_size());
  const std::string& header = s.token_headers[token.header()];
  std::string text;
  text.reserve(header.size() + 2 + (claims.size() * 4 + 2) / 3 + (signature.size() * 4 + 2) / 3);
  text += header;
  text += '.';
  canon::Base64UrlAppend(&text, claims);
  text += '.';
  canon::Base64UrlAppend(&text, signature);
  return text;
}

void CompactToken(State& s, StoredToken& token, const TokenIds& ids) {
  if (token.header() != StoredToken::kVerbatim || token.empty()) return;
  std::string_view header, claims_text, signature_text;
  if (!Segments(token.bytes(), &header, &claims_text, &signature_text)) return;
  // The strict decoder accepts only canonical base64url, so the parts encode
  // back to exactly these segments.
  std::string claims, signature;
  if (!canon::Base64UrlDecode(claims_text, &claims) || !canon::Base64UrlDecode(signature_text, &signature) ||
      signature.size() >= StoredToken::kVerbatim)
    return;
  size_t index = 0;
  while (index < s.token_headers.size() && s.token_headers[index] != header) ++index;
  // A few distinct headers exist (alg, kid and crit vary by configuration
  // and token kind); past 64, tokens stay verbatim.
  if (index == s.token_headers.size()) {
    if (index >= 64) return;
    s.token_headers.emplace_back(header);
  }
  Sym claims_shape;
  std::string shape, values, kept = claims;
  if (SplitMembers(claims, [](std::string_view member, bool) { return TakenOut(member); }, &shape, &values)) {
    claims_shape = Sym(shape);
    // The check id, the action id (sub), the payload hash and the times
    // (iat, exp) are the records' own.
    kept = ReferToKnown(values, {ids.check_id, ids.action_id, ids.payload_hash, ids.created_s, ids.expires_s});
  }
  StoredToken split = StoredToken::Split(kept, signature, std::move(claims_shape), static_cast<uint16_t>(index));
  // Kept split only when it reads back exactly (as ShapedText checks its own).
  if (TokenClaims(split, ids) == claims) token = std::move(split);
}

// The indexes keep 32 bits of each key's digest; a slot whose bits match is
// confirmed against the record's own key (util/digest_index.h): these say
// whether the record at a position has the key.
namespace {
auto IssuedToken(const State& s, const std::string& token) {
  return [&s, &token](int32_t check) { return IssuedTokenText(s, s.checks[check]) == token; };
}
KeyDigest StatementKeyOf(const std::string& seller_key, const std::string& statement_id) {
  return KeyOf(JoinKey(seller_key, statement_id));
}
KeyDigest StatementKeyOf(const Check& c) { return StatementKeyOf(c.caller_key(), c.statement()->statement_id.str()); }
auto RecordsStatement(const State& s, const KeyDigest& key) {
  return [&s, &key](int32_t check) { return StatementKeyOf(s.checks[check]) == key; };
}
KeyDigest ObservationKeyOf(const std::string& reporter_key, int32_t plan, const std::string& observation_id) {
  return KeyOf(JoinKey(JoinKey(reporter_key, std::to_string(plan)), observation_id));
}
KeyDigest ObservationKeyOf(const Outcome& o) { return ObservationKeyOf(o.reporter_key(), o.plan, ObservationOf(o).observation_id.str()); }
auto RecordsObservation(const State& s, const KeyDigest& key) {
  return [&s, &key](int32_t outcome) { return ObservationKeyOf(s.outcomes[outcome]) == key; };
}
}  // namespace

void IndexIssuedToken(State& s, int32_t check, Check& c) {
  StoredToken& token = c.issued_token;
  if (token.empty()) return;
  // Records in flight and imported ones arrive verbatim: index their text as is.
  const TokenIds ids = TokenIdsOf(s, c);
  const std::string text = token.header() == StoredToken::kVerbatim ? std::string(token.bytes()) : TokenText(s, token, ids);
  s.check_by_token.Insert(TokenKey(text), check, IssuedToken(s, text));
  CompactToken(s, token, ids);
}

int32_t FindIssuer(const State& s, const std::string& token) {
  return s.check_by_token.Find(TokenKey(token), IssuedToken(s, token));
}

int32_t FindStatement(const State& s, const std::string& seller_key, const std::string& statement_id) {
  const KeyDigest key = StatementKeyOf(seller_key, statement_id);
  return s.statement_by_id.Find(key, RecordsStatement(s, key));
}

void IndexStatement(State& s, int32_t check) {
  const KeyDigest key = StatementKeyOf(s.checks[check]);
  s.statement_by_id.Insert(key, check, RecordsStatement(s, key));
}

int32_t FindObservation(const State& s, const std::string& reporter_key, int32_t plan, const std::string& observation_id) {
  const KeyDigest key = ObservationKeyOf(reporter_key, plan, observation_id);
  return s.observation_by_id.Find(key, RecordsObservation(s, key));
}

void IndexObservation(State& s, int32_t outcome) {
  const KeyDigest key = ObservationKeyOf(s.outcomes[outcome]);
  s.observation_by_id.Insert(key, outcome, RecordsObservation(s, key));
}

void AddReplayExpiry(State& state, int64_t stored_at_ms, int32_t entry) {
  auto& queue = state.idempotency_expiry;
  // The host's clock may go back: then the entry goes where a multimap
  // would put it (linear, and only then).
  auto at = queue.empty() || queue.back().first <= stored_at_ms
                ? queue.end()
                : std::upper_bound(queue.begin(), queue.end(), stored_at_ms,
                                   [](int64_t t, const std::pair<int64_t, int32_t>& e) { return t < e.first; });
  queue.emplace(at, stored_at_ms, entry);
}

namespace {
std::string StoredScopeOf(uint32_t agent_number, std::string_view key) {
  std::string stored = std::to_string(agent_number);
  stored += '\n';
  stored += key;
  return stored;
}
}  // namespace

std::string StoredScope(State& state, std::string_view scope) {
  const size_t newline = scope.find('\n');
  if (newline == std::string_view::npos) return std::string(scope);
  std::string agent(scope.substr(0, newline));
  // Looked up first: emplace would build (and drop) a node on every keyed call.
  auto it = state.idempotency_agent_numbers.find(agent);
  if (it == state.idempotency_agent_numbers.end()) {
    state.idempotency_agents.push_back(agent);
    it = state.idempotency_agent_numbers.emplace(std::move(agent), static_cast<uint32_t>(state.idempotency_agents.size() - 1)).first;
  }
  return StoredScopeOf(it->second, scope.substr(newline + 1));
}

std::optional<std::string> FindStoredScope(const State& state, std::string_view scope) {
  const size_t newline = scope.find('\n');
  if (newline == std::string_view::npos) return std::string(scope);
  auto it = state.idempotency_agent_numbers.find(std::string(scope.substr(0, newline)));
  if (it == state.idempotency_agent_numbers.end()) return std::nullopt;
  return StoredScopeOf(it->second, scope.substr(newline + 1));
}

std::string FullScope(const State& state, std::string_view stored_scope) {
  const size_t newline = stored_scope.find('\n');
  if (newline == std::string_view::npos) return std::string(stored_scope);
  // Only StoredScope makes these keys; a number that names no agent (which
  // it never writes) gives the text back rather than reading past the list.
  uint64_t number = 0;
  for (char c : stored_scope.substr(0, newline)) {
    if (c < '0' || c > '9' || number >= state.idempotency_agents.size()) return std::string(stored_scope);
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  if (newline == 0 || number >= state.idempotency_agents.size()) return std::string(stored_scope);
  std::string scope = state.idempotency_agents[number];
  scope += stored_scope.substr(newline);
  return scope;
}

std::string PeriodKey(const Instant& start, const Instant& end) {
  return std::to_string(start.seconds) + "." + start.fraction + "/" + std::to_string(end.seconds) + "." + end.fraction;
}

}  // namespace adcp
