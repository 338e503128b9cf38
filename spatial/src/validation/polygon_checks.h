#pragma once
// Ring (1xx) and polygon (2xx) checks of one planar face of a shell, and its triangulation.
#include <vector>

#include "indexed_shell.h"
#include "strata/spatial/geometry_validation.h"

namespace strata::spatial::validation {

struct PolygonOutcome {
  bool valid = false;
  std::vector<Triangle> triangles;  // the face triangulated (holes respected), when valid
};

// Checks `face` (vertex ids in `pool`) and appends what is wrong to `findings`.
PolygonOutcome check_polygon(const Face& face, const VertexPool& pool,
                             const ValidationTolerances& tolerances, int face_index,
                             std::vector<LocalFinding>& findings);

}  // namespace strata::spatial::validation
