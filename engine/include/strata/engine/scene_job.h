#pragma once
// `strata render scene`: a 3D view (PNG) of buildings, storeys, units and pipes, drawn by the
// Open3D module in this process (docs/render.md). A project run and Python draw it in a child
// process instead (render_job.h: render_scene_in_child), which runs this job.
#include <optional>
#include <string>
#include <vector>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"
#include "strata/engine/pipe_inputs.h"

namespace strata::engine {

struct SceneViewOptions {
  std::string model;                 // a CityJSON model (of `units build`), or
  std::string store;                 // a store or project: its 3D layers
  std::vector<std::string> layers;   // store layers to draw (empty: every 3D layer)
  std::string colour_by = "baunit";  // baunit, validation, building, plain
  std::string findings;              // a `units build` report: its 8xx findings mark units
  std::string out;                   // the PNG to write
  std::vector<NetworkOptions> networks;
  PipeSettings settings;
  double explode = 0, depth_exaggeration = 1, azimuth = 225, elevation = 35, zoom = 0.55,
         min_pipe = 0.2;
  std::optional<double> ground_z;
  bool cutaway = false, project_pipes = false, clip_pipes = false, units_only = false;
  int width = 1280, height = 960;
};
// Its options but the networks and the settings (pipe_inputs.h).
const OptionSchema<SceneViewOptions>& scene_option_schema();
JobResult run_render_scene(const SceneViewOptions& options);

}  // namespace strata::engine
