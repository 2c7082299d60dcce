#include "util/money.h"

#include <utility>

namespace adcp {

bool ExactSum::Add(double x) {
  if (!std::isfinite(x)) return false;
  if (x == 0) return true;
  std::vector<double> next;
  next.reserve(partials_.size() + 1);
  for (double y : partials_) {
    if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
    double hi = x + y;
    if (!std::isfinite(hi)) return false;
    double lo = y - (hi - x);
    if (lo != 0) next.push_back(lo);
    x = hi;
  }
  if (x != 0) next.push_back(x);
  partials_ = std::move(next);
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
