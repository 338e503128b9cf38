#pragma once
// Writes city objects as CityJSON 2.0: integer vertices with a "transform" (millimetres by
// default), shared and de-duplicated; Solid, MultiSolid, CompositeSolid, MultiSurface and
// CompositeSurface geometries with their semantic surfaces; attributes as stored. The file
// is written to a temporary name and renamed, so a failure never leaves half a file.
#include <optional>
#include <string>
#include <vector>

#include "strata/core/city_object.h"

namespace strata::io {

struct CityJsonWriteOptions {
  std::optional<std::string> crs;  // "EPSG:28992" -> metadata.referenceSystem
  double scale = 0.001;            // coordinate resolution (m)
  std::string title;               // metadata.title, when set
};

void write_cityjson(const std::string& path, const std::vector<CityObject>& objects,
                    const CityJsonWriteOptions& options);

}  // namespace strata::io
