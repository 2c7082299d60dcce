// Sym: a string that many records share (agent URLs and their normalized
// keys, tools, purchase types, modes, statuses), kept once per distinct value
// in a process-wide pool with a reference count (issue 15: a decision's
// records held a dozen heap copies of the same few URLs). A Sym is 8 bytes;
// copying one bumps a count; the last reference frees the pooled text, so
// the pool holds only what live records use. Thread-safe (Node worker threads
// share the add-on). Reads as `const std::string&`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adcp {

// Drops one reference to a pool entry; the last one removes it from its pool
// (symbol.cc, for Sym's and SymList's entries).
template <class Entry>
void DropPooled(Entry* entry);

// A counted reference to a pool entry, null for the empty value: what Sym
// and SymList hold. Copying one bumps the entry's count.
template <class Entry>
class PoolRef {
 public:
  PoolRef() = default;
  explicit PoolRef(Entry* counted) : entry_(counted) {}  // takes a reference already counted
  PoolRef(const PoolRef& other) noexcept : entry_(other.entry_) {
    if (entry_) entry_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  PoolRef(PoolRef&& other) noexcept : entry_(other.entry_) { other.entry_ = nullptr; }
  PoolRef& operator=(PoolRef other) noexcept {  // copy or move, then swap
    std::swap(entry_, other.entry_);
    return *this;
  }
  ~PoolRef() {
    if (entry_) DropPooled(entry_);
  }
  Entry* get() const { return entry_; }

 private:
  Entry* entry_ = nullptr;
};

struct SymEntry {
  std::string text;
  std::atomic<uint32_t> refs{1};
};

class Sym {
 public:
  Sym() = default;
  Sym(std::string_view text);  // NOLINT: implicit, records assign strings
  Sym(const std::string& text) : Sym(std::string_view(text)) {}  // NOLINT
  Sym(const char* text) : Sym(std::string_view(text)) {}         // NOLINT

  const std::string& str() const;
  operator const std::string&() const { return str(); }  // NOLINT
  bool empty() const { return str().empty(); }
  size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }
  // Equal texts are one pool entry, so this is text equality.
  bool same(const Sym& other) const { return entry_.get() == other.entry_.get(); }
  // The pool entry, the same for equal texts while either lives (SymList keys).
  const void* id() const { return entry_.get(); }

  // Hidden friends: found only when a Sym is an operand, so comparisons of
  // other string types do not become ambiguous through Sym's constructors.
  friend bool operator==(const Sym& a, const Sym& b) { return a.same(b); }
  friend bool operator!=(const Sym& a, const Sym& b) { return !a.same(b); }
  friend bool operator==(const Sym& a, const std::string& b) { return a.str() == b; }
  friend bool operator!=(const Sym& a, const std::string& b) { return a.str() != b; }
  friend bool operator==(const std::string& a, const Sym& b) { return a == b.str(); }
  friend bool operator!=(const std::string& a, const Sym& b) { return a != b.str(); }
  friend bool operator==(const Sym& a, const char* b) { return a.str() == b; }
  friend bool operator!=(const Sym& a, const char* b) { return a.str() != b; }
  friend bool operator<(const Sym& a, const Sym& b) { return a.str() < b.str(); }
  friend std::string operator+(const Sym& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const std::string& a, const Sym& b) { return a + b.str(); }
  friend std::string operator+(const Sym& a, const char* b) { return a.str() + b; }
  friend std::string operator+(const char* a, const Sym& b) { return a + b.str(); }

  using Entry = SymEntry;

 private:
  PoolRef<Entry> entry_;  // null = ""
};

// Distinct texts in the pool (tests: the pool holds only what is referenced).
size_t SymPoolSize();

struct SymListEntry {
  std::vector<Sym> items;
  std::string key;  // the items' pool entries (Sym::id), byte for byte
  std::atomic<uint32_t> refs{1};
};

// SymList: a list of pooled strings that many records share (an intent's
// channels, countries and regions, an action's, a seller's channels), kept
// once per distinct list in a process-wide pool like Sym's (issue 15: a
// vector was 24 bytes inline and a heap block, four of them a governed buy).
// A SymList is 8 bytes, immutable, and reads as `const std::vector<Sym>&`.
class SymList {
 public:
  SymList() = default;
  SymList(const std::vector<Sym>& items);  // NOLINT: implicit, records assign lists

  const std::vector<Sym>& items() const;
  operator const std::vector<Sym>&() const { return items(); }  // NOLINT
  bool empty() const { return entry_.get() == nullptr; }
  size_t size() const { return items().size(); }
  std::vector<Sym>::const_iterator begin() const { return items().begin(); }
  std::vector<Sym>::const_iterator end() const { return items().end(); }
  const Sym& operator[](size_t i) const { return items()[i]; }
  // Equal lists are one pool entry.
  friend bool operator==(const SymList& a, const SymList& b) { return a.entry_.get() == b.entry_.get(); }
  friend bool operator!=(const SymList& a, const SymList& b) { return a.entry_.get() != b.entry_.get(); }

  using Entry = SymListEntry;

 private:
  PoolRef<Entry> entry_;  // null = the empty list
};

// Distinct lists in the pool (tests).
size_t SymListPoolSize();

// The empty Sym (what an absent SymTuple reads as).
const Sym& EmptySym();

// SymTuple: a record's fixed set of N pooled strings (who called, the tool,
// the purchase type, the mode...) kept as one pooled list. The records of a
// plan mostly repeat the same set, so it is 8 bytes a record where N Syms
// were 8·N (issue 15). Immutable: a record replaces it whole. All-empty
// reads as N empty Syms and takes no pool entry.
template <size_t N>
class SymTuple {
 public:
  SymTuple() = default;
  explicit SymTuple(const std::array<Sym, N>& items) {
    for (const Sym& item : items)
      if (!item.empty()) {
        list_ = SymList(std::vector<Sym>(items.begin(), items.end()));
        return;
      }
  }
  const Sym& operator[](size_t i) const { return list_.empty() ? EmptySym() : list_[i]; }
  friend bool operator==(const SymTuple& a, const SymTuple& b) { return a.list_ == b.list_; }

 private:
  SymList list_;  // empty, or exactly N items
};

// Lists of pooled strings (a record's channels) to and from plain strings.
inline std::vector<Sym> Syms(const std::vector<std::string>& strings) { return {strings.begin(), strings.end()}; }
inline std::vector<std::string> Strings(const std::vector<Sym>& syms) {
  std::vector<std::string> out;
  out.reserve(syms.size());
  for (const Sym& s : syms) out.push_back(s.str());
  return out;
}

}  // namespace adcp
