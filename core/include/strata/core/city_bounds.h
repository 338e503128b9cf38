#pragma once
// The 3D bounding box of city-object geometries, as the writers need it (CityJSON extent and
// transform, CityGML envelope, a unit's height range).
#include <array>
#include <limits>

#include "strata/core/city_object.h"

namespace strata {

struct Bounds3 {
  Point3 lo{std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
            std::numeric_limits<double>::infinity()};
  Point3 hi{-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
            -std::numeric_limits<double>::infinity()};

  bool empty() const { return lo[0] > hi[0]; }
  void add(const Point3& p) {
    for (std::size_t i = 0; i < 3; ++i) {
      if (p[i] < lo[i]) lo[i] = p[i];
      if (p[i] > hi[i]) hi[i] = p[i];
    }
  }
  void add(const CityGeometry& g);  // every vertex of every solid, shell, surface and ring
};

}  // namespace strata
