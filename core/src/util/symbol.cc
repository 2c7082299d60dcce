#include "util/symbol.h"

#include <mutex>
#include <unordered_map>

namespace adcp {
namespace {

// Keyed by a view of each entry's own text (stable: entries live on the
// heap), so a lookup needs no copy of the text it looks for.
struct Pool {
  std::mutex mutex;
  std::unordered_map<std::string_view, Sym::Entry*> entries;
};

// Never destroyed: records in static storage may release after exit.
Pool& ThePool() {
  static Pool* pool = new Pool();
  return *pool;
}

const std::string& Empty() {
  static const std::string* empty = new std::string();
  return *empty;
}

}  // namespace

Sym::Sym(std::string_view text) {
  if (text.empty()) return;
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  auto it = pool.entries.find(text);
  if (it != pool.entries.end()) {
    // Under the lock, so a count reaching zero elsewhere cannot free it now.
    it->second->refs.fetch_add(1, std::memory_order_relaxed);
    entry_ = it->second;
    return;
  }
  entry_ = new Entry();
  entry_->text.assign(text.data(), text.size());
  pool.entries.emplace(std::string_view(entry_->text), entry_);
}

void Sym::Release() {
  if (!entry_) return;
  Entry* entry = entry_;
  entry_ = nullptr;
  // Above one reference, drop it without the lock; the last one is dropped
  // under the lock, where no other thread can find the entry meanwhile.
  uint32_t refs = entry->refs.load(std::memory_order_relaxed);
  while (refs > 1)
    if (entry->refs.compare_exchange_weak(refs, refs - 1, std::memory_order_acq_rel)) return;
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  if (entry->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    pool.entries.erase(std::string_view(entry->text));
    delete entry;
  }
}

const std::string& Sym::str() const { return entry_ ? entry_->text : Empty(); }

size_t SymPoolSize() {
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  return pool.entries.size();
}

}  // namespace adcp
