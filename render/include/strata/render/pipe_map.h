#pragma once
// A map of pipe networks and what the analyses found: pipes coloured by utility (APWA code),
// finding points (clashes, clearance violations, excavation hits, ...) and areas (digs, survey
// areas) from the analyses' GeoPackages.
#include <map>
#include <string>
#include <vector>

#include "strata/core/pipe.h"
#include "strata/render/map_document.h"

namespace strata::render {

struct PipeMapSpec {
  std::string title, subtitle;
  std::vector<std::string> notes;
  std::vector<const PipeNetwork*> networks;
  std::vector<std::string> findings;  // GeoPackages of findings (every point/line layer)
  std::vector<std::string> areas;     // polygon datasets drawn under the pipes (digs, survey)
  std::vector<std::string> context;   // polygons drawn grey under everything (buildings, parcels)
  std::optional<double> metres_per_unit = 1.0;
};

struct PipeMap {
  MapDocument map;
  std::map<std::string, int> pipes_by_utility;
  std::map<std::string, int> findings_by_kind;  // "clash", "clearance", or the layer's name
  int areas = 0, context = 0;
};

// Throws StrataError(901) naming a findings or area file that cannot be read.
PipeMap build_pipe_map(const PipeMapSpec& spec);

}  // namespace strata::render
