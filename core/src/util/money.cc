#include "util/money.h"

#include <utility>

namespace adcp {

bool ExactSum::Add(double x) {
  if (!std::isfinite(x)) return false;
  if (x == 0) return true;
  // The new partials go to a buffer first, so that an overflow leaves the
  // sum as it was; a sum of money rarely has more than a few partials, so
  // the buffer is on the stack and the vector keeps its block (issue 15: a
  // new vector every addition).
  constexpr size_t kInline = 16;
  double inline_next[kInline];
  std::vector<double> heap_next;
  double* next = inline_next;
  if (partials_.size() + 1 > kInline) {
    heap_next.resize(partials_.size() + 1);
    next = heap_next.data();
  }
  size_t count = 0;
  for (double y : partials_) {
    if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
    double hi = x + y;
    if (!std::isfinite(hi)) return false;
    double lo = y - (hi - x);
    if (lo != 0) next[count++] = lo;
    x = hi;
  }
  if (x != 0) next[count++] = x;
  partials_.assign(next, next + count);
  return true;
}

double ExactSum::Value() const {
  size_t n = partials_.size();
  if (n == 0) return 0;
  double hi = partials_[--n];
  double lo = 0;
  while (n > 0) {
    double x = hi;
    double y = partials_[--n];
    hi = x + y;
    double yr = hi - x;
    lo = y - yr;
    if (lo != 0) break;
  }
  // Round half-even correction (as CPython's fsum).
  if (n > 0 && ((lo < 0 && partials_[n - 1] < 0) || (lo > 0 && partials_[n - 1] > 0))) {
    double y = lo * 2;
    double x = hi + y;
    double yr = x - hi;
    if (y == yr) hi = x;
  }
  return hi == 0 ? 0.0 : hi;
}

}  // namespace adcp
