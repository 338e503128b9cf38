#pragma once
// `strata render pipes`: a map of pipe networks by utility with the findings of the pipe
// analyses, digs and context polygons (docs/render.md).
#include <string>
#include <vector>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"
#include "strata/engine/pipe_inputs.h"

namespace strata::engine {

struct PipeMapOptions {
  std::vector<NetworkOptions> networks;
  PipeSettings settings;
  std::vector<std::string> findings;  // findings GeoPackages of pipe analyses (--gpkg outputs)
  std::vector<std::string> areas;     // polygons drawn under the pipes: digs, survey areas
  std::vector<std::string> context;   // polygons drawn grey under everything
  std::vector<std::string> outs;      // .png / .svg files to write
  std::string title = "Pipes and findings", subtitle;
  int width = 1400, height = 1000;
};
// Its options but the networks and the settings (pipe_inputs.h).
const OptionSchema<PipeMapOptions>& pipe_map_option_schema();
JobResult run_render_pipes(const PipeMapOptions& options);

}  // namespace strata::engine
