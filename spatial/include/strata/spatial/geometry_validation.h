#pragma once
// Geometric validation of 3D primitives with val3dity's error codes (ISO 19107 rules as
// val3dity applies them): 1xx rings, 2xx polygons, 3xx shells, 4xx solids, 5xx multi- and
// composite solids. Validation is hierarchical: a shell is only checked once its polygons are
// valid, a solid once its shells are, and so on. See docs/validation.md.
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/validation_finding.h"

namespace strata::spatial {

struct ValidationTolerances {
  double snap = 0.001;            // points closer than this are the same vertex
  double planarity_d2p = 0.01;    // max distance of a vertex to its polygon's fitted plane
  double planarity_n_deg = 20.0;  // max angle between the triangles of a polygon
  double overlap = 0.0;           // solids may overlap by this depth (5xx, 601, units)
};

// Validates every solid / shell / surface of `geometry`. Findings carry the element path
// (solid, shell, face, ring) but not the object id or geometry index; the caller sets those.
std::vector<ValidationFinding> validate_geometry(const CityGeometry& geometry,
                                                 const ValidationTolerances& tolerances);

}  // namespace strata::spatial
