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

double area_m2(const MultiPolygon2& geometry);
// Planar length of every part, in CRS units (metres in the project CRS).
double length_m(const MultiLinestring2& geometry);

}  // namespace strata
