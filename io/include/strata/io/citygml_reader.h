#pragma once
// Reads the buildings of CityGML 1.0 / 2.0 / 3.0 files (Building, BuildingPart with their LoD
// solids and surfaces, semantic boundary surfaces, xlink'ed polygons resolved), streaming with
// libxml2. Coordinates follow the srsName's official axis order in the file (EPSG:6697 is
// lat, lon, h) and are swapped to x = east, y = north; when the first point lies outside the
// CRS's area of use in that order but inside it in the other (east-first files in a north-first
// CRS, common with EPSG:31467), the other order is used and a warning says so. A srsName PROJ
// cannot resolve is refused (kCrsMissing) unless options.crs names the CRS. Non-finite,
// unparsable or implausible ordinates reject their object's geometry (an issue names the value).
// Files that declare XML entities are refused. IndoorGML and other XML are refused.
#include <functional>
#include <string>

#include "strata/core/city_object.h"
#include "strata/io/cityjson_reader.h"  // CityModelInfo

namespace strata::io {

CityModelInfo read_citygml(const std::string& path,
                           const std::function<void(CityObject&&)>& on_object,
                           const CityModelOptions& options = {});

// CityJSON or CityGML, by content.
CityModelInfo read_city_model(const std::string& path,
                              const std::function<void(CityObject&&)>& on_object,
                              const CityModelOptions& options = {});

}  // namespace strata::io
