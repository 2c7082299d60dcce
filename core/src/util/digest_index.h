// An index from a key's SHA-256 to a record's position (issue 15: memory per
// decision): issued tokens, delivery statements and observations, one or two
// a governed buy each. A std::unordered_map node per key (the 32-byte digest,
// the position and the link: a 64-byte block, plus its bucket) was ~72 bytes
// a record on 64-bit. Here a record costs one 8-byte slot (32 bits of the
// digest and the position) in an open-addressed table kept at most three
// quarters full: 11-16 bytes (util/probe_table.h). The rest of the digest is not
// kept: on a slot whose 32 bits match, the caller's `matches(position)` says
// whether the record there has this key (it recomputes the key from the
// record, which never changes it), so the index answers exactly what a map
// keyed by the whole digest did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "canon/sha256.h"
#include "util/probe_table.h"

namespace adcp {

class DigestIndex {
 public:
  static constexpr int32_t kAbsent = -1;

  // The position of the record keyed by `key`, or kAbsent.
  template <class Matches>
  int32_t Find(const canon::Digest& key, const Matches& matches) const {
    const uint32_t tag = TagOf(key);
    const Slot* slot = table_.Find(tag, [&](const Slot& s) { return s.tag == tag && matches(s.position); });
    return slot ? slot->position : kAbsent;
  }

  // Indexes the record at `position` under `key`; a record indexed before
  // under the same key is replaced (as assigning a map's entry would).
  // `matches(p)`: whether the record at an indexed position p has `key`.
  template <class Matches>
  void Insert(const canon::Digest& key, int32_t position, const Matches& matches) {
    const uint32_t tag = TagOf(key);
    table_.Insert(tag, Slot{tag, position}, [&](const Slot& s) { return s.tag == tag && matches(s.position); },
                  [](const Slot& s) { return static_cast<size_t>(s.tag); });  // no key is recomputed to grow
  }

  size_t size() const { return table_.size(); }
  void clear() { table_.clear(); }

 private:
  struct Slot {
    uint32_t tag;      // the digest's first 32 bits: SHA-256 output is uniform, so they also place the slot
    int32_t position;  // kAbsent = empty
  };
  static uint32_t TagOf(const canon::Digest& key) {
    uint32_t tag;
    std::memcpy(&tag, key.data(), sizeof tag);
    return tag;
  }
  static_assert(ProbeTable<Slot>::kAbsent == kAbsent, "one marker for an empty slot");

  ProbeTable<Slot> table_;
};

}  // namespace adcp
