#pragma once
// Reads CityJSON 1.0, 1.1 and 2.0 files (.city.json) and CityJSONSeq (.city.jsonl), applying
// the "transform" to the integer vertices. CityJSONSeq is streamed feature by feature, so
// memory stays bounded whatever the file size. Legacy versions (0.x) and files that are not
// CityJSON are refused with a message that says what they are.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/city_object.h"
#include "strata/core/feature_issue.h"

namespace strata::io {

struct CityModelInfo {
  std::string format = "CityJSON";  // or "CityGML"
  std::string version;              // "2.0"
  std::optional<std::string> crs;   // "EPSG:7415" from metadata.referenceSystem
  bool sequence = false;            // CityJSONSeq
  std::int64_t objects = 0;
  // Top-level city objects of types the reader does not model (CityGML roads, reliefs, ...),
  // by type: not read, and said so.
  std::map<std::string, std::int64_t> not_read;
  std::vector<FeatureIssue> issues;  // geometries dropped (bad indices, templates), with reasons
};

// How to read a city model where the file alone does not say.
struct CityModelOptions {
  // CRS of the coordinates, overriding the file's srsName (CityGML): needed when the srsName is
  // one PROJ cannot resolve. Coordinates are then read in this CRS's official axis order.
  std::optional<std::string> crs;
};

// Calls `on_object` for every city object, in file order. Throws StrataError(kInvalidInputFile)
// when the file is not CityJSON, is a legacy version, or is malformed as a whole.
CityModelInfo read_cityjson(const std::string& path,
                            const std::function<void(CityObject&&)>& on_object);

}  // namespace strata::io
