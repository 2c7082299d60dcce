// The agent's in-memory state (spec 01): records plus the indexes and
// running totals that keep every call O(1) or O(log n) in a plan's history.
//
// Records are the source of truth and are what exportState() writes.
// Everything marked "derived" is rebuilt from records by RebuildDerived()
// (state/serialize.cc) on import, using the same upkeep functions the store
// uses (state/ledger.h), so an imported agent answers byte-for-byte like the
// one that exported. Only state/store.cc changes a State after import.
// A check's and an outcome's records, with the parts they keep, are in
// state/check_record.h and state/outcome_record.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "canon/sha256.h"
#include "state/vocab.h"
#include "json/value.h"
#include "state/value_ledger.h"
#include "util/boxed.h"
#include "util/compact_list.h"
#include "util/compact_optional.h"
#include "util/digest_index.h"
#include "util/digest_text.h"
#include "util/id_index.h"
#include "util/holes.h"
#include "util/money.h"
#include "util/record_id.h"
#include "util/symbol.h"
#include "util/time.h"

#include "state/check_record.h"
#include "state/outcome_record.h"

namespace adcp {

enum class PlanStatus { kActive, kSuspended, kCompleted };
const char* PlanStatusName(PlanStatus s);

struct Money {
  double amount = 0;
  std::string currency;
};

struct ResolvedPolicy {
  std::string policy_id;
  std::string source;       // explicit | auto_applied
  std::string enforcement;  // must | should | may
  std::optional<std::string> reason;
  json::Value ToJson() const;
};

struct Delegation {
  std::string agent_url;  // verbatim
  std::string agent_key;  // normalized ("" when not a valid agent URL: never matches)
  std::string authority;  // full | execute_only | propose_only
  std::optional<Money> budget_limit;
  std::optional<std::vector<std::string>> markets;
  std::optional<Instant> expires_at;
  bool ActiveAt(const Instant& now) const { return !expires_at || now < *expires_at; }
};

struct Allocation {
  std::optional<double> amount;
  std::optional<double> max_pct;
};

struct MixTarget {
  std::optional<double> min_pct, max_pct;
};

// Typed view of plan_as_supplied (derived; re-parsed on import).
struct PlanTerms {
  double total = 0;
  std::string currency;
  std::string accounting_mode = "gross_commitment";
  std::optional<double> reallocation_threshold;
  std::optional<double> per_seller_max_pct;
  std::map<std::string, Allocation> allocations;
  bool has_channels = false;
  std::optional<std::vector<std::string>> channels_allowed;
  std::vector<std::string> channels_required;
  std::map<std::string, MixTarget> mix_targets;  // byte order of channel id
  bool has_mix_targets = false;
  std::string flight_start_raw, flight_end_raw;
  Instant flight_start, flight_end;
  std::optional<std::vector<std::string>> countries, regions;
  bool approved_sellers_is_array = false;
  std::vector<std::string> approved_seller_keys;
  std::vector<Delegation> delegations;
  bool is_portfolio = false;
  std::vector<std::string> member_plan_ids;
  std::optional<Money> portfolio_cap;
  std::vector<std::string> shared_policy_ids;
  json::Value shared_exclusions = json::Value::MakeArray();
  json::Value custom_policies = json::Value::MakeArray();
  std::vector<std::string> policy_ids, policy_categories;
  bool human_review_required = false;
};

// resolveBrand hook result merged with inline brand fields (01 §2.1).
struct BrandInfo {
  bool resolvable = true;
  std::vector<std::string> industries;
  std::optional<json::Value> data_subject_contestation;
  json::Value ToJson() const;
};

struct PlanRevision {
  int64_t version = 0;
  int64_t synced_at_ms = 0;
  std::string plan_hash;
  std::shared_ptr<const json::Value> plan;
  std::optional<json::Value> downgrade;  // consumed approve_human_review_downgrade
};

// A hold (03 §5.7): an approved, unsettled action's reservation while it
// counts: the amount, its expiry and the channels it is attributed to.
struct Hold {
  double amount = 0;
  int64_t exp_ms = 0;
  SymList channels;
};

// Running totals of a plan (derived).
struct PlanAggregates {
  // Ledger (01 §6).
  ExactSum gross_committed, adjustments_reported, adjustments_verified, headroom_restored;
  std::map<std::string, ExactSum> by_type, by_seller, by_caller;  // net_committed
  std::map<std::string, ExactSum> channel_committed;  // channel_allocation and ledger_by_channel
  std::map<std::string, int64_t> channel_attributions;  // settled actions attributing each channel
  // net_committed of settled actions by their settlement's UTC day (the
  // dashboard's burn chart, `ext.adcp_governance.burn`): O(flight days).
  std::map<int64_t, ExactSum> committed_by_day;
  // Holds (03 §5.7), all counting holds of the plan.
  ExactSum held;
  std::map<std::string, ExactSum> held_by_type, held_by_seller, held_by_caller, held_by_channel;
  std::multimap<int64_t, int32_t> hold_expiry;  // exp_ms -> action, counting holds only
  int64_t unsettled_actions = 0;
  // Summary (06 §5), over final checks C in seq order.
  int64_t checks = 0, approved = 0, denied = 0, conditions = 0;
  int64_t escalated = 0, human_reviewed = 0, overrides = 0, auto_approved = 0;
  int64_t findings = 0;  // over checks and outcome records
  int64_t outcomes = 0, adjustments = 0, adjustments_verified_count = 0;
  double confidence_sum = 0;  // sequential in seq order (06 §5.1)
  int64_t confidence_count = 0;
  // The ordinals (0-based, in order) of the final checks that escalated:
  // EscalatedAmongFirst() counts them (06 §5.2's halves). Issue 15: a
  // prefix count was 4 bytes every final check; escalations are few.
  std::vector<uint32_t> escalated_ordinals;
};

// #E among a plan's first `n` final checks.
inline int64_t EscalatedAmongFirst(const PlanAggregates& agg, int64_t n) {
  const auto& ordinals = agg.escalated_ordinals;
  return std::lower_bound(ordinals.begin(), ordinals.end(), n,
                          [](uint32_t ordinal, int64_t bound) { return static_cast<int64_t>(ordinal) < bound; }) -
         ordinals.begin();
}

enum class EntryKind : uint8_t { kCheck, kOutcome, kAdjustment };
// An audit entry: its record's kind and position in one 32-bit word (issue
// 15: 8 bytes with padding, and a plan's and an action's lists each hold
// every entry; the seq is the record's own, SeqOf() reads it). Positions
// are below 2^30: a billion records of one kind would need far more memory
// than a process has (a check alone is 136 bytes; wasm32 has 4 GiB).
class EntryRef {
 public:
  EntryRef(int32_t index, EntryKind kind) : bits_(static_cast<uint32_t>(kind) << kIndexBits | static_cast<uint32_t>(index)) {}
  int32_t index() const { return static_cast<int32_t>(bits_ & kIndexMask); }
  EntryKind kind() const { return static_cast<EntryKind>(bits_ >> kIndexBits); }

 private:
  static constexpr int kIndexBits = 30;
  static constexpr uint32_t kIndexMask = (uint32_t{1} << kIndexBits) - 1;
  uint32_t bits_;
};
static_assert(sizeof(EntryRef) == 4, "an entry is one word");

struct Plan {
  // Records (exported).
  std::string owner;      // verbatim auth.agent_url of the first sync
  std::string owner_key;  // normalized
  std::string plan_id;
  int64_t version = 0;
  PlanStatus status = PlanStatus::kActive;
  std::shared_ptr<const json::Value> plan;  // plan_as_supplied (latest)
  std::string plan_hash;
  int64_t synced_at_ms = 0;
  std::vector<PlanRevision> revisions;
  bool effective_human_review = false;
  std::vector<std::string> human_review_reasons;
  std::vector<ResolvedPolicy> resolved_policies;
  json::Value categories = json::Value::MakeArray();
  BrandInfo brand;
  std::optional<std::string> mode_override;
  std::optional<json::Value> drift_thresholds_override;
  std::optional<json::Value> pending_downgrade;  // {approver, reason, approved_at}
  std::vector<int32_t> escalations;              // creation order (exported via the escalation records)
  // Derived.
  PlanTerms terms;
  std::vector<int32_t> actions;  // creation order
  std::vector<EntryRef> entries;
  // Entries by purchase type, kept once the plan has entries of two types;
  // until then every entry is of `entries_type` and `entries` serves as the
  // one list (issue 15: most plans buy one type, and the copy was 8 bytes
  // an entry). EntriesOfType() reads either.
  std::map<std::string, std::vector<EntryRef>> entries_by_type;
  Sym entries_type;
  PlanAggregates agg;
};

// Reconciliation state of one delivery period (A, reporting_period). The
// 8-byte members first: no padding between them (issue 15).
struct Period {
  int64_t highest_sequence = 0;
  double latest_observed_spend = 0;
  int32_t latest_statement_check = kNone;
  int32_t latest_observation = kNone;
  Reconciliation status = Reconciliation::kNone;  // latest observation's, kNone = unmatched (issue 15: a byte, was a Sym)
  bool closed = false;
};

// An action's delivery periods by their canonical key (PeriodKey), in key
// order. Most actions have one or two, so they are kept in a sorted array:
// one block for all of them, where a std::map was 48 bytes in the action and
// a 96-byte node a period, and a std::vector 24 bytes in the action (issue
// 15: here 16 on 64-bit, its size and capacity in 32 bits). Found by binary
// search. Written here rather than a std::vector for those 8 bytes.
class Periods {
 public:
  using Item = std::pair<Sym, Period>;
  Periods() = default;
  Periods(const Periods& other) { CopyFrom(other); }
  Periods(Periods&& other) noexcept
      : items_(std::exchange(other.items_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  Periods& operator=(const Periods& other) {
    if (this != &other) {
      Release();
      CopyFrom(other);
    }
    return *this;
  }
  Periods& operator=(Periods&& other) noexcept {
    if (this != &other) {
      Release();
      items_ = std::exchange(other.items_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  ~Periods() { Release(); }

  // The period with this key, nullptr for none.
  const Period* Find(const Sym& key) const {
    const Item* it = LowerBound(key);
    return it != end() && it->first == key ? &it->second : nullptr;
  }
  // The period with this key, added (empty) in its place if absent.
  Period& operator[](const Sym& key) {
    const Item* found = LowerBound(key);
    const size_t at = static_cast<size_t>(found - begin());
    if (found != end() && found->first == key) return items_[at].second;
    if (size_ == capacity_) Grow();
    if (at == size_) {
      new (items_ + size_) Item(key, Period());
    } else {  // shift the later ones up by one
      new (items_ + size_) Item(std::move(items_[size_ - 1]));
      for (size_t i = size_ - 1; i > at; --i) items_[i] = std::move(items_[i - 1]);
      items_[at] = Item(key, Period());
    }
    ++size_;
    return items_[at].second;
  }
  const Item* begin() const { return items_; }
  const Item* end() const { return size_ ? items_ + size_ : items_; }  // no offset on a null block
  size_t size() const { return size_; }

 private:
  const Item* LowerBound(const Sym& key) const {
    return std::lower_bound(begin(), end(), key, [](const Item& item, const Sym& k) { return item.first < k; });
  }
  // Raw storage for `capacity` items: an array new of Items would add a
  // count before them, which moved a period's block up an allocator class.
  static Item* Allocate(size_t capacity) { return std::allocator<Item>().allocate(capacity); }
  // Doubles the capacity (an action's periods are few; an insert is O(n) anyway).
  void Grow() {
    const uint32_t capacity = capacity_ == 0 ? 1 : capacity_ * 2;
    Item* grown = Allocate(capacity);
    for (size_t i = 0; i < size_; ++i) {
      new (grown + i) Item(std::move(items_[i]));
      items_[i].~Item();
    }
    if (items_) std::allocator<Item>().deallocate(items_, capacity_);
    items_ = grown;
    capacity_ = capacity;
  }
  void CopyFrom(const Periods& other) {  // this is empty
    if (other.size_ == 0) return;
    items_ = Allocate(other.size_);
    for (size_t i = 0; i < other.size_; ++i) new (items_ + i) Item(other.items_[i]);
    size_ = capacity_ = other.size_;
  }
  void Release() {
    for (size_t i = 0; i < size_; ++i) items_[i].~Item();
    if (items_) std::allocator<Item>().deallocate(items_, capacity_);
    items_ = nullptr;
    size_ = capacity_ = 0;
  }
  Item* items_ = nullptr;
  uint32_t size_ = 0, capacity_ = 0;  // an action's periods are far fewer than 2^32
};

// An action's adjustments (04 §6) and the spend of its 3.0 delivery
// snapshots: most actions have neither, so an action keeps them boxed
// (issue 15: 120 bytes inline). AdjustmentsOf() reads them.
struct ActionAdjustments {
  std::vector<int32_t> adjustments;
  // Derived.
  ExactSum reported_adj, verified, restored;
  ExactSum legacy_snapshot_spend;  // Σ spend of its 3.0 delivery snapshots (10 §4.4)
};

// An action's texts that the actions of a plan mostly repeat: kept as one
// pooled tuple (issue 15: eight Syms were 64 bytes an action).
struct ActionTexts {
  Sym purchase_type, tool, caller, caller_key, target_agent, target_key, currency, account_key;
};

struct Action {
  Action() : check_count(0), failed(false) {}
  RecordId action_id;  // gb_...
  // The int32 members sit together: no padding after each (issue 15).
  int32_t plan = kNone;
  int32_t intent_check = kNone;
  int32_t latest_exec_check = kNone;
  int32_t settlement = kNone;  // completed/failed outcome
  int32_t highest_statement_check = kNone;  // derived: current period's statement
  int32_t latest_observation = kNone;       // derived: any period
  int32_t aggregation_pos = kNone;          // derived
  // Derived: the checks made on the action, in 31 bits (positions are
  // below 2^30, EntryRef; unsigned, so 2^30 itself fits), beside `failed`:
  // 4 bytes where they were 16 with padding (issue 15). Reads as an int.
  uint32_t check_count : 31;
  bool failed : 1;
  // What was bought, by whom, from whom, in which currency and account: set
  // together (set_texts), read one by one.
  const Sym& purchase_type() const { return texts_[0]; }
  const Sym& tool() const { return texts_[1]; }
  const Sym& caller() const { return texts_[2]; }
  const Sym& caller_key() const { return texts_[3]; }
  const Sym& target_agent() const { return texts_[4]; }
  const Sym& target_key() const { return texts_[5]; }
  const Sym& currency() const { return texts_[6]; }
  const Sym& account_key() const { return texts_[7]; }
  ActionTexts texts() const {
    return {purchase_type(), tool(), caller(), caller_key(), target_agent(), target_key(), currency(), account_key()};
  }
  void set_texts(const ActionTexts& t) {
    texts_ = SymTuple<8>(
        {t.purchase_type, t.tool, t.caller, t.caller_key, t.target_agent, t.target_key, t.currency, t.account_key});
  }
  SymTuple<8> texts_;  // ActionTexts' members in order (texts())
  OptionalDouble ceiling;
  OptionalDouble exec;  // exec(A)
  int64_t hold_exp_ms = 0;  // later of intent exp and latest seller purchase/modification exp
  int64_t approved_at_ms = 0;
  SymList intent_channels;
  Boxed<ProposalBinding> proposal;  // copied from the intent's scope
  OptionalInt64 next_check_ms;
  double gross = 0;
  Boxed<ActionAdjustments> adjusted;  // absent: no adjustment, no 3.0 snapshot
  // Derived.
  CompactList<EntryRef> entries;  // issue 15: a std::vector was 24 bytes an action
  int64_t highest_sequence = 0;
  // Key: the canonical period key (PeriodKey), pooled: the actions of a
  // plan mostly share their reporting periods (issue 15: as a string it was
  // a heap block of its own per action and period).
  Periods periods;
  // The hold while it counts (derived), boxed: an action holds only until
  // it settles or its hold expires (issue 15: inline it was 24 bytes every
  // action). hold() is read only while hold_counting().
  bool hold_counting() const { return static_cast<bool>(hold_); }
  const Hold& hold() const { return *hold_; }
  void StartHold(double amount, int64_t exp_ms, SymList channels) { hold_ = Hold{amount, exp_ms, std::move(channels)}; }
  void ExtendHold(int64_t exp_ms) {
    if (hold_) hold_->exp_ms = exp_ms;
  }
  void StopHold() { hold_.reset(); }
  Boxed<Hold> hold_;
  InlineText<24> media_buy_id;  // most recently recorded (10 §3.5.1–§3.5.2), "" = none (issue 15: a std::string was 32 bytes)
  // H2 series time of an action bound after approval (10 §3.5.4): the binding
  // time, so its seller's series stays in time order (conservative window).
  OptionalInt64 aggregation_at_ms;
  double net_committed() const { return adjusted ? gross - adjusted->restored.Value() : gross; }
  // What the seller is authorized to commit: exec(A), else the ceiling.
  std::optional<double> authorized() const { return exec ? std::optional<double>(exec) : std::optional<double>(ceiling); }
  // committed(A) for pacing: the settled gross once settled, else authorized().
  std::optional<double> committed() const { return settlement != kNone ? std::optional<double>(gross) : authorized(); }
};

// An action's adjustments; empty ones when it has none.
inline const ActionAdjustments& AdjustmentsOf(const Action& a) {
  static const ActionAdjustments* const kNoAdjustments = new ActionAdjustments();  // never destroyed: read after exit
  return a.adjusted ? *a.adjusted : *kNoAdjustments;
}
// The same, to change (state/ only): boxed on first use.
inline ActionAdjustments& MutableAdjustments(Action& a) {
  if (!a.adjusted) a.adjusted = ActionAdjustments();
  return *a.adjusted;
}

struct Adjustment {
  std::string adjustment_id;
  int32_t plan = kNone, outcome = kNone, action = kNone;
  std::string seller, seller_key;
  std::string seller_reference, seller_adjustment_id, evidence_id;
  std::string adjustment_type;
  double amount = 0;
  std::string currency;
  std::string state = "reported";  // reported | verified | disputed
  double verified_amount = 0, headroom_restored = 0;
  json::Value evidence;
  std::string reason, effective_at;
  std::optional<std::string> reviewed_by, review_reason;
  std::optional<int64_t> reviewed_at_ms;
  std::string payload_hash;  // canonical payload of the report (natural-key replay)
  std::string report_body_json;  // response body of the report, compact JSON text
  int64_t timestamp_ms = 0;
  uint64_t seq = 0;
};

struct Escalation {
  std::string task_id;
  int32_t check = kNone;
  std::string reason;
  std::string recommendation;  // approve | deny
  std::optional<std::string> resolution;
  std::optional<int64_t> resolved_at_ms;
  std::optional<std::string> reviewer, decision_reason;
  int64_t created_ms = 0;
  // 3.0/3.1 escalations are answered synchronously and claimed by a later
  // identical intent (10 §3.3.4); their approval token is minted on claim.
  Dialect dialect = Dialect::k32;
  std::string claim_key;  // hex SHA-256 of the claim tuple, "" for 3.2
  bool claimed = false;
};

struct Consultation {
  std::string handle;
  std::string agent_key, caller_key, target_key;
  int32_t plan = kNone;
  std::string tool, purchase_type;
  int64_t start_ms = 0;
  int64_t attempts = 0;
  bool open = true;
};

// A revoked token (`serve`'s revocation list; tokens that outlive 15 minutes
// need one): the check that issued it, its jti and expiry.
struct Revocation {
  std::string jti;
  int32_t check = kNone;
  int64_t revoked_at_ms = 0;
  int64_t expires_at_ms = 0;
  std::optional<std::string> reason;
};

// An advertiser account (AdCP accounts protocol: sync_accounts /
// list_accounts): a brand, who operates it and who is billed, as its owner
// (the agent that synced it) declared them.
struct Account {
  std::string account_id;
  std::string owner, owner_key;
  json::Value brand;  // brand-ref as sent
  std::string operator_domain;
  std::string billing;  // operator | agent | advertiser
  std::optional<json::Value> billing_entity;
  std::optional<std::string> payment_terms;
  bool sandbox = false;
  std::string status = "active";
  int64_t created_ms = 0, updated_ms = 0;
  // Derived.
  int32_t owner_position = 0;  // index in accounts_by_owner[owner_key]
};

struct IdempotencyEntry {
  // First, so that the 4-byte members of wasm32 follow it unpadded (issue
  // 15: 24 bytes there, where 32 with the body first; 32 on 64-bit).
  int64_t stored_at_ms = 0;
  // The replay body, dropped once outside the replay window. When it is the
  // body of the outcome the request recorded, the entry names that outcome
  // instead of keeping a second copy (issue 15; ReplayBodyOf reads either).
  BoxedText body_json;
  // The outcome the request recorded, once its body was found to be this
  // entry's (ShareOutcomeBody); kept after the body expires: the outcome
  // holds the request's payload hash (Outcome::key_hash()).
  int32_t outcome = kNone;
  KeyedTask task = KeyedTask::kNone;
  bool body_in_outcome = false;
  bool has_body() const { return body_json || body_in_outcome; }
  // The request's payload hash: in its own box until the outcome holds it
  // (issue 15: inline, 33 bytes in every keyed record; a governed buy's two
  // reports are each the hash of an outcome). PayloadHashOf() reads either.
  Boxed<DigestText> own_hash;
};

// A keyed request's entry under the stored form of its scope (StoredScope).
// Keys are 16 to 255 characters (08 §5), so a std::string always put one on
// the heap; a stored scope of up to 31 bytes is kept inline instead, and one
// with a UUID key packed (issue 15: util/record_id.h).
struct IdempotencyRecord {
  ScopeText scope;
  IdempotencyEntry entry;
};

// Settled gross and counting holds of the actions sharing an (owner, seller,
// account) key, in approval order, with Fenwick trees for O(log n) sums over
// a trailing window (03 §5.3 H2).
struct AggregationSeries {
  std::vector<int64_t> approved_at_ms;
  bool sorted = true;  // approvals arrived in time order (else queries scan)
  std::vector<double> gross_tree, held_tree;  // 1-based Fenwick trees
  std::vector<double> gross, held;            // point values
};

// The key of a token in check_by_token: its SHA-256, kept inline (issue 15:
// as a std::string the 32 bytes were a heap block of their own). The digest
// is uniformly distributed, so its first bytes are already a good hash.
using TokenDigest = canon::Digest;
struct TokenDigestHash {
  // noexcept: a map then keeps no copy of the hash in each node (issue 15).
  size_t operator()(const TokenDigest& d) const noexcept {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

// The actions recorded under one media-buy key (10 §3.5.1), in the order
// they were recorded, each once. Almost always one: it is kept inline and
// any more boxed (issue 15: a vector was a heap block an action).
class ActionsOfMediaBuy {
 public:
  size_t size() const { return first_ == kNone ? 0 : 1 + (more_ ? more_->size() : 0); }
  int32_t front() const { return first_; }
  void Add(int32_t action) {
    if (first_ == kNone) {
      first_ = action;
      return;
    }
    if (first_ == action || (more_ && std::find(more_->begin(), more_->end(), action) != more_->end())) return;
    if (!more_) more_ = std::vector<int32_t>();
    more_->push_back(action);
  }

 private:
  int32_t first_ = kNone;
  Boxed<std::vector<int32_t>> more_;
};

// The key of a lookup-only index over texts the requests name (statement,
// observation and media buy ids): the SHA-256 of the joined key, inline.
using KeyDigest = canon::Digest;
using KeyDigestHash = TokenDigestHash;
inline KeyDigest KeyOf(std::string_view joined_key) { return canon::Sha256Of(joined_key); }

struct State {
  State() = default;
  // Moved, never copied: the id indexes below hold views of the records' ids.
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  State(State&&) = default;
  State& operator=(State&&) = default;

  std::deque<Plan> plans;
  std::deque<Check> checks;
  std::deque<Action> actions;
  std::deque<Outcome> outcomes;
  std::deque<Adjustment> adjustments;
  std::deque<Escalation> escalations;
  std::deque<Consultation> consultations;
  std::deque<Revocation> revocations;
  std::deque<Account> accounts;
  // Keyed requests in the order their scopes were first stored (never
  // erased), found by the stored form of the scope (StoredScope: agent_key
  // "\n" key with the agent as its number in idempotency_agents) through
  // idempotency_by_scope: FindIdempotency(). Issue 15: an unordered_map node
  // and its bucket were ~140 bytes a key, and the key a heap block; a
  // record here is its 104 bytes and a 4-byte slot.
  std::deque<IdempotencyRecord> idempotency;
  IdIndex idempotency_by_scope;
  std::map<std::string, uint64_t> id_counters;          // sequential id mode
  uint64_t seq = 0;
  uint64_t changes = 0;  // change sets produced or applied (state/store.h)

  // Derived indexes.
  std::unordered_map<std::string, int32_t> plan_by_key;        // owner_key "\n" plan_id
  std::unordered_map<std::string, std::vector<int32_t>> plans_by_delegate;  // agent_key "\n" plan_id
  std::unordered_map<std::string, std::vector<int32_t>> portfolios_by_member;  // owner_key "\n" member id
  // Positions by id, the ids read from the records themselves (records never
  // move or change their id): FindCheck() and the like, IndexCheck() ...
  IdIndex check_by_id, action_by_id, outcome_by_id, adjustment_by_id;
  DigestIndex check_by_token;  // TokenKey(issued token) -> check: FindIssuer(), IndexIssuedToken()
  std::vector<std::string> token_headers;  // distinct header segments of stored tokens (StoredToken)
  std::unordered_map<std::string, int32_t> escalation_by_task, consultation_by_handle;
  std::unordered_map<std::string, std::vector<int32_t>> escalations_by_claim;  // claim_key -> escalations (creation order)
  // Keyed by the SHA-256 of the joined key (KeyOf; issue 15: one entry a
  // buy each, and the joined key was a heap block of its own), the key
  // itself read back from the record (DigestIndex).
  DigestIndex statement_by_id;    // seller_key "\n" statement_id -> check: FindStatement(), IndexStatement()
  DigestIndex observation_by_id;  // reporter_key "\n" plan "\n" observation_id -> outcome: FindObservation()
  std::unordered_map<std::string, int32_t> adjustment_by_seller_id, adjustment_by_evidence_id;
  // (stored_at_ms, position in `idempotency`) of the entries with a replay
  // body, in time order (entries of equal time expire together). Issue 15:
  // a flat queue, 16 bytes an entry where a multimap node was 64.
  // AddReplayExpiry keeps the order when the host clock goes back.
  std::deque<std::pair<int64_t, int32_t>> idempotency_expiry;
  // The agents (principals) of the idempotency scopes, numbered in the order
  // they first stored one (issue 15: a scope's agent URL was most of its
  // key's bytes, one heap block a keyed request). Not exported: the export
  // writes scopes whole, and import numbers them again.
  std::vector<std::string> idempotency_agents;
  std::unordered_map<std::string, uint32_t> idempotency_agent_numbers;
  std::set<int32_t> pending_escalations;                  // creation order
  std::unordered_map<int32_t, int32_t> revocation_by_check;  // issuing check -> revocation
  std::unordered_map<std::string, int32_t> account_by_id, account_by_key;  // key: owner "\n" domain "\n" brand_id "\n" operator
  std::unordered_map<std::string, std::vector<int32_t>> accounts_by_owner;  // creation order
  // H2 aggregation windows (03 §5.3): owner "\n" seller "\n" account -> series.
  std::unordered_map<std::string, struct AggregationSeries> aggregation;
  std::unordered_map<std::string, std::set<std::string>> aggregation_sellers;  // owner "\n" account -> seller keys
  std::unordered_map<std::string, std::vector<int32_t>> plans_by_id;  // plan_id -> plans of every owner
  // Tokenless 3.0 seller checks (10 §3.5.1): audience "\n" plan_id "\n"
  // media_buy_id -> the actions that recorded it (MediaBuyActionOf). A key
  // that one action recorded, and still names, costs a slot here, confirmed
  // from the action (issue 15: a map node was ~72 bytes an action); a key
  // that several actions recorded, or whose action has named another id
  // since, is listed in media_buys_listed instead (RecordMediaBuyId).
  DigestIndex action_by_media_buy;
  std::unordered_map<KeyDigest, ActionsOfMediaBuy, KeyDigestHash> media_buys_listed;

  // The outcomes ledger (spec 11): records plus its own derived indexes.
  ValueLedger value_ledger;
};

// Record positions by id (kNone when there is none), and their upkeep.
static_assert(IdIndex::kAbsent == kNone, "an absent id reads as kNone");
// The id is packed once and compared as bytes with the records' ids (a
// minted id is not spelled out at each probe).
inline int32_t FindCheck(const State& s, std::string_view id) {
  const RecordId probe(id);
  return s.check_by_id.FindMatching(id, [&s, &probe](int32_t i) { return s.checks[i].check_id == probe; });
}
inline int32_t FindAction(const State& s, std::string_view id) {
  const RecordId probe(id);
  return s.action_by_id.FindMatching(id, [&s, &probe](int32_t i) { return s.actions[i].action_id == probe; });
}
inline int32_t FindOutcome(const State& s, std::string_view id) {
  const RecordId probe(id);
  return s.outcome_by_id.FindMatching(id, [&s, &probe](int32_t i) { return s.outcomes[i].outcome_id == probe; });
}
inline int32_t FindAdjustment(const State& s, std::string_view id) {
  return s.adjustment_by_id.Find(id, [&s](int32_t i) { return std::string_view(s.adjustments[i].adjustment_id); });
}
inline void IndexCheck(State& s, int32_t i) {
  s.check_by_id.Insert(i, [&s](int32_t k) { return s.checks[k].check_id.text(); });
}
inline void IndexAction(State& s, int32_t i) {
  s.action_by_id.Insert(i, [&s](int32_t k) { return s.actions[k].action_id.text(); });
}
inline void IndexOutcome(State& s, int32_t i) {
  s.outcome_by_id.Insert(i, [&s](int32_t k) { return s.outcomes[k].outcome_id.text(); });
}
// The entry stored under a scope's stored form (StoredScope), kNone for none.
inline int32_t FindIdempotency(const State& s, std::string_view stored_scope) {
  return s.idempotency_by_scope.Find(stored_scope, [&s](int32_t i) { return s.idempotency[i].scope.text(); });
}
// Keeps `entry` under `stored_scope`, in place of an entry stored there
// before; its position in State::idempotency (state/ only).
inline int32_t PutIdempotencyRecord(State& s, const std::string& stored_scope, IdempotencyEntry entry) {
  int32_t at = FindIdempotency(s, stored_scope);
  if (at != kNone) {
    s.idempotency[at].entry = std::move(entry);
    return at;
  }
  at = static_cast<int32_t>(s.idempotency.size());
  s.idempotency.push_back(IdempotencyRecord{stored_scope, std::move(entry)});
  s.idempotency_by_scope.Insert(at, [&s](int32_t i) { return s.idempotency[i].scope.text(); });
  return at;
}
inline void IndexAdjustment(State& s, int32_t i) {
  s.adjustment_by_id.Insert(i, [&s](int32_t k) { return std::string_view(s.adjustments[k].adjustment_id); });
}

// Records (tables above) live in deques: O(1) append without moving what is
// stored, and references stay valid as the history grows.

// Index key of a token: its SHA-256 (32 bytes) rather than the ~1 KB token.
TokenDigest TokenKey(const std::string& token);

// A number member of an outcome's observation (delivery_json), nullopt when
// it has none or the member is absent or not a number.
std::optional<double> DeliveryNumber(const Outcome& o, std::string_view key);

// An outcome's stored body text (no context), "" before it has one.
std::string OutcomeBodyText(const Outcome& o);
// Keeps `text` as outcome o's body (state/store.cc and import only).
void KeepOutcomeBody(Outcome& o, std::string text);

// The replay body of a keyed request's entry, nullopt once dropped.
inline std::optional<std::string> ReplayBodyOf(const State& s, const IdempotencyEntry& e) {
  if (e.body_in_outcome) return OutcomeBodyText(s.outcomes[e.outcome]);
  if (e.body_json) return e.body_json.str();
  return std::nullopt;
}
inline const DigestText& PayloadHashOf(const State& s, const IdempotencyEntry& e) {
  if (e.own_hash) return *e.own_hash;
  return e.outcome != kNone ? s.outcomes[e.outcome].key_hash() : NoDigest();
}
// Names outcome `outcome` as the entry's body when its text is that body,
// and lets the outcome hold the entry's payload hash when it can (state/
// store.cc and import only).
inline void ShareOutcomeBody(State& s, IdempotencyEntry& e, int32_t outcome) {
  if (e.body_json && outcome != kNone && OutcomeBodyText(s.outcomes[outcome]) == *e.body_json) {
    e.outcome = outcome;
    e.body_in_outcome = true;
    e.body_json.reset();
    if (e.own_hash && s.outcomes[outcome].HoldKeyHash(*e.own_hash)) e.own_hash.reset();
  }
}

// A check's stored body text (no context, no token), "" before it has one.
std::string CheckBodyText(const Check& c);
// The same body parsed (what readers want; cheaper than parsing the text).
json::Value CheckBodyValue(const Check& c);
// Keeps `text` as check c's body, as a shape when it expands back exactly
// (state/store.cc and import only; c's id, expiry and statement set first).
void KeepCheckBody(Check& c, std::string text);
// Takes the statement echo's sources from a delivery check's body (its
// seller_reference and delivery_metrics), so the stored body can drop it.
void AttachStatementSource(Check& c, const json::Value& body);
// The delivery_statement a delivery check's body echoes (03 §11).
json::Value DeliveryStatementEcho(const Statement& st, const std::string& seller_reference, json::Value metrics);

// The values a check's token repeats (its check_id, sub, iat and exp claims,
// and an intent token's authorized_payload_hash, which the check's intent
// scope keeps): the store keeps them once, on the records (issue 15), so a stored
// token is read with them: IssuedTokenText() and IssuedTokenClaims().
struct TokenIds {
  std::string check_id, action_id;
  std::string payload_hash;  // as the scope spells it, "" for none
  // The check's creation and its token's expiry in whole seconds, as a
  // token's iat and exp claims spell them (issue 15: 20 bytes a token). Both
  // are set before the token is stored and never change after.
  std::string created_s, expires_s;
};
inline TokenIds TokenIdsOf(const State& s, const Check& c);
// The exact text of a stored token ("" for none), split with `ids`.
std::string TokenText(const State& s, const StoredToken& token, const TokenIds& ids);
// The token's claims as JSON text ("" when a verbatim token has none).
std::string TokenClaims(const StoredToken& token, const TokenIds& ids);
// Splits a verbatim token for storage (tests; the store uses IndexIssuedToken).
void CompactToken(State& s, StoredToken& token, const TokenIds& ids);
// Indexes check `check`'s issued token (check_by_token) and splits it for
// storage (state/store.cc and import only).
void IndexIssuedToken(State& s, int32_t check, Check& c);  // c: checks[check], or the one being added
// The check that issued `token`, kNone for none.
int32_t FindIssuer(const State& s, const std::string& token);
// The delivery check that recorded a seller's statement, kNone for none;
// IndexStatement indexes check `check`'s statement (state/ only).
int32_t FindStatement(const State& s, const std::string& seller_key, const std::string& statement_id);
void IndexStatement(State& s, int32_t check);
// The delivery outcome a reporter recorded for an observation on plan `plan`,
// kNone for none; IndexObservation indexes outcome `outcome`'s (state/ only).
int32_t FindObservation(const State& s, const std::string& reporter_key, int32_t plan, const std::string& observation_id);
void IndexObservation(State& s, int32_t outcome);

// The plan's entries of one purchase type, in seq order; nullptr for none.
inline const std::vector<EntryRef>* EntriesOfType(const Plan& plan, const std::string& purchase_type) {
  if (plan.entries_by_type.empty())
    return !plan.entries.empty() && plan.entries_type == purchase_type ? &plan.entries : nullptr;
  auto it = plan.entries_by_type.find(purchase_type);
  return it == plan.entries_by_type.end() ? nullptr : &it->second;
}

// An audit entry's seq, read from its record (set once, when it became final).
inline uint64_t SeqOf(const State& s, EntryRef e) {
  switch (e.kind()) {
    case EntryKind::kCheck: return s.checks[e.index()].seq;
    case EntryKind::kOutcome: return s.outcomes[e.index()].seq;
    case EntryKind::kAdjustment: return s.adjustments[e.index()].seq;
  }
  return 0;
}

// A check's planned_delivery, parsed; nullopt when it has none.
std::optional<json::Value> PlannedDeliveryOf(const Check& c);
// Keeps `planned_delivery` as check c's (text, shaped).
void SetPlannedDelivery(Check& c, const json::Value& planned_delivery);

// A check's intent scope; an empty one when it has none.
inline const IntentScope& IntentScopeOf(const Check& c) {
  static const IntentScope* const kNoScope = new IntentScope();  // never destroyed: read after exit too
  return c.scope() ? *c.scope() : *kNoScope;
}

inline TokenIds TokenIdsOf(const State& s, const Check& c) {
  return TokenIds{c.check_id.str(), c.action == kNone ? std::string() : s.actions[c.action].action_id.str(),
                  c.scope() ? c.scope()->payload_hash.str() : std::string(), std::to_string(c.created_ms() / 1000),
                  std::to_string(c.expires_at_ms() / 1000)};
}
// Tokens are stored once, on the check that issued them.
inline std::string IssuedTokenText(const State& s, const Check& c) { return TokenText(s, c.issued_token, TokenIdsOf(s, c)); }
inline std::string IssuedTokenClaims(const State& s, const Check& c) { return TokenClaims(c.issued_token, TokenIdsOf(s, c)); }
inline std::string IntentToken(const State& s, const Action& a) { return IssuedTokenText(s, s.checks[a.intent_check]); }
inline std::string PresentedToken(const State& s, const Check& c) {
  return c.presented_check == kNone ? std::string() : IssuedTokenText(s, s.checks[c.presented_check]);
}
inline std::string OutcomeContext(const State& s, const Outcome& o) { return IssuedTokenText(s, s.checks[o.check]); }

inline std::string JoinKey(const std::string& a, const std::string& b) { return a + "\n" + b; }

// An account's natural key: its owner, brand (domain and brand_id) and operator.
inline std::string AccountKey(const std::string& owner_key, const json::Value& brand, const std::string& operator_domain) {
  const std::string* domain = brand.find_string("domain");
  const std::string* brand_id = brand.find_string("brand_id");
  return JoinKey(JoinKey(JoinKey(owner_key, domain ? *domain : ""), brand_id ? *brand_id : ""), operator_domain);
}

}  // namespace adcp
