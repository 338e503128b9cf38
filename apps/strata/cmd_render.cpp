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

void add_map_look(CLI::App* cmd, std::vector<std::string>& outs, std::string& title, int& width,
                  int& height) {
  cmd->add_option("--out,-o", outs, "image to write: .png or .svg (repeat for both)")->required();
  cmd->add_option("--title", title, "title above the map");
  cmd->add_option("--width", width, "width in pixels (default 1400)");
  cmd->add_option("--height", height, "height in pixels (default 1000)");
}

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
  map->add_option("--layer", m->layer, "layer of a multi-layer dataset");
  map->add_option("--field", m->field, "numeric field to map")->required();
  map->add_option("--label-field", m->label_field, "field drawn on each polygon (e.g. the name)");
  map->add_option("--id-field", m->id_field, "field identifying each feature in the JSON");
  map->add_option("--classes", m->method, "quantile (default), natural (Jenks), equal or fixed");
  map->add_option("-k,--class-count", m->classes, "number of classes, 1-9 (default 5)");
  map->add_option("--breaks", m->breaks, "inner class bounds for --classes fixed (e.g. 10,20,50)")
      ->delimiter(',');
  map->add_option("--palette", m->palette, "YlGn (default), Greens, Blues, OrRd, Purples, YlOrBr");
  map->add_option("--subtitle", m->subtitle, "line under the title");
  map->add_option("--legend-title", m->legend_title, "legend heading (default: the field)");
  add_map_look(map, m->outs, m->title, m->width, m->height);

  auto pa = std::make_shared<PipeMapArgs>();
  PipeMapOptions* p = &pa->options;
  CLI::App* pipes = render->add_subcommand(
      "pipes", "Map of pipe networks by utility with the findings of the pipe analyses");
  pa->networks.bind(pipes);
  bind_options(pipes, settings_option_schema(false), p->settings);
  pipes
      ->add_option("--findings", p->findings,
                   "findings GeoPackage of a pipe analysis (--gpkg output; repeatable)")
      ->check(CLI::ExistingFile);
  pipes->add_option("--areas", p->areas, "polygons drawn under the pipes: digs, survey areas")
      ->check(CLI::ExistingPath);
  pipes
      ->add_option("--context", p->context,
                   "polygons drawn grey under everything: building footprints, parcels")
      ->check(CLI::ExistingPath);
  pipes->add_option("--subtitle", p->subtitle, "line under the title");
  add_map_look(pipes, p->outs, p->title, p->width, p->height);

  auto sa = std::make_shared<SceneArgs>();
  SceneViewOptions* s = &sa->options;
  CLI::App* scene = render->add_subcommand(
      "scene", "3D view (PNG) of buildings, units and pipes, drawn by Open3D");
  scene->add_option("--model", s->model, "CityJSON model (e.g. of `units build`)")
      ->check(CLI::ExistingFile);
  scene->add_option("--store", s->store, "store or project: its 3D layers")
      ->check(CLI::ExistingPath);
  scene->add_option("--layers", s->layers, "store layers to draw (default: every 3D layer)");
  scene->add_option("--colour-by,--color-by", s->colour_by,
                    "baunit (default), validation, building, plain");
  scene->add_option("--depth-exaggeration", s->depth_exaggeration,
                    "draw depths below the ground this many times deeper (default 1)");
  scene->add_option("--findings", s->findings,
                    "report of `units build` (--report or --json): its 8xx findings mark units");
  scene->add_flag("--units-only", s->units_only, "draw only the buildings that have units");
  scene->add_option("--explode", s->explode, "gap opened between storeys, m (default 0)");
  scene->add_flag("--cutaway", s->cutaway, "underground view: the ground as a see-through grid");
  scene->add_flag("--clip-pipes", s->clip_pipes,
                  "draw the pipes only within 20 m of the buildings (plan extent)");
  scene->add_flag(
      "--project-pipes", s->project_pipes,
      "draw the [pipes] networks of the project given as --store, cut to 20 m around the "
      "buildings");
  scene->add_option("--ground-z", s->ground_z,
                    "ground elevation (default: the lowest point of the buildings)");
  scene->add_option("--azimuth", s->azimuth, "camera bearing from the scene, degrees (225 = SW)");
  scene->add_option("--elevation", s->elevation, "camera height angle, degrees (negative: below)");
  scene->add_option("--zoom", s->zoom, "Open3D zoom (default 0.55; smaller is closer)");
  scene->add_option("--min-pipe-diameter", s->min_pipe, "thinner pipes drawn this thick, m");
  sa->networks.bind(scene, false);
  bind_options(scene, settings_option_schema(false), s->settings);
  scene->add_option("--out,-o", s->out, "PNG to write")->required();
  scene->add_option("--width", s->width, "width in pixels (default 1280)");
  scene->add_option("--height", s->height, "height in pixels (default 960)");

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
