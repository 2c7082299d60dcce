// The open-addressed table under IdIndex and DigestIndex (issue 15: memory
// per decision): slots that name a record's position, in a power-of-two
// vector kept at most half full, found by linear probing from a hash. The
// table never holds a key; its users say where a slot belongs (`hash_of`)
// and whether a slot holds the key sought (`holds`), reading the key from
// the record or from what the slot keeps of it.
//
// Written here rather than taken from a library: the point is that the
// tables hold no key, and the well-kept flat maps (Abseil's, Boost's) keep
// theirs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace adcp {

// Slot: a trivially copyable struct with an `int32_t position` member,
// kAbsent in an empty slot.
template <class Slot>
class ProbeTable {
 public:
  static constexpr int32_t kAbsent = -1;

  // The first slot on `hash`'s run for which `holds(slot)`, nullptr for none.
  template <class Holds>
  const Slot* Find(size_t hash, const Holds& holds) const {
    if (slots_.empty()) return nullptr;
    for (size_t at = hash & Mask();; at = (at + 1) & Mask()) {
      const Slot& slot = slots_[at];
      if (slot.position == kAbsent) return nullptr;
      if (holds(slot)) return &slot;
    }
  }

  // Puts `slot` on `hash`'s run, in place of a slot for which `holds(slot)`
  // (as assigning a map's entry would). `hash_of(slot)` places the slots
  // again when the table grows.
  template <class Holds, class HashOf>
  void Insert(size_t hash, const Slot& slot, const Holds& holds, const HashOf& hash_of) {
    if ((size_ + 1) * 2 > slots_.size()) Grow(hash_of);
    size_t at = hash & Mask();
    while (slots_[at].position != kAbsent) {
      if (holds(slots_[at])) {
        slots_[at] = slot;
        return;
      }
      at = (at + 1) & Mask();
    }
    slots_[at] = slot;
    ++size_;
  }

  size_t size() const { return size_; }
  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  size_t Mask() const { return slots_.size() - 1; }

  template <class HashOf>
  void Grow(const HashOf& hash_of) {
    std::vector<Slot> old = std::move(slots_);
    Slot empty{};
    empty.position = kAbsent;
    slots_.assign(old.empty() ? 16 : old.size() * 2, empty);
    for (const Slot& slot : old) {
      if (slot.position == kAbsent) continue;
      size_t at = hash_of(slot) & Mask();
      while (slots_[at].position != kAbsent) at = (at + 1) & Mask();
      slots_[at] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace adcp
