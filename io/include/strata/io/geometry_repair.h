#pragma once
// Repairs invalid polygons with GEOS's MakeValid (through OGR): self-intersections, bow-ties,
// overlapping parts. Pieces that collapse to lines or points are dropped and counted.
#include <optional>
#include <string>

#include "strata/core/geometry.h"

namespace strata::io {

struct RepairResult {
  MultiPolygon2 geometry;
  std::string method;  // what was done, for the import report
};

// Returns nothing when no polygonal result remains.
std::optional<RepairResult> make_valid_polygonal(const MultiPolygon2& geometry);
// Rounds coordinates to a grid (in CRS units), drops repeated points, then make_valid_polygonal.
std::optional<RepairResult> snap_and_make_valid(const MultiPolygon2& geometry, double grid);

}  // namespace strata::io
