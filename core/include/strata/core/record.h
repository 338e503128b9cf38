#pragma once
// A model feature as ingested: its kind, stable id, where it came from, its canonical fields
// (see kind_schema.h), the original attributes and its geometry in the project CRS.
#include <cstdint>
#include <map>
#include <string>

#include "strata/core/field_value.h"
#include "strata/core/geometry.h"

namespace strata {

// Where a feature came from: the dataset (file path as given), its layer and feature id.
struct SourceRef {
  std::string dataset;
  std::string layer;
  std::int64_t fid = -1;
};

struct Record {
  std::string kind;
  std::string id;
  SourceRef source;
  std::map<std::string, FieldValue> fields;  // canonical field -> value
  std::string attributes_json;               // every source attribute, verbatim, as JSON
  MultiPolygon2 geometry;                    // polygonal kinds
  MultiPoint2 points;                        // point kinds
  MultiLinestring2 lines;                    // line kinds
  double area_m2 = 0.0;   // polygons: computed from the geometry in the project CRS
  double length_m = 0.0;  // lines: computed in the project CRS
  bool repaired = false;

  const FieldValue& field(const std::string& name) const;
};

}  // namespace strata
