// Money arithmetic rules of the spec (README conventions).
#pragma once

#include <cmath>
#include <vector>

namespace adcp {

// ε for every monetary "exceeds" comparison: a exceeds b iff a > b + ε.
constexpr double kEpsilon = 1e-6;
inline bool Exceeds(double a, double b) { return a > b + kEpsilon; }

inline double Round2(double x) { return std::floor(x * 100 + 0.5) / 100; }
inline double Round3(double x) { return std::floor(x * 1000 + 0.5) / 1000; }

// Exact running sum (Shewchuk's non-overlapping partials, as Python's
// math.fsum). Value() is the correctly rounded exact sum, so the result does
// not depend on the order of additions and a subtraction undoes an addition
// exactly. That lets ledgers and holds be maintained incrementally in O(1)
// per event (no re-summing history) while native and WASM agree bit for bit
// and state rebuilt by importState reproduces every figure.
class ExactSum {
 public:
  // Returns false (and leaves the sum unchanged) when the sum would overflow.
  bool Add(double x);
  bool Subtract(double x) { return Add(-x); }
  double Value() const;
  bool IsZero() const { return Value() == 0; }

 private:
  std::vector<double> partials_;
};

}  // namespace adcp
