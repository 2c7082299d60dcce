// A check's record (spec 03) and the parts it keeps: a delivery statement,
// an issued token, an intent's scope, the tagged parts pointer and the
// rarely used extras. Split from state/state.h, which includes it.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
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
#include "util/time.h"

namespace adcp {

// A delivery statement recorded on a delivery check (03 §5.6).
// Its ids are InlineText<16> (issue 15: a std::string was 32 bytes; a
// seller's statement ids and media buy references of up to 15 bytes stay
// inline, longer ones take one block of their size, as a 23-byte inline
// form did past 23), and its digest is last, where its one-byte alignment
// leaves no padding: a statement is 120 bytes, in the allocator's 128-byte
// class.
struct Statement {
  InlineText<16> statement_id;
  int64_t sequence = 0;
  // The reporting period as sent (RFC 3339, validated when it was recorded);
  // PeriodStartOf() and PeriodEndOf() read it (issue 15: two parsed Instants
  // were 80 bytes a statement). One pooled pair, set together: the
  // statements of a period share it (issue 15: two Syms were 16 bytes).
  const Sym& period_start_raw() const { return period_[0]; }
  const Sym& period_end_raw() const { return period_[1]; }
  void set_period(const Sym& start, const Sym& end) { period_ = SymTuple<2>({start, end}); }
  SymTuple<2> period_;
  double cumulative_spend = 0;
  // What the check body's delivery_statement echo is rebuilt from (issue 15),
  // derived from the body itself (AttachStatementSource); "" = the body keeps
  // its echo.
  InlineText<16> seller_reference;
  ShapedText metrics;  // delivery_metrics as received, compact JSON (issue 15: shaped); read with StatementMetricsText()
  DigestText statement_digest;  // "sha256:" + hex, kept as its bytes
};

// A statement's delivery_metrics as kept and as read: the values the
// statement keeps anyway (its id, its period's start and end, its digest,
// which the metrics repeat) are referred to rather than kept twice, and the
// currency, which a seller's statements share, stays in the pooled shape
// (issue 15).
inline bool StatementMetricsValue(std::string_view member, bool) { return member != "currency"; }
inline ShapedText StatementMetrics(const Statement& s, std::string_view text) {
  return ShapedText(text, StatementMetricsValue,
                    {s.statement_id, s.period_start_raw().str(), s.period_end_raw().str(), s.statement_digest.str()});
}
inline std::string StatementMetricsText(const Statement& s) {
  return s.metrics.Text({s.statement_id, s.period_start_raw().str(), s.period_end_raw().str(), s.statement_digest.str()});
}
inline Instant PeriodStartOf(const Statement& s) { return ParseDateTime(s.period_start_raw().str()).value_or(Instant()); }
inline Instant PeriodEndOf(const Statement& s) { return ParseDateTime(s.period_end_raw().str()).value_or(Instant()); }

// A governance token as the state keeps it (issue 15: at ~1 KB a token was
// the largest single part of a decision's memory). The header segment is the
// same for nearly every token, so it is kept once in State::token_headers;
// the claims are kept decoded (base64url adds a third) with the signature's
// raw bytes after them. TokenText() gives back the exact token. A record in
// flight (not yet in the store) and a token that does not split back
// byte-exactly are kept verbatim; the store splits tokens as it stores them.
//
// The claims differ from token to token mostly in a few values (ids, times,
// the payload hash, the amount), so those are taken out: the rest is a pooled
// shape and `bytes` keeps only the values (issue 15).
//
// 16 bytes in a check (issue 15: a std::string and two counts were 48): the
// shape, and one heap block with the header's index, the signature's size
// and the bytes.
class StoredToken {
 public:
  static constexpr uint16_t kVerbatim = 0xFFFF;
  StoredToken() = default;
  StoredToken(const StoredToken& other) : claims_shape_(other.claims_shape_) { CopyBlock(other); }
  StoredToken(StoredToken&&) noexcept = default;
  StoredToken& operator=(const StoredToken& other) {
    if (this != &other) {
      claims_shape_ = other.claims_shape_;
      CopyBlock(other);
    }
    return *this;
  }
  StoredToken& operator=(StoredToken&&) noexcept = default;

  // A token kept as its text ("" = none).
  static StoredToken Verbatim(std::string_view text) { return StoredToken(text, {}, Sym(), kVerbatim); }
  // A split token: the claims (JSON, or the values of `claims_shape`), the
  // raw signature, and its header's index in State::token_headers.
  static StoredToken Split(std::string_view claims, std::string_view signature, Sym claims_shape, uint16_t header) {
    return StoredToken(claims, signature, std::move(claims_shape), header);
  }

  uint16_t header() const { return block_ ? HeadOf().header : kVerbatim; }
  // Raw signature bytes at the end of bytes().
  uint16_t signature_size() const { return block_ ? HeadOf().signature_size : 0; }
  // Claims and signature, or the token verbatim.
  std::string_view bytes() const {
    if (!block_) return std::string_view();
    const Head head = HeadOf();
    return std::string_view(block_.get() + head.length, head.size);
  }
  // The claims with their values' places marked, "" = bytes() holds the JSON.
  const Sym& claims_shape() const { return claims_shape_; }
  bool empty() const { return !block_; }

 private:
  // The block starts with the header's index (1 byte: there are at most
  // 64, kVerbatimByte for a verbatim token), then the size and the
  // signature's size as LEB128 varints: 3 bytes for a split token, where
  // fixed 4- and 2-byte sizes made 7 (issue 15: a split token is ~100
  // bytes, and on wasm32 each 8 bytes is an allocator size class).
  struct Head {
    uint32_t size;
    uint16_t header;
    uint16_t signature_size;
    size_t length;  // of the head itself
  };
  static constexpr size_t kMaxHeadBytes = 1 + 5 + 3;
  static constexpr uint8_t kVerbatimByte = 0xFF;
  static size_t PutVarint(uint32_t value, char* out) {
    size_t n = 0;
    for (; value >= 0x80; value >>= 7) out[n++] = static_cast<char>((value & 0x7F) | 0x80);
    out[n++] = static_cast<char>(value);
    return n;
  }
  // Reads what PutVarint wrote (the block is always written by it).
  static uint32_t GetVarint(const char* in, size_t* at) {
    uint32_t value = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t byte = static_cast<uint8_t>(in[(*at)++]);
      value |= static_cast<uint32_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return value;
    }
  }
  StoredToken(std::string_view first, std::string_view second, Sym claims_shape, uint16_t header)
      : claims_shape_(std::move(claims_shape)) {
    if (header == kVerbatim && first.empty()) return;
    const uint32_t size = static_cast<uint32_t>(first.size() + second.size());
    char head[kMaxHeadBytes];
    size_t length = 0;
    head[length++] = static_cast<char>(header == kVerbatim ? kVerbatimByte : static_cast<uint8_t>(header));
    length += PutVarint(size, head + length);
    length += PutVarint(static_cast<uint16_t>(second.size()), head + length);
    block_.reset(new char[length + size]);
    std::memcpy(block_.get(), head, length);
    if (!first.empty()) std::memcpy(block_.get() + length, first.data(), first.size());
    if (!second.empty()) std::memcpy(block_.get() + length + first.size(), second.data(), second.size());
  }
  Head HeadOf() const {
    Head head;
    const uint8_t header_byte = static_cast<uint8_t>(block_[0]);
    head.header = header_byte == kVerbatimByte ? kVerbatim : header_byte;
    size_t at = 1;
    head.size = GetVarint(block_.get(), &at);
    head.signature_size = static_cast<uint16_t>(GetVarint(block_.get(), &at));
    head.length = at;
    return head;
  }
  void CopyBlock(const StoredToken& other) {
    if (!other.block_) {
      block_.reset();
      return;
    }
    const Head head = other.HeadOf();
    block_.reset(new char[head.length + head.size]);
    std::memcpy(block_.get(), other.block_.get(), head.length + head.size);
  }
  Sym claims_shape_;
  std::unique_ptr<char[]> block_;  // a head (kHeadBytes), then its `size` bytes; null = no token
};

// The accepted proposal an intent binds its action to (03 §5.5 E4): its id
// and terms digest, set together (import refuses one without the other).
// Boxed where it is kept, absent for most intents and actions (issue 15: two
// boxed strings were 16 bytes an action).
struct ProposalBinding {
  std::string proposal_id, terms_digest;
};

// Intent data kept so an approval, now or at an escalation's resolution,
// can mint its action and token without re-evaluating (03 §7), and an
// outcome can be checked against what was authorized. A check keeps it
// boxed: delivery and execution checks have none (issue 15: 144 bytes a
// check, inline). IntentScopeOf() reads it.
struct IntentScope {
  DigestText payload_hash;  // authorized_payload_hash (issue 15: base64url, kept as its bytes)
  SymList channels, countries, regions;
  // The flight as supplied ("" = undeclared) and the account: one pooled
  // tuple (issue 15: three Syms were 24 bytes a scope), set together.
  const Sym& start() const { return texts_[0]; }
  const Sym& end() const { return texts_[1]; }
  const Sym& account_key() const { return texts_[2]; }
  void set_texts(const Sym& start, const Sym& end, const Sym& account_key) { texts_ = SymTuple<3>({start, end, account_key}); }
  SymTuple<3> texts_;
  bool empty() const {
    return payload_hash.empty() && channels.empty() && countries.empty() && regions.empty() && start().empty() &&
           end().empty() && account_key().empty();
  }
};

// What a check keeps of its kind, in one pointer (issue 15: three boxes
// were 24 bytes a check, and a check has one kind): an intent's scope, an
// execution check's planned_delivery (compact JSON, shaped), or a delivery
// check's statement with its planned_delivery, in one block. The pointer's
// low bits say which block it is; another combination (an imported record
// may have one) keeps a block of boxes. Absent parts read as null. Parts
// are set once or twice a check: each set rebuilds the pointer.
class CheckParts {
 public:
  CheckParts() = default;
  CheckParts(const CheckParts& other) { CopyFrom(other); }
  CheckParts(CheckParts&& other) noexcept : bits_(other.bits_) { other.bits_ = 0; }
  CheckParts& operator=(const CheckParts& other) {
    if (this != &other) {
      Reset();
      CopyFrom(other);
    }
    return *this;
  }
  CheckParts& operator=(CheckParts&& other) noexcept {
    if (this != &other) {
      Reset();
      bits_ = other.bits_;
      other.bits_ = 0;
    }
    return *this;
  }
  ~CheckParts() { Reset(); }

  const IntentScope* scope() const {
    return tag() == kScope ? static_cast<IntentScope*>(block()) : tag() == kOther && other()->scope ? &*other()->scope : nullptr;
  }
  const ShapedText* planned_delivery() const {
    switch (tag()) {
      case kPlanned: return static_cast<ShapedText*>(block());
      case kDelivery: return &delivery()->planned_delivery;
      case kOther: return other()->planned_delivery ? &*other()->planned_delivery : nullptr;
      default: return nullptr;
    }
  }
  const Statement* statement() const {
    return tag() == kDelivery ? &delivery()->statement : tag() == kOther && other()->statement ? &*other()->statement : nullptr;
  }
  Statement* mutable_statement() { return const_cast<Statement*>(statement()); }
  // Sets a part (nullopt: drops it).
  void set_scope(std::optional<IntentScope> scope) {
    Parts parts = Take();
    parts.scope = std::move(scope);
    Keep(std::move(parts));
  }
  void set_planned_delivery(std::optional<ShapedText> planned_delivery) {
    Parts parts = Take();
    parts.planned_delivery = std::move(planned_delivery);
    Keep(std::move(parts));
  }
  void set_statement(std::optional<Statement> statement) {
    Parts parts = Take();
    parts.statement = std::move(statement);
    Keep(std::move(parts));
  }

 private:
  enum Tag : uintptr_t { kScope = 0, kPlanned = 1, kDelivery = 2, kOther = 3, kTagBits = 3 };
  struct Delivery {
    Statement statement;
    ShapedText planned_delivery;
  };
  struct Other {
    Boxed<IntentScope> scope;
    Boxed<ShapedText> planned_delivery;
    Boxed<Statement> statement;
  };
  struct Parts {
    std::optional<IntentScope> scope;
    std::optional<ShapedText> planned_delivery;
    std::optional<Statement> statement;
  };
  static_assert(alignof(IntentScope) > kTagBits && alignof(ShapedText) > kTagBits && alignof(Delivery) > kTagBits &&
                    alignof(Other) > kTagBits,
                "the blocks' alignment leaves the low bits for the tag");
  Tag tag() const { return static_cast<Tag>(bits_ & kTagBits); }
  void* block() const { return reinterpret_cast<void*>(bits_ & ~static_cast<uintptr_t>(kTagBits)); }
  Delivery* delivery() const { return static_cast<Delivery*>(block()); }
  Other* other() const { return static_cast<Other*>(block()); }
  void Set(void* block, Tag tag) { bits_ = reinterpret_cast<uintptr_t>(block) | tag; }
  // The parts, moved out (this is left empty).
  Parts Take() {
    Parts parts;
    if (bits_) {
      if (const IntentScope* s = scope()) parts.scope = std::move(*const_cast<IntentScope*>(s));
      if (const ShapedText* p = planned_delivery()) parts.planned_delivery = std::move(*const_cast<ShapedText*>(p));
      if (const Statement* s = statement()) parts.statement = std::move(*const_cast<Statement*>(s));
    }
    Reset();
    return parts;
  }
  // Keeps `parts` (this is empty) in the form that fits them.
  void Keep(Parts parts) {
    const bool scoped = parts.scope.has_value(), planned = parts.planned_delivery.has_value(),
               stated = parts.statement.has_value();
    if (!scoped && !planned && !stated) return;
    if (scoped && !planned && !stated) return Set(new IntentScope(std::move(*parts.scope)), kScope);
    if (!scoped && planned && !stated) return Set(new ShapedText(std::move(*parts.planned_delivery)), kPlanned);
    if (!scoped && planned && stated)
      return Set(new Delivery{std::move(*parts.statement), std::move(*parts.planned_delivery)}, kDelivery);
    Other* other = new Other();
    if (scoped) other->scope = std::move(*parts.scope);
    if (planned) other->planned_delivery = std::move(*parts.planned_delivery);
    if (stated) other->statement = std::move(*parts.statement);
    Set(other, kOther);
  }
  void CopyFrom(const CheckParts& other) {
    Parts parts;
    if (const IntentScope* s = other.scope()) parts.scope = *s;
    if (const ShapedText* p = other.planned_delivery()) parts.planned_delivery = *p;
    if (const Statement* s = other.statement()) parts.statement = *s;
    Keep(std::move(parts));
  }
  void Reset() {
    if (!bits_) return;
    switch (tag()) {
      case kScope: delete static_cast<IntentScope*>(block()); break;
      case kPlanned: delete static_cast<ShapedText*>(block()); break;
      case kDelivery: delete delivery(); break;
      case kOther: delete other(); break;
      default: break;
    }
    bits_ = 0;
  }
  uintptr_t bits_ = 0;  // a block's address | its Tag; 0 = no part
};

// A check's texts that the checks of a plan mostly repeat: kept as one
// pooled tuple (issue 15: seven Syms were 56 bytes a check).
// What few checks carry: an escalation or a consultation, an attempt other
// than the first (a continued consultation, 10 §3.3), a body kept as text
// (a pending check's, or one without a shape), an accepted proposal,
// runtime attestations, 3.0 metrics, the request's context. Boxed together
// and absent when all of it is empty (issue 15: inline they were 40 bytes
// in every check).
struct CheckExtras {
  int32_t escalation = kNone;
  int32_t consultation = kNone;
  OptionalInt64 attempt;  // absent: the check kind's usual one (Check::attempt())
  BoxedText body_json;    // a body kept as text (Check::body_json())
  Boxed<ProposalBinding> proposal;  // an intent's accepted proposal (03 §5.5 E4), copied to its action
  Boxed<json::Value> runtime_attestations;  // [{reference, evaluation}]
  Boxed<json::Value> legacy_metrics;        // 3.0 delivery metrics without a statement (10 §3.5.5)
  Boxed<json::Value> context;  // the request's context, which few requests send (getTask echoes it)
  OptionalInt64 final_ms;      // a final time other than the creation time (Check::final_ms())
  OptionalInt64 expires_at_ms;  // an expiry more than ~24 days from the creation time (Check::expires_at_ms())
  OptionalInt64 plan_version;   // a plan version past 32 bits (Check::plan_version())
};

struct CheckTexts {
  Sym plan_hash, caller, caller_key, tool, purchase_type, target_agent, mode;
};

struct Check {
  Check() : intent(true), pending(false), final_is_created_(false), phase(Phase::kIntent), verdict(Verdict::kNone),
            dialect(Dialect::k32), recommendation(Recommendation::kNone) {}
  RecordId check_id;
  // The int32 members and the small ones sit together: no padding after
  // each (issue 15).
  int32_t plan = kNone;
  int32_t presented_check = kNone;  // execution checks: the check that issued the presented token
  int32_t action = kNone;
  // Flags and closed vocabularies as bit-fields: 2 bytes where a byte each
  // was 7 (issue 15; with the plan version in 32 bits, a check is 112 bytes).
  bool intent : 1;
  bool pending : 1;            // escalated, awaiting resolution
  bool final_is_created_ : 1;  // final_ms() is created_ms()
  Phase phase : 2;
  Verdict verdict : 2;  // final checks: approved | denied | conditions
  Dialect dialect : 2;
  Recommendation recommendation : 2;  // escalated checks (issue 15: a byte, was a Sym)
  int32_t expires_after_created_ = kNoExpiry;  // expires_at_ms() - created_ms(), or a marker below
  // The plan's version when the check was made: 32 bits, a version past
  // them in CheckExtras (issue 15: 8 bytes a check).
  int64_t plan_version() const {
    return plan_version_ != kVersionInExtras ? plan_version_ : extras_ ? extras_->plan_version.value_or(0) : 0;
  }
  void set_plan_version(int64_t version) {
    if (extras_) extras_->plan_version.reset();
    if (version > kVersionInExtras && version <= INT32_MAX) {
      plan_version_ = static_cast<int32_t>(version);
    } else {
      plan_version_ = kVersionInExtras;
      Extras().plan_version = version;
    }
  }
  static constexpr int32_t kVersionInExtras = INT32_MIN;
  int32_t plan_version_ = 0;
  // Who asked for what, under which plan hash and mode: set together
  // (set_texts), read one by one.
  const Sym& plan_hash() const { return texts_[0]; }
  const Sym& caller() const { return texts_[1]; }
  const Sym& caller_key() const { return texts_[2]; }
  const Sym& tool() const { return texts_[3]; }
  const Sym& purchase_type() const { return texts_[4]; }
  const Sym& target_agent() const { return texts_[5]; }
  const Sym& mode() const { return texts_[6]; }
  CheckTexts texts() const { return {plan_hash(), caller(), caller_key(), tool(), purchase_type(), target_agent(), mode()}; }
  void set_texts(const CheckTexts& t) {
    texts_ = SymTuple<7>({t.plan_hash, t.caller, t.caller_key, t.tool, t.purchase_type, t.target_agent, t.mode});
  }
  // Response body (no context, no token) as compact JSON text; for pending
  // checks the pre-resolution parts (03 §7). A final body is kept as a pooled
  // shape instead: the text without the check id, the expiry and the
  // statement echo, which CheckBodyText() puts back (issue 15: a plan's
  // bodies then share one copy). Read either through CheckBodyText(). The
  // text is absent rather than empty, and kept with the rarely set members
  // (CheckExtras): most checks keep only a shape.
  const BoxedText& body_json() const { return ExtrasOrEmpty().body_json; }
  void set_body_json(BoxedText text) {
    if (text || extras_) Extras().body_json = std::move(text);
  }
  const Boxed<ProposalBinding>& proposal() const { return ExtrasOrEmpty().proposal; }
  void set_proposal(Boxed<ProposalBinding> proposal) {
    if (proposal || extras_) Extras().proposal = std::move(proposal);
  }
  OptionalDouble amount;               // ceiling (intent) or execution amount x
  StoredToken issued_token;            // approved checks
  // The issued token's expiry (exp), 0 for none. Kept as its distance from
  // the creation time, a few minutes for a token (issue 15: 8 bytes a
  // check); a farther one is kept in CheckExtras.
  int64_t expires_at_ms() const {
    if (expires_after_created_ == kNoExpiry) return 0;
    if (expires_after_created_ == kExpiryInExtras) return extras_ ? extras_->expires_at_ms.value_or(0) : 0;
    return created_ms_ + expires_after_created_;
  }
  void set_expires_at_ms(int64_t expires_at_ms) {
    const int64_t after = expires_at_ms - created_ms_;  // times are 0..kMaxTimeMs: no overflow
    if (extras_) extras_->expires_at_ms.reset();
    if (expires_at_ms == 0) {
      expires_after_created_ = kNoExpiry;
    } else if (after > kExpiryInExtras && after <= INT32_MAX) {
      expires_after_created_ = static_cast<int32_t>(after);
    } else {
      expires_after_created_ = kExpiryInExtras;
      Extras().expires_at_ms = expires_at_ms;
    }
  }
  // When the check was made, and when it became final (its entry's time;
  // 0 before FinalizeCheck). Most checks are final when they are made: the
  // final time is then the creation time, kept once (issue 15: 8 bytes a
  // check); another (a resolved escalation's) is kept in CheckExtras.
  int64_t created_ms() const { return created_ms_; }
  int64_t final_ms() const {
    return final_is_created_ ? created_ms_ : extras_ ? extras_->final_ms.value_or(0) : 0;
  }
  void set_created_ms(int64_t created_ms) {
    const int64_t final_ms = this->final_ms(), expires_at_ms = this->expires_at_ms();
    created_ms_ = created_ms;
    set_final_ms(final_ms);
    set_expires_at_ms(expires_at_ms);
  }
  void set_final_ms(int64_t final_ms) {
    final_is_created_ = final_ms == created_ms_;
    if (!final_is_created_ && final_ms != 0) Extras().final_ms = final_ms;
    else if (extras_) extras_->final_ms.reset();
  }
  int64_t created_ms_ = 0;
  static constexpr int32_t kNoExpiry = INT32_MIN, kExpiryInExtras = INT32_MIN + 1;
  uint64_t seq = 0;      // 0 while pending
  // Execution checks: the planned_delivery checked, as compact JSON text,
  // shaped (issue 15: as a tree it was ~130 bytes a delivery check). Read
  // it with PlannedDeliveryOf(). Delivery checks: the statement (issue 15:
  // a shared_ptr was 16 more bytes a check and 16 a block). Intent checks:
  // the scope, absent when every member is empty (IntentScope). Kept in one
  // pointer (CheckParts).
  const ShapedText* planned_delivery() const { return parts_.planned_delivery(); }
  const Statement* statement() const { return parts_.statement(); }
  Statement* mutable_statement() { return parts_.mutable_statement(); }
  const IntentScope* scope() const { return parts_.scope(); }
  void set_planned_delivery(std::optional<ShapedText> planned_delivery) {
    parts_.set_planned_delivery(std::move(planned_delivery));
  }
  void set_statement(std::optional<Statement> statement) { parts_.set_statement(std::move(statement)); }
  void set_scope(std::optional<IntentScope> scope) { parts_.set_scope(std::move(scope)); }
  // CheckExtras' members, read one by one, set one by one (boxed on first use).
  int32_t escalation() const { return extras_ ? extras_->escalation : kNone; }
  int32_t consultation() const { return extras_ ? extras_->consultation : kNone; }
  // An intent check is its consultation's first attempt unless it continues
  // one; other checks count none. Set after `intent`, which never changes.
  int64_t usual_attempt() const { return intent ? 1 : 0; }
  int64_t attempt() const { return extras_ && extras_->attempt ? *extras_->attempt : usual_attempt(); }
  void set_attempt(int64_t attempt) {
    if (attempt != usual_attempt()) Extras().attempt = attempt;
    else if (extras_) extras_->attempt = std::nullopt;
  }
  const Boxed<json::Value>& runtime_attestations() const { return ExtrasOrEmpty().runtime_attestations; }
  const Boxed<json::Value>& legacy_metrics() const { return ExtrasOrEmpty().legacy_metrics; }
  // The request's context (getTask echoes it; issue 15: 8 bytes in every check, inline).
  const Boxed<json::Value>& context() const { return ExtrasOrEmpty().context; }
  void set_context(Boxed<json::Value> value) {
    if (value || extras_) Extras().context = std::move(value);
  }
  void set_escalation(int32_t escalation) {
    if (escalation != kNone || extras_) Extras().escalation = escalation;
  }
  void set_consultation(int32_t consultation) {
    if (consultation != kNone || extras_) Extras().consultation = consultation;
  }
  void set_runtime_attestations(Boxed<json::Value> value) {
    if (value || extras_) Extras().runtime_attestations = std::move(value);
  }
  void set_legacy_metrics(Boxed<json::Value> value) {
    if (value || extras_) Extras().legacy_metrics = std::move(value);
  }
  CheckParts parts_;
  SymTuple<7> texts_;  // CheckTexts' members in order (texts())
  Boxed<CheckExtras> extras_;
  // The final body's pooled shape (body_json() above). With the other
  // pointer-sized members: on wasm32 they are 4 bytes, and between 8-byte
  // ones each padded to 8 (issue 15: 88 bytes there, where 96).
  Sym body_shape;

 private:
  CheckExtras& Extras() {
    if (!extras_) extras_ = CheckExtras();
    return *extras_;
  }
  const CheckExtras& ExtrasOrEmpty() const {
    static const CheckExtras* const kEmpty = new CheckExtras();  // never destroyed: read after exit too
    return extras_ ? *extras_ : *kEmpty;
  }
};

}  // namespace adcp
