#include "util/symbol.h"

#include <cstring>
#include <mutex>
#include <unordered_map>

namespace adcp {
namespace {

// One pool per entry type (Sym's texts, SymList's lists), keyed by a view of
// each entry's own key (stable: entries live on the heap), so a lookup needs
// no copy of the key it looks for.
template <class Entry>
struct Pool {
  std::mutex mutex;
  std::unordered_map<std::string_view, Entry*> entries;
};

// Never destroyed: records in static storage may release after exit.
template <class Entry>
Pool<Entry>& ThePool() {
  static Pool<Entry>* pool = new Pool<Entry>();
  return *pool;
}

std::string_view KeyOf(const SymEntry& e) { return e.text; }
std::string_view KeyOf(const SymListEntry& e) { return e.key; }

// The entry for `key` with one more reference, or a new one `make` builds.
template <class Entry, class Make>
Entry* Acquire(std::string_view key, Make make) {
  Pool<Entry>& pool = ThePool<Entry>();
  std::lock_guard<std::mutex> lock(pool.mutex);
  auto it = pool.entries.find(key);
  if (it != pool.entries.end()) {
    // Under the lock, so a count reaching zero elsewhere cannot free it now.
    it->second->refs.fetch_add(1, std::memory_order_relaxed);
    return it->second;
  }
  Entry* entry = make();
  pool.entries.emplace(KeyOf(*entry), entry);
  return entry;
}

template <class Entry>
size_t PoolSize() {
  Pool<Entry>& pool = ThePool<Entry>();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.entries.size();
}

const std::string& EmptyText() {
  static const std::string* empty = new std::string();
  return *empty;
}

const std::vector<Sym>& EmptyList() {
  static const std::vector<Sym>* empty = new std::vector<Sym>();
  return *empty;
}

}  // namespace

template <class Entry>
void DropPooled(Entry* entry) {
  // Above one reference, drop it without the lock; the last one is dropped
  // under the lock, where no other thread can find the entry meanwhile.
  uint32_t refs = entry->refs.load(std::memory_order_relaxed);
  while (refs > 1)
    if (entry->refs.compare_exchange_weak(refs, refs - 1, std::memory_order_acq_rel)) return;
  Pool<Entry>& pool = ThePool<Entry>();
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (entry->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    pool.entries.erase(KeyOf(*entry));
  }
  delete entry;  // unreachable now; a list's items release into Sym's pool outside this lock
}

template void DropPooled(SymEntry*);
template void DropPooled(SymListEntry*);

Sym::Sym(std::string_view text) {
  if (text.empty()) return;
  entry_ = PoolRef<Entry>(Acquire<Entry>(text, [&] {
    Entry* entry = new Entry();
    entry->text.assign(text.data(), text.size());
    return entry;
  }));
}

const std::string& Sym::str() const { return entry_.get() ? entry_.get()->text : EmptyText(); }

size_t SymPoolSize() { return PoolSize<SymEntry>(); }

const Sym& EmptySym() {
  static const Sym* empty = new Sym();  // never destroyed: read after exit
  return *empty;
}

SymList::SymList(const std::vector<Sym>& items) {
  if (items.empty()) return;
  // Equal texts are one Sym entry while either lives, and a pooled list
  // holds its items, so the entries' addresses identify the list.
  std::string key(items.size() * sizeof(const void*), '\0');
  for (size_t i = 0; i < items.size(); ++i) {
    const void* id = items[i].id();
    std::memcpy(&key[i * sizeof id], &id, sizeof id);
  }
  entry_ = PoolRef<Entry>(Acquire<Entry>(key, [&] {
    Entry* entry = new Entry();
    entry->items = items;
    entry->key = std::move(key);
    return entry;
  }));
}

const std::vector<Sym>& SymList::items() const { return entry_.get() ? entry_.get()->items : EmptyList(); }

size_t SymListPoolSize() { return PoolSize<SymListEntry>(); }

}  // namespace adcp
