// An index from a record's id to its position among its kind's records
// (issue 15: memory per decision). A std::unordered_map node per record (the
// key's view, the position, the cached hash and the link: a 48-byte block,
// plus its bucket) was ~56 bytes a record on 64-bit. Here a record costs one
// int32 slot in an open-addressed table kept at most three quarters full: 5-8 bytes
// (util/probe_table.h). The key is not stored at all: the caller reads it
// from the record (`id_of(position)`), which never moves and never changes
// its id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "util/probe_table.h"

namespace adcp {

class IdIndex {
 public:
  static constexpr int32_t kAbsent = -1;

  // The position of the record with this id, or kAbsent. `id_of(position)`
  // gives the id of the record at a position.
  template <class IdOf>
  int32_t Find(std::string_view id, const IdOf& id_of) const {
    const Slot* slot = table_.Find(Hash(id), [&](const Slot& s) { return id_of(s.position) == id; });
    return slot ? slot->position : kAbsent;
  }

  // The same, with `matches(position)` saying whether the record at a
  // position has `id` (a caller that compares cheaper than by text).
  template <class Matches>
  int32_t FindMatching(std::string_view id, const Matches& matches) const {
    const Slot* slot = table_.Find(Hash(id), [&](const Slot& s) { return matches(s.position); });
    return slot ? slot->position : kAbsent;
  }

  // Indexes the record at `position` under its id; a record indexed before
  // under the same id is replaced (as assigning a map's entry would).
  template <class IdOf>
  void Insert(int32_t position, const IdOf& id_of) {
    // `id_of` may give a value that spells the id out (RecordId::text()): kept here while it is read.
    const auto& id = id_of(position);
    const std::string_view id_text = id;
    table_.Insert(Hash(id_text), Slot{position}, [&](const Slot& s) { return id_of(s.position) == id_text; },
                  [&](const Slot& s) { return Hash(id_of(s.position)); });
  }

  size_t size() const { return table_.size(); }
  void clear() { table_.clear(); }

 private:
  struct Slot {
    int32_t position;
  };
  static size_t Hash(std::string_view id) { return std::hash<std::string_view>()(id); }
  static_assert(ProbeTable<Slot>::kAbsent == kAbsent, "one marker for an empty slot");

  ProbeTable<Slot> table_;
};

}  // namespace adcp
