#pragma once
// Pipes from a GIS line layer (any format GDAL reads): a field mapping for the attributes
// engineers ask about, and the rules file for what the data lacks (docs/pipes.md).
#include <optional>
#include <string>

#include "strata/io/network_inp.h"
#include "strata/io/pipe_rules.h"

namespace strata::io {

struct PipeLayerOptions {
  std::string path, layer;
  // Source fields; empty = not in the data.
  std::string id_field, utility_field, diameter_field, depth_field, material_field, owner_field,
      year_field;
  std::optional<Utility> utility;  // of every pipe, when there is no utility field
  double diameter_unit_m = 1.0;    // the diameter field's unit in metres (0.001 for mm)
};

// Each line part becomes a pipe ("<id>#<k>" when a feature has several). Its height: the pipe
// lies `depth` (cover: ground to its top) below the ground, taken as z = 0 until a terrain is
// given, so its axis is at z = −(depth + diameter / 2). Depth and diameter come from the mapped
// fields, else from the rules for its utility (then listed in `assumed`), else the pipe is
// rejected (921). Unknown utilities are 922, non-positive diameters 936, parts with fewer than
// two distinct points 934. The layer must be in a projected CRS (x, y in metres or feet: the
// CRS is returned in `crs`).
struct PipeLayerRead {
  NetworkRead read;
  std::optional<std::string> crs;  // authority code or WKT label of the layer's CRS
  std::optional<double> crs_unit_m;
};
PipeLayerRead read_pipe_layer(const PipeLayerOptions& options, const PipeRules& rules);

}  // namespace strata::io
