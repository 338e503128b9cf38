#pragma once
// Building footprints with their ground height and height, read from any OGR source: the
// input of LoD1 blocks (`buildings extrude`) and of unit volumes (`units build/generate`).
// Every feature is kept or rejected with its reason.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/crs.h"
#include "strata/core/feature_issue.h"
#include "strata/core/geometry.h"

namespace strata::io {

struct FootprintOptions {
  std::string path, layer, id_field;
  // Height above the base: a field, storeys x storey_height, or a constant (> 0).
  std::string height_field, storeys_field;
  double height = 0, storey_height = 3.0;
  // Base: a field, the lowest terrain height under the footprint, or 0.
  std::string base_field, terrain;
  std::string crs;  // when the file declares none
};

struct Footprint {
  std::string id;
  std::int64_t fid = -1;
  MultiPolygon2 polygons;
  double base = 0, height = 0;
  std::string height_source, base_source;
  std::string attributes_json;  // the source attributes, as a JSON object
};

struct FootprintSet {
  std::optional<Crs> crs;  // always set on return
  std::int64_t read = 0;
  std::vector<Footprint> footprints;
  std::vector<FeatureIssue> rejected;
};

// Throws StrataError: 903 without any height option, 910/911 for a missing or geographic CRS
// or a terrain raster in another CRS, 920 for a missing field, 901 for unreadable files.
FootprintSet read_footprints(const FootprintOptions& options);

}  // namespace strata::io
