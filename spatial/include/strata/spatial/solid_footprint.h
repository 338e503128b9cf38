#pragma once
// The footprint of a building given as a solid (CityJSON, CityGML, ...): the projection of its
// ground surfaces (semantics GroundSurface), or, without semantics, of its faces that look
// down (which cover the footprint for a closed solid), and its lowest point (its basement's
// floor when it has one).
#include <optional>

#include "strata/core/city_object.h"
#include "strata/core/geometry.h"

namespace strata::spatial {

struct SolidFootprint {
  MultiPolygon2 outline;  // polygons may overlap (overhangs): consumers union them
  double lowest_z = 0;
  bool from_ground_surfaces = false;  // else from down-facing faces
};

// Nothing when the object has no surface (no geometry, or only lines).
std::optional<SolidFootprint> footprint_of(const CityObject& object);

}  // namespace strata::spatial
