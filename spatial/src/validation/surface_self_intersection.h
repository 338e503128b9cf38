#pragma once
// 306: do the triangulated polygons of a shell meet anywhere other than along the edges and at
// the vertices they share? Triangles of one polygon are never compared (the triangulation of a
// valid polygon does not overlap itself), which skips the costly coplanar pairs.
#include <optional>
#include <utility>
#include <vector>

#include "indexed_shell.h"

namespace strata::spatial::validation {

struct SelfIntersection {
  int polygon_a, polygon_b;
  Point3 where;  // centre of one of the two triangles
  std::size_t pairs;
};

std::optional<SelfIntersection> find_self_intersection(
    const std::vector<std::vector<Triangle>>& triangles_by_polygon, const VertexPool& pool);

}  // namespace strata::spatial::validation
