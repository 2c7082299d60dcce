// An index from a key's SHA-256 to a record's position (issue 15: memory per
// decision): issued tokens, delivery statements and observations, one or two
// a governed buy each. A std::unordered_map node per key (the 32-byte digest,
// the position and the link: a 64-byte block, plus its bucket) was ~72 bytes
// a record on 64-bit. Here a record costs one 8-byte slot (32 bits of the
// digest and the position) in an open-addressed table kept at most half
// full: 16-32 bytes. The rest of the digest is not kept: on a slot whose 32
// bits match, the caller's `matches(position)` says whether the record there
// has this key (it recomputes the key from the record, which never changes
// it), so the index answers exactly what a map keyed by the whole digest did.
//
// Written here rather than taken from a library for the same reason as
// IdIndex (util/id_index.h): the table does not hold the key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "canon/sha256.h"

namespace adcp {

class DigestIndex {
 public:
  static constexpr int32_t kAbsent = -1;

  // The position of the record keyed by `key`, or kAbsent.
  template <class Matches>
  int32_t Find(const canon::Digest& key, const Matches& matches) const {
    if (slots_.empty()) return kAbsent;
    const uint32_t tag = TagOf(key);
    for (size_t at = tag & Mask();; at = (at + 1) & Mask()) {
      const Slot& slot = slots_[at];
      if (slot.position == kAbsent) return kAbsent;
      if (slot.tag == tag && matches(slot.position)) return slot.position;
    }
  }

  // Indexes the record at `position` under `key`; a record indexed before
  // under the same key is replaced (as assigning a map's entry would).
  // `matches(p)`: whether the record at an indexed position p has `key`.
  template <class Matches>
  void Insert(const canon::Digest& key, int32_t position, const Matches& matches) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const uint32_t tag = TagOf(key);
    size_t at = tag & Mask();
    while (slots_[at].position != kAbsent) {
      if (slots_[at].tag == tag && matches(slots_[at].position)) {
        slots_[at].position = position;
        return;
      }
      at = (at + 1) & Mask();
    }
    slots_[at] = Slot{tag, position};
    ++size_;
  }

  size_t size() const { return size_; }
  void clear() {
    slots_.clear();
    size_ = 0;
  }

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
  size_t Mask() const { return slots_.size() - 1; }

  // Doubles the table; the slots move by their tags alone (no key is recomputed).
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, Slot{0, kAbsent});
    for (const Slot& slot : old) {
      if (slot.position == kAbsent) continue;
      size_t at = slot.tag & Mask();
      while (slots_[at].position != kAbsent) at = (at + 1) & Mask();
      slots_[at] = slot;
    }
  }

  std::vector<Slot> slots_;  // a power of two in size
  size_t size_ = 0;
};

}  // namespace adcp
