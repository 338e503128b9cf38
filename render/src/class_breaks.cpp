#include "strata/render/class_breaks.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "strata/core/error.h"

namespace strata::render {

std::optional<ClassMethod> parse_class_method(const std::string& name) {
  if (name == "quantile" || name == "quantiles") return ClassMethod::kQuantile;
  if (name == "natural" || name == "jenks" || name == "natural_breaks")
    return ClassMethod::kNaturalBreaks;
  if (name == "equal" || name == "equal_interval") return ClassMethod::kEqualInterval;
  if (name == "fixed") return ClassMethod::kFixed;
  return std::nullopt;
}

std::string class_method_name(ClassMethod method) {
  switch (method) {
    case ClassMethod::kQuantile:
      return "quantile";
    case ClassMethod::kNaturalBreaks:
      return "natural";
    case ClassMethod::kEqualInterval:
      return "equal";
    case ClassMethod::kFixed:
      return "fixed";
  }
  return "quantile";
}

int ClassBreaks::class_of(double value) const {
  if (std::isnan(value) || upper.empty()) return -1;
  if (value < lower.front() || value > upper.back()) return -1;
  for (int i = 0; i < size(); ++i)
    if (value <= upper[static_cast<std::size_t>(i)]) return i;
  return -1;
}

namespace {

// Jenks' natural breaks by the exact dynamic programme (Jenks 1977, Fisher 1958): the classes
// minimising the sum of within-class squared deviations. Classes are bounded by values, so equal
// values always share a class: the programme runs over the distinct values with their counts as
// weights, O(k d^2) for d distinct values. Written here because no Debian C++ library provides it.
// Returns the index (into `distinct`) of each class's upper bound.
std::vector<std::size_t> jenks_upper_indices(const std::vector<double>& distinct,
                                             const std::vector<double>& weight, int k) {
  const std::size_t n = distinct.size();
  std::vector<double> w(n + 1, 0), s1(n + 1, 0), s2(n + 1, 0);  // prefix sums
  for (std::size_t i = 0; i < n; ++i) {
    w[i + 1] = w[i] + weight[i];
    s1[i + 1] = s1[i] + weight[i] * distinct[i];
    s2[i + 1] = s2[i] + weight[i] * distinct[i] * distinct[i];
  }
  auto ssd = [&](std::size_t a, std::size_t b) {  // values a..b inclusive
    const double cnt = w[b + 1] - w[a], sum = s1[b + 1] - s1[a];
    return (s2[b + 1] - s2[a]) - sum * sum / cnt;
  };
  const auto K = static_cast<std::size_t>(k);
  const double inf = std::numeric_limits<double>::infinity();
  // cost[c][j]: best cost of the first j+1 values in c+1 classes; from[c][j]: start of the last.
  std::vector<std::vector<double>> cost(K, std::vector<double>(n, inf));
  std::vector<std::vector<std::size_t>> from(K, std::vector<std::size_t>(n, 0));
  for (std::size_t j = 0; j < n; ++j) cost[0][j] = ssd(0, j);
  for (std::size_t c = 1; c < K; ++c)
    for (std::size_t j = c; j < n; ++j)
      for (std::size_t i = c; i <= j; ++i) {  // last class is i..j
        const double candidate = cost[c - 1][i - 1] + ssd(i, j);
        if (candidate < cost[c][j]) {
          cost[c][j] = candidate;
          from[c][j] = i;
        }
      }
  std::vector<std::size_t> uppers(K);
  std::size_t j = n - 1;
  for (std::size_t c = K; c-- > 0;) {
    uppers[c] = j;
    if (c > 0) j = from[c][j] - 1;
  }
  return uppers;
}

// Quantile q of sorted values, by linear interpolation (numpy's default, "linear").
double quantile(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

ClassBreaks classify(std::vector<double> values, ClassMethod method, int classes,
                     const std::vector<double>& fixed_breaks) {
  // NaN and infinities have no class (and would poison the sums of the natural breaks).
  values.erase(
      std::remove_if(values.begin(), values.end(), [](double x) { return !std::isfinite(x); }),
      values.end());
  if (values.empty()) throw StrataError(ErrorCode::kWrongInputParameters, "no values to classify");
  if (method != ClassMethod::kFixed && (classes < 1 || classes > 9))
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "classes must be 1 to 9, got " + std::to_string(classes));
  std::sort(values.begin(), values.end());
  const double lo = values.front(), hi = values.back();
  // More classes than distinct values would leave classes empty: three districts make at most
  // three classes.
  int distinct = 1;
  for (std::size_t i = 1; i < values.size(); ++i) distinct += values[i] != values[i - 1];
  classes = std::min(classes, distinct);
  ClassBreaks b;
  b.method = method;
  std::vector<double> uppers;
  switch (method) {
    case ClassMethod::kFixed: {
      if (!std::is_sorted(fixed_breaks.begin(), fixed_breaks.end()) ||
          std::adjacent_find(fixed_breaks.begin(), fixed_breaks.end()) != fixed_breaks.end())
        throw StrataError(ErrorCode::kWrongInputParameters,
                          "fixed breaks must be strictly ascending");
      for (double x : fixed_breaks)
        if (x > lo && x < hi) uppers.push_back(x);
      uppers.push_back(hi);
      if (uppers.size() > 9)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          "fixed breaks make " + std::to_string(uppers.size()) +
                              " classes within the data; a map shows at most 9");
      break;
    }
    case ClassMethod::kEqualInterval:
      for (int i = 1; i < classes; ++i) uppers.push_back(lo + (hi - lo) * i / classes);
      uppers.push_back(hi);
      break;
    case ClassMethod::kQuantile:
      for (int i = 1; i < classes; ++i)
        uppers.push_back(quantile(values, static_cast<double>(i) / classes));
      uppers.push_back(hi);
      break;
    case ClassMethod::kNaturalBreaks: {
      std::vector<double> levels, weight;  // the distinct values and how often each occurs
      for (double x : values) {
        if (levels.empty() || x != levels.back()) {
          levels.push_back(x);
          weight.push_back(0);
        }
        weight.back() += 1;
      }
      for (std::size_t idx : jenks_upper_indices(levels, weight, classes))
        uppers.push_back(levels[idx]);
      break;
    }
  }
  // Equal bounds (ties, a constant indicator) would give empty classes: keep each once.
  uppers.erase(std::unique(uppers.begin(), uppers.end()), uppers.end());
  double previous = lo;
  for (double u : uppers) {
    b.lower.push_back(previous);
    b.upper.push_back(u);
    previous = u;
  }
  b.counts.assign(b.upper.size(), 0);
  for (double x : values) {
    const int c = b.class_of(x);
    if (c >= 0) ++b.counts[static_cast<std::size_t>(c)];
  }
  // Quantile bounds between tied values and equal intervals over a gap can still leave a class
  // empty: merge it into the next one, so the legend never shows a class nothing falls in.
  // Fixed breaks are the user's and stay as given.
  if (method != ClassMethod::kFixed)
    for (std::size_t i = 0; i + 1 < b.counts.size();) {
      if (b.counts[i] == 0) {
        b.lower[i + 1] = b.lower[i];
        b.lower.erase(b.lower.begin() + static_cast<std::ptrdiff_t>(i));
        b.upper.erase(b.upper.begin() + static_cast<std::ptrdiff_t>(i));
        b.counts.erase(b.counts.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  return b;
}

}  // namespace strata::render
