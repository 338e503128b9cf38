#pragma once
// LoD1 block models: a 2D footprint extruded between a base and a top height into a closed
// solid (bottom, top, one wall per footprint edge, holes included), faces oriented outwards.
#include <string>

#include "strata/core/city_object.h"
#include "strata/core/geometry.h"

namespace strata {

// One Solid per polygon of the footprint: a Solid for one polygon, a MultiSolid for several.
// Requires top > base and a valid footprint (checked by the caller).
CityGeometry extrude_footprint(const MultiPolygon2& footprint, double base, double top,
                               const std::string& lod = "1");

}  // namespace strata
