#pragma once
// Where a layer's data came from, recorded with every import and every result.
#include <cstdint>
#include <string>

namespace strata {

struct Provenance {
  std::string layer;  // project layer name
  std::string kind;
  std::string dataset;       // path as given in the project file
  std::string source_layer;  // layer inside the dataset
  std::string source_crs;    // as declared (or overridden)
  std::string crs_origin;    // "declared", "override" or "default (GeoJSON RFC 7946)"
  std::string sha256;        // of the source file, to tell later whether it changed
  std::string vintage;       // reference date of the content, e.g. "2013-03"
  std::string source_note;   // publisher / licence as given in the project file
  std::string join_table;    // table joined to the features (population, ...), if any
  std::string join_vintage;  // its vintage, e.g. "2013-03"
  std::string join_source;   // its publisher / licence
  std::string imported_at;   // UTC ISO 8601
  std::int64_t features_read = 0;
  std::int64_t features_imported = 0;
  std::int64_t features_repaired = 0;
  std::int64_t features_rejected = 0;
};

}  // namespace strata
