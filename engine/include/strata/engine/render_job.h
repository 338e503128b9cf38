#pragma once
// What `strata render` and the report of `strata run` share: drawing a choropleth or pipe map
// to one or more files with the result as JSON, and drawing a 3D view in a child process under
// a display (starting Xvfb when there is none).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"
#include "strata/render/choropleth.h"
#include "strata/render/pipe_map.h"

namespace strata::engine {

// Options every drawn image shares (maps, pipe maps, 3D views), for any options struct with
// these members: one definition of their names, help and checks.
template <class T>
OptionSpec<T> image_width_option() {
  return option<T>(
      "width", "width in pixels", [](T & t) -> auto& { return t.width; }, OptionCheck::kPositive);
}
template <class T>
OptionSpec<T> image_height_option() {
  return option<T>(
      "height", "height in pixels", [](T & t) -> auto& { return t.height; },
      OptionCheck::kPositive);
}
template <class T>
OptionSpec<T> map_title_option() {
  return option<T>(
      "title", "title above the map", [](T & t) -> auto& { return t.title; });
}
template <class T>
OptionSpec<T> map_subtitle_option() {
  return option<T>(
      "subtitle", "line under the title", [](T & t) -> auto& { return t.subtitle; });
}
template <class T>
OptionSpec<T> map_outs_option() {
  return also(required(option<T>(
                  "out", "image to write: .png or .svg (repeat for both)",
                  [](T & t) -> auto& { return t.outs; })),
              {"-o"});
}

// `strata render map`: a choropleth of one numeric field of a polygon layer.
struct MapOptions {
  std::string source, layer, field, label_field, id_field, title, subtitle, legend_title;
  std::string method = "quantile", palette = "YlGn";
  int classes = 5, width = 1400, height = 1000;
  std::vector<double> breaks;     // inner class bounds for method "fixed"
  std::vector<std::string> outs;  // .png / .svg files to write
};
// Its options but the source (given first): the command's flags, Python's keywords.
const OptionSchema<MapOptions>& map_option_schema();
JobResult run_render_map(const MapOptions& options);

// Draws `map` into each of `outs` (.png / .svg); the JSON lists every file with its size.
nlohmann::json draw_map_files(const render::MapDocument& map, const std::vector<std::string>& outs,
                              int width, int height);

// The choropleth's classes and features as JSON (colours, bounds, counts).
nlohmann::json choropleth_json(const render::Choropleth& c);

// Runs `strata render scene ARGS --json -q` as a child process (so that a crash or a hang of the
// OpenGL stack cannot take the run down) and returns its JSON document ("ok", "result" or
// "error"; a child that crashed, hung or printed no document gives error 985 with the last line
// it wrote on stderr).
// A child that does not finish within `timeout_s` is killed (985).
nlohmann::json render_scene_in_child(const std::vector<std::string>& args, int timeout_s = 600);

// The `strata` binary that draws 3D views as that child: by default this very program
// (/proc/self/exe), which is right for the command line; a client that is not the `strata`
// binary (the Python module) names it here.
void set_renderer_program(const std::string& program);

// When there is no X display and xvfb-run is installed, runs this same command line again under
// `xvfb-run -a` and never returns; otherwise returns (and the renderer reports 985).
void reexec_under_xvfb_if_needed(int width, int height);

}  // namespace strata::engine
