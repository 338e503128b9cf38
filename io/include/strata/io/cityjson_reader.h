#pragma once
// Reads CityJSON 1.0, 1.1 and 2.0 files (.city.json) and CityJSONSeq (.city.jsonl), applying
// the "transform" to the integer vertices. CityJSONSeq is streamed feature by feature, so
// memory stays bounded whatever the file size. Legacy versions (0.x) and files that are not
// CityJSON are refused with a message that says what they are.
#include <functional>
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
  std::vector<FeatureIssue> issues;  // geometries dropped (bad indices, templates), with reasons
};

// Calls `on_object` for every city object, in file order. Throws StrataError(kInvalidInputFile)
// when the file is not CityJSON, is a legacy version, or is malformed as a whole.
CityModelInfo read_cityjson(const std::string& path,
                            const std::function<void(CityObject&&)>& on_object);

}  // namespace strata::io
