#pragma once
// 2D polygon validity in val3dity's vocabulary (1xx rings, 2xx polygons).
#include <optional>
#include <string>

#include "strata/core/error.h"
#include "strata/core/geometry.h"

namespace strata {

struct GeometryProblem {
  ErrorCode code;
  std::string detail;  // Boost.Geometry's explanation, with the location where it gives one
};

// Returns the first problem found, or nothing when the geometry is valid.
std::optional<GeometryProblem> check_polygonal(const MultiPolygon2& geometry);

// Planar area in square metres and length of every part in metres, of coordinates in a CRS
// whose unit is `metres_per_unit` metres (Crs::linear_unit_m(): 1 for metres, 0.3048006096 for
// US survey feet). No default: every caller must say what its coordinates are.
double area_m2(const MultiPolygon2& geometry, double metres_per_unit);
double length_m(const MultiLinestring2& geometry, double metres_per_unit);

}  // namespace strata
