// strata render map | pipes | scene: choropleths of an indicator, maps of pipe findings, and 3D
// views of buildings, units and pipes (docs/render.md).
#include "commands.h"
#include "option_binding.h"
#include "strata/engine/pipe_map_job.h"
#include "strata/engine/render_job.h"
#include "strata/engine/scene_job.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls
namespace {

// The networks are bound as a list of files with per-file options; the rest straight into the
// job's options.
struct PipeMapArgs {
  NetworkListBinding networks;
  PipeMapOptions options;
};
struct SceneArgs {
  NetworkListBinding networks;
  SceneViewOptions options;
};

}  // namespace

Runner add_render(CLI::App& app, const GlobalOptions& g) {
  CLI::App* render = app.add_subcommand("render", "Maps and 3D views (docs/render.md)");
  render->require_subcommand(1);

  auto m = std::make_shared<MapOptions>();
  CLI::App* map = render->add_subcommand(
      "map", "Choropleth of a numeric field (an indicator per district or village), PNG or SVG");
  map->add_option("source", m->source, "polygon layer: e.g. indicators.gpkg of a run")
      ->required()
      ->check(CLI::ExistingPath);
  bind_options(map, map_option_schema(), *m);

  auto pa = std::make_shared<PipeMapArgs>();
  CLI::App* pipes = render->add_subcommand(
      "pipes", "Map of pipe networks by utility with the findings of the pipe analyses");
  pa->networks.bind(pipes);
  bind_options(pipes, settings_option_schema(false), pa->options.settings);
  bind_options(pipes, pipe_map_option_schema(), pa->options);

  auto sa = std::make_shared<SceneArgs>();
  CLI::App* scene = render->add_subcommand(
      "scene", "3D view (PNG) of buildings, units and pipes, drawn by Open3D");
  sa->networks.bind(scene, false);
  bind_options(scene, settings_option_schema(false), sa->options.settings);
  bind_options(scene, scene_option_schema(), sa->options);

  return [m, pa, sa, map, pipes, scene, &g]() -> int {
    JobResult r;
    if (map->parsed()) {
      r = run_render_map(*m);
    } else if (pipes->parsed()) {
      pa->options.networks = pa->networks.resolve();
      r = run_render_pipes(pa->options);
    } else if (scene->parsed()) {
      // Without a display, the whole command runs again under xvfb-run (and never returns).
      reexec_under_xvfb_if_needed(sa->options.width, sa->options.height);
      sa->options.networks = sa->networks.resolve();
      r = run_render_scene(sa->options);
    } else {
      return kExitUsage;
    }
    emit(g, r.command, true, r.result, r.text);
    return kExitOk;
  };
}

}  // namespace strata::cli
