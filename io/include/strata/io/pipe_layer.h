#pragma once
// Pipes from a GIS line layer (any format GDAL reads): a field mapping for the attributes
// engineers ask about, and the rules file for what the data lacks (docs/pipes.md).
#include <functional>
#include <optional>
#include <string>

#include "strata/io/network_inp.h"
#include "strata/io/pipe_rules.h"

namespace strata::io {

// Where a layer's pipes lie vertically (docs/pipes.md, "GIS pipe layers").
enum class PipeHeightSource {
  kCover,         // a cover-depth field (ground to the top of the pipe), else the rules
  kAxisZ,         // the lines' z: the pipe's axis, as elevations
  kInvertZ,       // the lines' z: the pipe's bottom (invert), as elevations
  kInvertFields,  // invert elevations at the start and the end, in two fields
};

// The ground's elevation at (x, y) in the layer's CRS, or nothing where it is unknown.
using GroundAt = std::function<std::optional<double>(double x, double y)>;

struct PipeLayerOptions {
  std::string path, layer;
  // Source fields; empty = not in the data.
  std::string id_field, utility_field, diameter_field, depth_field, material_field, owner_field,
      year_field, invert_start_field, invert_end_field;
  PipeHeightSource heights = PipeHeightSource::kCover;
  // A terrain: cover depths become elevations below it, and pipes in elevations get their
  // cover. Without one, cover depths are below a flat ground at z = 0.
  GroundAt ground;
  // For plan analyses (parcels, isolation): a missing depth or diameter is left unknown (0)
  // instead of taken from the rules or rejected.
  bool plan_only = false;
  std::optional<Utility> utility;  // of every pipe, when there is no utility field
  double diameter_unit_m = 1.0;    // the diameter field's unit in metres (0.001 for mm)
};

// Each line part becomes a pipe ("<id>#<k>" when a feature has several). Its height, by
// `heights`: with cover depths the pipe lies `depth` (ground to its top) below the terrain, or
// below z = 0 without one, so its axis is at ground − depth − diameter / 2; with z values or
// invert fields its axis is where they put it (inverts + diameter / 2). Depth and diameter come
// from the mapped fields, else from the rules for its utility (then listed in `assumed`), else
// the pipe is rejected (921). Unknown utilities are 922, non-positive diameters 936, negative
// depths 937 (and pipes above the terrain a 937 warning), parts with fewer than two distinct
// points 934, lines without z where z is asked for 921. The layer must be in a projected CRS
// (x, y in metres or feet: the CRS is returned in `crs`).
struct PipeLayerRead {
  NetworkRead read;
  std::optional<std::string> crs;  // authority code or WKT label of the layer's CRS
  std::optional<double> crs_unit_m;
};
PipeLayerRead read_pipe_layer(const PipeLayerOptions& options, const PipeRules& rules);

}  // namespace strata::io
