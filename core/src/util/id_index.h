// An index from a record's id to its position among its kind's records
// (issue 15: memory per decision). A std::unordered_map node per record (the
// key's view, the position, the cached hash and the link: a 48-byte block,
// plus its bucket) was ~56 bytes a record on 64-bit. Here a record costs one
// int32 slot in an open-addressed table kept at most half full: 8-16 bytes.
// The key is not stored at all: the caller reads it from the record
// (`id_of(position)`), which never moves and never changes its id.
//
// Written here rather than taken from a library: the point is that the table
// holds no key, and the well-kept flat maps (Abseil's, Boost's) keep theirs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace adcp {

class IdIndex {
 public:
  static constexpr int32_t kAbsent = -1;

  // The position of the record with this id, or kAbsent. `id_of(position)`
  // gives the id of the record at a position.
  template <class IdOf>
  int32_t Find(std::string_view id, const IdOf& id_of) const {
    if (slots_.empty()) return kAbsent;
    for (size_t at = Home(id);; at = (at + 1) & Mask()) {
      const int32_t position = slots_[at];
      if (position == kAbsent) return kAbsent;
      if (id_of(position) == id) return position;
    }
  }

  // Indexes the record at `position` under its id; a record indexed before
  // under the same id is replaced (as assigning a map's entry would).
  template <class IdOf>
  void Insert(int32_t position, const IdOf& id_of) {
    if ((size_ + 1) * 2 > slots_.size()) Grow(id_of);
    const std::string_view id = id_of(position);
    size_t at = Home(id);
    while (slots_[at] != kAbsent) {
      if (id_of(slots_[at]) == id) {
        slots_[at] = position;
        return;
      }
      at = (at + 1) & Mask();
    }
    slots_[at] = position;
    ++size_;
  }

  size_t size() const { return size_; }
  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  size_t Mask() const { return slots_.size() - 1; }
  size_t Home(std::string_view id) const { return std::hash<std::string_view>()(id) & Mask(); }

  template <class IdOf>
  void Grow(const IdOf& id_of) {
    std::vector<int32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, kAbsent);
    for (int32_t position : old) {
      if (position == kAbsent) continue;
      size_t at = Home(id_of(position));
      while (slots_[at] != kAbsent) at = (at + 1) & Mask();
      slots_[at] = position;
    }
  }

  std::vector<int32_t> slots_;  // positions, kAbsent = empty; a power of two in size
  size_t size_ = 0;
};

}  // namespace adcp
