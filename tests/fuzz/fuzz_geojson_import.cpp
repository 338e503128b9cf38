// Fuzz target: any bytes given as a GeoJSON layer either import (every feature imported,
// repaired or rejected with a code) or fail with StrataError; never a crash, a hang or another
// exception. Exercises GDAL's reader through strata's conversion, CRS check, validation and
// repair on malformed geometry (empty or one-point rings, NaN, huge coordinates, bad types),
// read as polygons, points and lines, and merged by a field (dissolve).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "fuzz_input_file.h"
#include "strata/core/error.h"
#include "strata/io/layer_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = strata::fuzz::write_input(data, size, ".geojson");
  static const strata::Crs project_crs = strata::Crs::from_user_input("EPSG:3826");
  // The same bytes as polygons, as points, as lines, and as polygons merged by a field.
  for (const char* kind : {"zoning", "point_feature", "line_feature", "district"}) {
    strata::io::LayerSpec spec;
    spec.name = "layer";
    spec.kind = kind;
    spec.path = path;
    if (spec.kind == "zoning") spec.fields = {{"zone_code", {"code"}}};
    if (spec.kind == "district") {
      spec.add_fields = {{"strata_fuzz_name", "x"}};
      spec.fields = {{"name", {"strata_fuzz_name"}}};
      spec.dissolve = "code";
    }
    try {
      auto result = strata::io::import_layer(spec, project_crs, {}, "fuzz.toml");
      const auto& p = result.provenance;
      if (p.features_imported + p.features_repaired + p.features_rejected != p.features_read)
        __builtin_trap();
    } catch (const strata::StrataError&) {
    }
  }
  return 0;
}
