#pragma once
// Bounds on the ordinates of a city model, shared by the CityJSON and CityGML readers. No
// coordinate on Earth (projected metres or feet, geocentric, degrees) reaches 1e9; beyond that a
// value is a broken exporter or a missing scale (val3dity's own test suite goes to 1e8 on
// purpose, to test robustness, and stays readable).
#include <cmath>
#include <cstdio>
#include <string>

#include "strata/core/geometry.h"

namespace strata::io {

inline constexpr double kMaxPlanarOrdinate = 1e9;
inline constexpr double kMaxHeight = 1e9;

// "NaN", "Infinity" or `v` with 17 significant digits (reads back exactly).
inline std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

// What is wrong with a point, or nothing.
inline const char* plausibility_problem(const Point3& p) {
  for (std::size_t i = 0; i < 3; ++i)
    if (!std::isfinite(p[i])) return "is not a finite number";
  if (std::abs(p[0]) > kMaxPlanarOrdinate || std::abs(p[1]) > kMaxPlanarOrdinate)
    return "is implausible for a coordinate (expected |x|, |y| <= 1e9)";
  if (std::abs(p[2]) > kMaxHeight) return "is implausible for a height (expected |z| <= 1e9)";
  return nullptr;
}

}  // namespace strata::io
