#pragma once
// Class breaks of a choropleth: how the values of an indicator are grouped into the colours of
// the map and the rows of its legend.
#include <optional>
#include <string>
#include <vector>

namespace strata::render {

enum class ClassMethod { kQuantile, kNaturalBreaks, kEqualInterval, kFixed };

// "quantile", "natural" (Jenks), "equal", "fixed"; nothing for another name.
std::optional<ClassMethod> parse_class_method(const std::string& name);
std::string class_method_name(ClassMethod method);

struct ClassBreaks {
  ClassMethod method = ClassMethod::kQuantile;
  // Class i holds lower[i] <= v <= upper[i] (the first class includes its lower bound, the
  // others start above the previous upper bound). Ascending; one entry per class.
  std::vector<double> lower, upper;
  std::vector<int> counts;  // how many values fall in each class

  int size() const { return static_cast<int>(upper.size()); }
  // The class of a value, or -1 when it lies outside every class (fixed breaks).
  int class_of(double value) const;
};

// Groups `values` (NaN dropped) into at most `classes` classes. Quantile: equal counts, break
// values taken from the data (ties may merge classes); natural: Jenks' optimal breaks
// (minimum within-class squared deviation, exact by dynamic programming); equal: equal widths
// between min and max; fixed: `fixed_breaks` are the inner bounds (k breaks -> k+1 classes,
// from min to max of the data). Throws StrataError(903) on an empty value set or unordered
// fixed breaks.
ClassBreaks classify(std::vector<double> values, ClassMethod method, int classes,
                     const std::vector<double>& fixed_breaks = {});

}  // namespace strata::render
