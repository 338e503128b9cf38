// strata render map | pipes | scene: choropleths of an indicator, maps of pipe findings, and 3D
// views of buildings, units and pipes (docs/render.md).
#include <boost/geometry.hpp>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "option_binding.h"
#include "strata/engine/pipe_inputs.h"
#include "strata/engine/project_pipes.h"
#include "strata/engine/render_job.h"
#include "strata/engine/store_access.h"
#include "strata/io/cityjson_reader.h"
#include "strata/render/scene_builder.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls
namespace {

struct PipeMapArgs {
  NetworkListBinding networks;
  PipeSettings settings;
  std::vector<std::string> findings, areas, context, outs;
  std::string title = "Pipes and findings", subtitle;
  int width = 1400, height = 1000;
};

int run_pipe_map(const GlobalOptions& g, const PipeMapArgs& a) {
  const PipeInputs in = load_pipe_inputs(a.networks.resolve(), a.settings, true);
  render::PipeMapSpec spec;
  spec.title = a.title;
  spec.subtitle = a.subtitle;
  for (const auto& n : in.networks) spec.networks.push_back(&n.network);
  spec.findings = a.findings;
  spec.areas = a.areas;
  spec.context = a.context;
  spec.metres_per_unit = in.unit_m;
  if (in.crs) spec.notes.push_back("CRS: " + *in.crs + ". Pipes coloured by utility (APWA).");
  const auto m = render::build_pipe_map(spec);
  nlohmann::json result = {{"pipes_by_utility", m.pipes_by_utility},
                           {"context_polygons", m.context},
                           {"findings_by_kind", m.findings_by_kind},
                           {"areas", m.areas},
                           {"files", draw_map_files(m.map, a.outs, a.width, a.height)}};
  std::ostringstream text;
  for (const auto& [u, n] : m.pipes_by_utility) text << "  " << u << " pipes: " << n << "\n";
  for (const auto& [k, n] : m.findings_by_kind) text << "  " << k << ": " << n << "\n";
  for (const auto& f : result["files"]) text << "wrote " << f["path"].get<std::string>() << "\n";
  emit(g, "render pipes", true, result, text.str());
  return kExitOk;
}

struct SceneArgs {
  std::string model, store, colour_by = "baunit", findings, out;
  std::vector<std::string> layers;
  NetworkListBinding networks;
  PipeSettings settings;
  double explode = 0, depth_exaggeration = 1, azimuth = 225, elevation = 35, zoom = 0.55,
         min_pipe = 0.2;
  std::optional<double> ground_z;
  bool cutaway = false, project_pipes = false, clip_pipes = false, units_only = false;
  int width = 1280, height = 960;
};

// The 8xx findings of a `units build --report` (or --json) document, by object id.
std::map<std::string, std::vector<std::string>> read_findings(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw StrataError(ErrorCode::kInvalidInputFile, path + ": cannot be read");
  auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded()) throw StrataError(ErrorCode::kInvalidInputFile, path + ": is not JSON");
  if (doc.contains("result")) doc = doc["result"];
  if (!doc.contains("findings") || !doc["findings"].is_array())
    throw StrataError(ErrorCode::kInvalidInputFile,
                      path + ": has no 'findings' list (a report of `strata units build`)");
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& f : doc["findings"]) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_string()) continue;
    // `units build` names the BAUnit (building number) or party of a finding in "id".
    const std::string id = f["id"].get<std::string>();
    const int code = f.contains("code") && f["code"].is_number_integer() ? f["code"].get<int>() : 0;
    if (!id.empty()) out[id].push_back(std::to_string(code));
  }
  return out;
}

// Copies of the networks holding only the links with a vertex within `margin` of the objects'
// plan extent (all of them when there are no objects).
std::vector<PipeNetwork> pipes_near(const std::vector<CityObject>& objects,
                                    const std::vector<ProjectNetwork>& networks, double margin) {
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (const auto& o : objects)
    for (const auto& g : o.geometries)
      for (const auto& solid : g.solids)
        for (const auto& shell : solid)
          for (const auto& face : shell)
            for (const auto& ring : face)
              for (const auto& p : ring) {
                x0 = std::min(x0, p[0]);
                y0 = std::min(y0, p[1]);
                x1 = std::max(x1, p[0]);
                y1 = std::max(y1, p[1]);
              }
  std::vector<PipeNetwork> out;
  const Box2 around(Point2(x0 - margin, y0 - margin), Point2(x1 + margin, y1 + margin));
  for (const auto& n : networks) {
    PipeNetwork copy = n.network;
    if (x0 <= x1)
      std::erase_if(copy.links, [&](const PipeLink& l) {
        Linestring2 line;
        for (const auto& p : l.centreline) line.emplace_back(p[0], p[1]);
        return !boost::geometry::intersects(line, around);
      });
    if (!copy.links.empty()) out.push_back(std::move(copy));
  }
  return out;
}

int run_scene(const GlobalOptions& g, const SceneArgs& a) {
  reexec_under_xvfb_if_needed(a.width, a.height);
  if (a.model.empty() == a.store.empty())
    throw StrataError(ErrorCode::kWrongInputParameters, "give --model or --store (one of them)");
  auto colouring = render::parse_scene_colouring(a.colour_by);
  if (!colouring)
    throw StrataError(
        ErrorCode::kWrongInputParameters,
        "--colour-by '" + a.colour_by + "': use baunit, validation, building or plain");
  std::vector<CityObject> objects;
  if (!a.model.empty()) {
    io::read_cityjson(a.model, [&](CityObject&& o) { objects.push_back(std::move(o)); });
  } else {
    auto store = open_store_arg(a.store);
    std::vector<std::string> layers = a.layers;
    if (layers.empty())
      for (const auto& l : store->layers())
        if (l.provenance.kind == "building_3d" || l.provenance.kind == "building_storey" ||
            l.provenance.kind == "legal_space")
          layers.push_back(l.provenance.layer);
    for (const auto& layer : layers)
      store->for_each_volume(layer, [&](const CityObject& o) {
        objects.push_back(o);
        return true;
      });
  }
  render::SceneOptions options;
  options.colour_by = *colouring;
  options.explode_m = a.explode;
  options.units_only = a.units_only;
  options.ground_z = a.ground_z;
  options.ground_grid = a.cutaway;
  options.min_pipe_diameter_m = a.min_pipe;
  options.depth_exaggeration = a.depth_exaggeration;
  if (a.project_pipes || a.clip_pipes) options.clip_pipes_m = 20.0;
  options.camera = {a.azimuth, a.elevation, a.zoom};
  if (!a.findings.empty()) options.findings = read_findings(a.findings);
  std::optional<PipeInputs> in;
  std::vector<const PipeNetwork*> networks;
  if (!a.networks.empty()) {
    in = load_pipe_inputs(a.networks.resolve(), a.settings, false);
    for (const auto& n : in->networks) networks.push_back(&n.network);
  }
  // The project's own networks, cut to the pipes near the buildings: a city's network around
  // one block would shrink the block to a dot.
  std::vector<ProjectNetwork> project_networks;
  std::vector<PipeNetwork> near;
  if (a.project_pipes) {
    if (!is_project_file(a.store))
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--project-pipes needs --store PROJECT.toml");
    project_networks = load_project_networks(io::load_project(a.store));
    // The same 20 m as the clip below: a view whose pipes all lie farther away has none
    // (`pipes`: 0 in the result), which `strata run` takes as "no underground view".
    near = pipes_near(objects, project_networks, 20.0);
    for (const auto& n : near) networks.push_back(&n);
  }
  if (objects.empty() && networks.empty())
    throw StrataError(ErrorCode::kWrongInputParameters,
                      (a.model.empty() ? a.store : a.model) +
                          ": nothing to draw (no buildings, storeys or units, and no pipes)");
  const auto summary = render::build_scene(objects, networks, options);
  const auto r = render::render_scene(summary.scene, a.out, a.width, a.height);
  nlohmann::json legend = nlohmann::json::array();
  for (const auto& e : summary.legend)
    legend.push_back({{"label", e.label}, {"colour", e.colour.css()}});
  nlohmann::json result = {
      {"out", a.out},
      {"width", r.width},
      {"height", r.height},
      {"buildings", summary.buildings},
      {"units", summary.units},
      {"storeys", summary.storeys},
      {"baunits", summary.baunits},
      {"pipes", summary.pipes},
      {"units_by_status", summary.units_by_status},
      {"ground_z", summary.ground_z ? nlohmann::json(*summary.ground_z) : nullptr},
      {"pipes_z_min", summary.pipes_z_min ? nlohmann::json(*summary.pipes_z_min) : nullptr},
      {"pipes_z_max", summary.pipes_z_max ? nlohmann::json(*summary.pipes_z_max) : nullptr},
      {"triangles", r.triangles},
      {"line_segments", r.line_segments},
      {"coverage", r.coverage},
      {"legend", legend}};
  std::ostringstream text;
  text << a.out << ": " << summary.buildings << " buildings, " << summary.units << " units ("
       << summary.baunits << " BAUnits), " << summary.pipes << " pipes; " << r.triangles
       << " triangles, " << static_cast<int>(r.coverage * 100 + 0.5) << " % of the image drawn\n";
  emit(g, "render scene", true, result, text.str());
  return kExitOk;
}

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

  auto p = std::make_shared<PipeMapArgs>();
  CLI::App* pipes = render->add_subcommand(
      "pipes", "Map of pipe networks by utility with the findings of the pipe analyses");
  p->networks.bind(pipes);
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

  auto s = std::make_shared<SceneArgs>();
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
  s->networks.bind(scene, false);
  bind_options(scene, settings_option_schema(false), s->settings);
  scene->add_option("--out,-o", s->out, "PNG to write")->required();
  scene->add_option("--width", s->width, "width in pixels (default 1280)");
  scene->add_option("--height", s->height, "height in pixels (default 960)");

  return [m, p, s, map, pipes, scene, &g]() -> int {
    if (map->parsed()) {
      const JobResult r = run_render_map(*m);
      emit(g, r.command, true, r.result, r.text);
      return kExitOk;
    }
    if (pipes->parsed()) return run_pipe_map(g, *p);
    if (scene->parsed()) return run_scene(g, *s);
    return kExitUsage;
  };
}

}  // namespace strata::cli
