#pragma once
// Writes city objects as CityJSON 2.0: integer vertices with a "transform" (millimetres by
// default), shared and de-duplicated; Solid, MultiSolid, CompositeSolid, MultiSurface and
// CompositeSurface geometries with their semantic surfaces; attributes as stored. The file
// is written to a temporary name and renamed, so a failure never leaves half a file.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/core/city_object.h"

namespace strata::io {

struct CityJsonWriteOptions {
  std::optional<std::string> crs;  // "EPSG:28992" -> metadata.referenceSystem
  double scale = 0.001;            // coordinate resolution (m)
  std::string title;               // metadata.title, when set
};

// The shared, de-duplicated integer vertices of one CityJSON document (or of one CityJSONSeq
// feature, which has its own list under the header's transform).
class CityJsonVertices {
 public:
  CityJsonVertices(std::array<double, 3> origin, double scale) : origin_(origin), scale_(scale) {}
  std::int64_t index(const Point3& p);
  nlohmann::json to_json() const;
  nlohmann::json transform_json() const;
  void clear();
  bool empty() const { return vertices_.empty(); }

 private:
  std::array<double, 3> origin_;
  double scale_;
  std::map<std::array<std::int64_t, 3>, std::int64_t> index_;
  std::vector<std::array<std::int64_t, 3>> vertices_;
};

// One geometry object (boundaries as vertex indices, semantics when every surface has one).
nlohmann::json cityjson_geometry(const CityGeometry& g, CityJsonVertices& vertices);
nlohmann::json cityjson_multilinestring(const std::vector<std::vector<Point3>>& lines,
                                        const std::string& lod, CityJsonVertices& vertices);
// "EPSG:3826" -> "https://www.opengis.net/def/crs/EPSG/0/3826"; other text unchanged.
std::string cityjson_crs_uri(const std::string& crs);
// The transform's translation: the lower corner rounded down to the resolution.
std::array<double, 3> cityjson_origin(const std::array<double, 3>& lower, double scale);

void write_cityjson(const std::string& path, const std::vector<CityObject>& objects,
                    const CityJsonWriteOptions& options);

}  // namespace strata::io
