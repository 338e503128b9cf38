#pragma once
// Analysis findings as a GeoPackage layer of 3D points (pipe clashes, excavation hits, ...), for
// QGIS: one column per attribute, written through a temporary file renamed into place.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "strata/core/field_value.h"
#include "strata/core/kind_schema.h"

namespace strata::io {

struct PointRow {
  std::array<double, 3> xyz{};
  std::vector<FieldValue> values;  // one per column, in order; null where unknown
};

struct LineRow {
  std::vector<std::array<double, 3>> line;
  std::vector<FieldValue> values;
};

// Throws StrataError(kStoreError) naming the file when it cannot be written.
void write_points_gpkg(const std::string& path, const std::string& layer, const std::string& crs,
                       const std::vector<std::pair<std::string, FieldType>>& columns,
                       const std::vector<PointRow>& rows);

}  // namespace strata::io

namespace strata::io {

// Several finding layers (3D points or 3D lines) in one new GeoPackage, in one transaction.
struct FindingsLayer {
  std::string name;
  std::vector<std::pair<std::string, FieldType>> columns;
  std::vector<PointRow> points;  // a point layer when `lines` is empty
  std::vector<LineRow> lines;
  bool is_lines = false;
};
void write_findings_gpkg(const std::string& path, const std::string& crs,
                         const std::vector<FindingsLayer>& layers);

}  // namespace strata::io
