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

// Checks `face` (vertex ids in `pool`): rings (1xx), planarity by distance (203) and the polygon
// in 2D (2xx), and appends what is wrong to `findings`.
PolygonOutcome check_polygon(const Face& face, const VertexPool& pool,
                             const ValidationTolerances& tolerances, int face_index,
                             std::vector<LocalFinding>& findings);

// 204: the face triangulated in its fitted plane; no triangle may turn away from the first by
// more than the angle tolerance. Run, as val3dity does, only once every polygon of the surface
// passed check_polygon. False (and a finding) when one does.
bool check_normals(const Face& face, const VertexPool& pool, const ValidationTolerances& tolerances,
                   int face_index, std::vector<LocalFinding>& findings);

}  // namespace strata::spatial::validation
