#pragma once
// Reads the buildings of CityGML 1.0 / 2.0 / 3.0 files (Building, BuildingPart with their LoD
// solids and surfaces, semantic boundary surfaces, xlink'ed polygons resolved), streaming with
// libxml2. Coordinates follow the srsName's official axis order in the file (EPSG:6697 is
// lat, lon, h) and are swapped to x = east, y = north. IndoorGML and other XML are refused.
#include <functional>
#include <string>

#include "strata/core/city_object.h"
#include "strata/io/cityjson_reader.h"  // CityModelInfo

namespace strata::io {

CityModelInfo read_citygml(const std::string& path,
                           const std::function<void(CityObject&&)>& on_object);

// CityJSON or CityGML, by content.
CityModelInfo read_city_model(const std::string& path,
                              const std::function<void(CityObject&&)>& on_object);

}  // namespace strata::io
