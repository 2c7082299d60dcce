// The open-addressed table under IdIndex and DigestIndex (issue 15: memory
// per decision): slots that name a record's position, found by linear
// probing from a hash. The table never holds a key; its users say where a
// slot belongs (`hash_of`) and whether a slot holds the key sought
// (`holds`), reading the key from the record or from what the slot keeps of
// it.
//
// The table is kept at most three quarters full and grows by half, so it
// holds 1.33-2 slots a key (1.65 on average over sizes). It was a power of
// two kept at most half full: 2-4 slots a key (2.9 on average), the most
// memory a governed buy's indexes took. A hash is placed by multiplying
// (Lemire's "fastrange"), which needs no power of two. At three quarters
// full, linear probing reads ~2.5 slots to find a key and ~8.5 to insert
// one; slots are contiguous, so that is a cache line or two.
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
    for (size_t at = Place(hash);; at = Next(at)) {
      const Slot& slot = slots_[at];
      if (slot.position == kAbsent) return nullptr;
      if (holds(slot)) return &slot;
    }
  }

  // Puts `slot` on `hash`'s run, in place of a slot for which `holds(slot)`
  // (as assigning a map's entry would). `hash_of(slot)` places the slots
  // again when the table grows, which only adding a key can make it do.
  template <class Holds, class HashOf>
  void Insert(size_t hash, const Slot& slot, const Holds& holds, const HashOf& hash_of) {
    if (!slots_.empty()) {
      size_t at = Place(hash);
      for (; slots_[at].position != kAbsent; at = Next(at)) {
        if (holds(slots_[at])) {
          slots_[at] = slot;
          return;
        }
      }
      if ((size_ + 1) * 4 <= slots_.size() * 3) {
        slots_[at] = slot;
        ++size_;
        return;
      }
    }
    Grow(hash_of);
    size_t at = Place(hash);
    while (slots_[at].position != kAbsent) at = Next(at);
    slots_[at] = slot;
    ++size_;
  }

  size_t size() const { return size_; }
  size_t slot_count() const { return slots_.size(); }
  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  // A hash's home slot: its 32 folded bits scaled to the table's size, so
  // the high bits place it (size_t is 32 bits in WASM, 64 natively).
  size_t Place(size_t hash) const {
    const uint64_t wide = hash;
    const uint32_t folded = static_cast<uint32_t>(wide ^ (wide >> 32));
    return static_cast<size_t>((static_cast<uint64_t>(folded) * slots_.size()) >> 32);
  }
  size_t Next(size_t at) const { return at + 1 == slots_.size() ? 0 : at + 1; }

  template <class HashOf>
  void Grow(const HashOf& hash_of) {
    std::vector<Slot> old = std::move(slots_);
    Slot empty{};
    empty.position = kAbsent;
    slots_.assign(old.empty() ? 16 : old.size() + old.size() / 2, empty);
    for (const Slot& slot : old) {
      if (slot.position == kAbsent) continue;
      size_t at = Place(hash_of(slot));
      while (slots_[at].position != kAbsent) at = Next(at);
      slots_[at] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace adcp
