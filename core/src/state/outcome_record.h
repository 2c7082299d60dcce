// An outcome's record (spec 04) and the parts it keeps: a settlement, an
// observation, findings, in one tagged pointer. Split from state/state.h,
// which includes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "json/value.h"
#include "state/vocab.h"
#include "util/boxed.h"
#include "util/compact_optional.h"
#include "util/digest_text.h"
#include "util/holes.h"
#include "util/record_id.h"
#include "util/symbol.h"

namespace adcp {

struct OutcomeSettlement {
  OptionalDouble committed_budget, reported_committed_budget;
  // Up to 15 bytes inline, as a statement's (issue 15: a std::optional of a
  // std::string was 40 bytes): a settlement is 56 bytes, in the allocator's
  // 64-byte class.
  std::optional<InlineText<16>> seller_reference;
  SymList seller_channels;  // seller_response.planned_delivery.channels
  // A failed outcome's error as reported (issue 15: kept here, with what
  // the outcome settles, rather than as 8 more bytes in every outcome).
  Boxed<json::Value> error;
  bool empty() const {
    return !committed_budget && !reported_committed_budget && !seller_reference && seller_channels.empty() && !error;
  }
};

struct OutcomeObservation {
  // The observation as received, as compact JSON text (issue 15: kept as a
  // tree it was ~470 B a buy; now as a pooled shape and its values, made
  // by ObservationDelivery(), referring to observation_id, which is set
  // first and never changes), empty for none; read it with
  // ObservationDeliveryText() and its numbers with
  // DeliveryNumber().
  ShapedText delivery;
  // Closed vocabularies: a byte each (issue 15: two Syms were 16 bytes).
  Reconciliation reconciliation_status = Reconciliation::kNone;
  PeriodState period_state = PeriodState::kNone;
  // Issue 15: a std::string was 32 bytes. 23 bytes inline on 64-bit; 19 on
  // wasm32, where 20 bytes put an observation (44) in a 48-byte allocator
  // class, not 64.
  InlineText<sizeof(void*) == 8 ? 24 : 20> observation_id;
  bool empty() const {
    return delivery.empty() && reconciliation_status == Reconciliation::kNone && period_state == PeriodState::kNone &&
           observation_id.empty();
  }
};

// What an outcome settles and what it observed, and its findings, in one
// pointer (issue 15: an outcome is almost always one or the other, most
// have no findings, and three boxes were 24 bytes an outcome). Its low bits
// say which part the block holds; an outcome with both (an imported record
// may have them) keeps a block with both, and one with findings a block
// with them and the rest. Absent parts read as null; TidyOutcome drops
// parts left empty.
class OutcomeParts {
 public:
  OutcomeParts() = default;
  OutcomeParts(const OutcomeParts& other) { CopyFrom(other); }
  OutcomeParts(OutcomeParts&& other) noexcept : bits_(other.bits_) { other.bits_ = 0; }
  OutcomeParts& operator=(const OutcomeParts& other) {
    if (this != &other) {
      Reset();
      CopyFrom(other);
    }
    return *this;
  }
  OutcomeParts& operator=(OutcomeParts&& other) noexcept {
    if (this != &other) {
      Reset();
      bits_ = other.bits_;
      other.bits_ = 0;
    }
    return *this;
  }
  ~OutcomeParts() { Reset(); }

  const OutcomeSettlement* settlement() const;
  const OutcomeObservation* observation() const;
  // The findings (a non-empty array), null for none.
  const json::Value* findings() const;
  void set_findings(std::optional<json::Value> findings);
  // The part, added (empty) if absent.
  OutcomeSettlement& MutableSettlement();
  OutcomeObservation& MutableObservation();
  // Drops the parts that are empty.
  void Tidy();

 private:
  enum Tag : uintptr_t { kSettlement = 0, kObservation = 1, kBoth = 2, kFindings = 3, kTagBits = 3 };
  struct Both {
    OutcomeSettlement settlement;
    OutcomeObservation observation;
  };
  struct Found;  // the findings and the rest of the parts (kFindings)
  static_assert(alignof(OutcomeSettlement) > kTagBits && alignof(OutcomeObservation) > kTagBits &&
                    alignof(Both) > kTagBits,
                "the blocks' alignment leaves the low bits for the tag");
  Tag tag() const { return static_cast<Tag>(bits_ & kTagBits); }
  void* block() const { return reinterpret_cast<void*>(bits_ & ~static_cast<uintptr_t>(kTagBits)); }
  Both* both() const { return static_cast<Both*>(block()); }
  Found* found() const { return reinterpret_cast<Found*>(block()); }
  OutcomeParts& rest() const;  // kFindings: the other parts
  void Set(void* block, Tag tag) { bits_ = reinterpret_cast<uintptr_t>(block) | tag; }
  void Join(OutcomeSettlement settlement, OutcomeObservation observation) {
    Both* joined = new Both{std::move(settlement), std::move(observation)};
    Reset();
    Set(joined, kBoth);
  }
  void CopyFrom(const OutcomeParts& other);
  void Reset();
  uintptr_t bits_ = 0;  // a block's address | its Tag; 0 = no part
};

struct OutcomeParts::Found {
  OutcomeParts rest;
  json::Value findings;
};

inline OutcomeParts& OutcomeParts::rest() const { return found()->rest; }
inline const OutcomeSettlement* OutcomeParts::settlement() const {
  switch (tag()) {
    case kSettlement: return bits_ ? static_cast<OutcomeSettlement*>(block()) : nullptr;
    case kBoth: return &both()->settlement;
    case kFindings: return rest().settlement();
    default: return nullptr;
  }
}
inline const OutcomeObservation* OutcomeParts::observation() const {
  switch (tag()) {
    case kObservation: return static_cast<OutcomeObservation*>(block());
    case kBoth: return &both()->observation;
    case kFindings: return rest().observation();
    default: return nullptr;
  }
}
inline const json::Value* OutcomeParts::findings() const { return tag() == kFindings ? &found()->findings : nullptr; }
inline void OutcomeParts::set_findings(std::optional<json::Value> findings) {
  if (findings) {
    if (tag() == kFindings) {
      found()->findings = std::move(*findings);
      return;
    }
    static_assert(alignof(Found) > kTagBits, "the block's alignment leaves the low bits for the tag");
    Found* with = new Found{std::move(*this), std::move(*findings)};  // this is left with no part
    Set(with, kFindings);
  } else if (tag() == kFindings) {
    OutcomeParts others = std::move(rest());
    *this = std::move(others);
  }
}
inline OutcomeSettlement& OutcomeParts::MutableSettlement() {
  if (tag() == kFindings) return rest().MutableSettlement();
  if (!bits_) Set(new OutcomeSettlement(), kSettlement);
  else if (tag() == kObservation) Join(OutcomeSettlement(), std::move(*static_cast<OutcomeObservation*>(block())));
  return const_cast<OutcomeSettlement&>(*settlement());
}
inline OutcomeObservation& OutcomeParts::MutableObservation() {
  if (tag() == kFindings) return rest().MutableObservation();
  if (!bits_) Set(new OutcomeObservation(), kObservation);
  else if (tag() == kSettlement) Join(std::move(*static_cast<OutcomeSettlement*>(block())), OutcomeObservation());
  return const_cast<OutcomeObservation&>(*observation());
}
inline void OutcomeParts::Tidy() {
  if (tag() == kFindings) return rest().Tidy();
  const bool settled = settlement() && !settlement()->empty(), observed = observation() && !observation()->empty();
  if (settled && observed) return;
  if (settled && tag() == kBoth) {
    OutcomeSettlement* kept = new OutcomeSettlement(std::move(both()->settlement));
    Reset();
    Set(kept, kSettlement);
  } else if (observed && tag() == kBoth) {
    OutcomeObservation* kept = new OutcomeObservation(std::move(both()->observation));
    Reset();
    Set(kept, kObservation);
  } else if (!settled && !observed) {
    Reset();
  }
}
inline void OutcomeParts::CopyFrom(const OutcomeParts& other) {
  switch (other.tag()) {
    case kFindings: return Set(new Found(*other.found()), kFindings);
    case kBoth: return Set(new Both(*other.both()), kBoth);
    default:
      if (const OutcomeSettlement* s = other.settlement()) Set(new OutcomeSettlement(*s), kSettlement);
      else if (const OutcomeObservation* o = other.observation()) Set(new OutcomeObservation(*o), kObservation);
  }
}
inline void OutcomeParts::Reset() {
  if (!bits_) return;
  switch (tag()) {
    case kSettlement: delete static_cast<OutcomeSettlement*>(block()); break;
    case kObservation: delete static_cast<OutcomeObservation*>(block()); break;
    case kBoth: delete both(); break;
    case kFindings: delete found(); break;
    default: break;
  }
  bits_ = 0;
}

// An outcome's texts that the outcomes of a plan mostly repeat: kept as one
// pooled tuple (issue 15: four Syms were 32 bytes an outcome).
struct OutcomeTexts {
  Sym type, reporter, reporter_key, purchase_type;
};

inline const DigestText& NoDigest() {
  static const DigestText* const kNone = new DigestText();  // never destroyed: read after exit too
  return *kNone;
}

struct Outcome {
  RecordId outcome_id;
  int32_t plan = kNone, action = kNone, check = kNone;
  bool legacy_snapshot = false;  // a 3.0 delivery snapshot: evidence only (10 §4.4)
  Dialect dialect = Dialect::k32;  // of the request that created it (10 §1.4)
  // The report's payload hash (replays by natural key, keyless 3.0 resends).
  // A 3.2 report of a completed outcome keeps none; when it was keyed, its
  // idempotency record keeps the request's hash here rather than in a block
  // of its own (issue 15), flagged so that the outcome still reads and
  // exports none.
  const DigestText& payload_hash() const { return hash_for_key_only_ ? NoDigest() : payload_hash_; }
  // Only while the outcome is made or read back: once stored, a key's
  // entry may read the field (key_hash()).
  void set_payload_hash(std::string_view hash) {
    payload_hash_ = hash;
    hash_for_key_only_ = false;
  }
  // The hash an idempotency record that names this outcome reads.
  const DigestText& key_hash() const { return payload_hash_; }
  // Whether the outcome can hold `hash` for its idempotency record: it
  // already has that hash, or has none and keeps it (key only).
  bool HoldKeyHash(const DigestText& hash) {
    if (payload_hash_.empty() && !hash.empty()) {
      payload_hash_ = hash;
      hash_for_key_only_ = true;
      return true;
    }
    return !payload_hash_.empty() && payload_hash_ == hash.str();
  }
  bool hash_for_key_only_ = false;
  DigestText payload_hash_;  // after the one-byte members: no padding (issue 15)
  // What was reported, by whom, about which purchase type: set together
  // (set_texts), read one by one.
  const Sym& type() const { return texts_[0]; }  // completed | failed | delivery
  const Sym& reporter() const { return texts_[1]; }
  const Sym& reporter_key() const { return texts_[2]; }
  const Sym& purchase_type() const { return texts_[3]; }
  OutcomeTexts texts() const { return {type(), reporter(), reporter_key(), purchase_type()}; }
  void set_texts(const OutcomeTexts& t) { texts_ = SymTuple<4>({t.type, t.reporter, t.reporter_key, t.purchase_type}); }
  SymTuple<4> texts_;  // OutcomeTexts' members in order (texts())
  // (governance_context as sent is the named check's token, 04 §2 step 5: not kept here.)
  // What a completed or failed outcome settles, and what a delivery outcome
  // observed: each boxed, absent when all of it is empty (issue 15: an
  // outcome is one or the other, and both inline were 184 bytes).
  // SettlementOf() and ObservationOf() read them; the findings (an array,
  // absent when there are none, as for most outcomes) are kept with them:
  // FindingsOf() reads them.
  OutcomeParts parts;
  // Response body (no context), compact JSON text; kept as a pooled shape
  // without the outcome id and the numbers when it starts with the id, the
  // numbers then boxed here (util/holes.h); else the text boxed here. Read
  // it with OutcomeBodyText(). Absent rather than empty.
  BoxedText body_json;
  Sym body_shape;
  int64_t timestamp_ms = 0;
  uint64_t seq = 0;
};

// An observation's text as an outcome keeps it: its reporting period,
// source and currency stay in the pooled shape, which the observations of
// a period share (issue 15: ~60 bytes of values an observation).
// `observation_id`: the id the observation keeps (OutcomeObservation), which
// the text repeats: referred to (issue 15). Read with ObservationDeliveryText().
ShapedText ObservationDelivery(std::string_view text, std::string_view observation_id);
inline std::string ObservationDeliveryText(const OutcomeObservation& observed) {
  return observed.delivery.Text({observed.observation_id});
}

// An outcome's settlement and observation; empty ones when it has none.
inline const OutcomeSettlement& SettlementOf(const Outcome& o) {
  static const OutcomeSettlement* const kEmpty = new OutcomeSettlement();  // never destroyed: read after exit
  return o.parts.settlement() ? *o.parts.settlement() : *kEmpty;
}
inline const OutcomeObservation& ObservationOf(const Outcome& o) {
  static const OutcomeObservation* const kEmpty = new OutcomeObservation();  // never destroyed
  return o.parts.observation() ? *o.parts.observation() : *kEmpty;
}
// The same, to fill in: boxed on first use. TidyOutcome drops parts left empty.
inline OutcomeSettlement& MutableSettlement(Outcome& o) { return o.parts.MutableSettlement(); }
inline OutcomeObservation& MutableObservation(Outcome& o) { return o.parts.MutableObservation(); }
inline void TidyOutcome(Outcome& o) { o.parts.Tidy(); }

// An outcome's findings: an array, empty when it has none.
inline const json::Value& FindingsOf(const Outcome& o) {
  static const json::Value* const kNoFindings = new json::Value(json::Value::MakeArray());  // never destroyed
  return o.parts.findings() ? *o.parts.findings() : *kNoFindings;
}
// Keeps `findings` (an array) as o's, boxed only when there are some.
inline void SetFindings(Outcome& o, json::Value findings) {
  if (findings.is_array() && findings.size() == 0) o.parts.set_findings(std::nullopt);
  else o.parts.set_findings(std::move(findings));
}

}  // namespace adcp
