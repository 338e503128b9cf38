// strata render scene: a 3D view of buildings, storeys, units and pipes, drawn by the Open3D
// module (docs/render.md).
#include "strata/engine/scene_job.h"

#include "strata/engine/render_job.h"

#include <boost/geometry/algorithms/intersects.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "strata/engine/project_pipes.h"
#include "strata/engine/store_access.h"
#include "strata/io/cityjson_reader.h"
#include "strata/io/project_file.h"
#include "strata/render/scene_builder.h"

namespace strata::engine {
namespace {

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

}  // namespace

JobResult run_render_scene(const SceneViewOptions& a) {
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
    in = load_pipe_inputs(a.networks, a.settings, false);
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
  return JobResult("render scene", std::move(result), text.str());
}

const OptionSchema<SceneViewOptions>& scene_option_schema() {
  using S = SceneViewOptions;
  static const OptionSchema<S> schema = {
      option<S>(
          "model", "CityJSON model (e.g. of `units build`)", [](S & s) -> auto& { return s.model; },
          OptionCheck::kExistingFile),
      option<S>(
          "store", "store or project: its 3D layers", [](S & s) -> auto& { return s.store; },
          OptionCheck::kExistingPath),
      option<S>(
          "layers", "store layers to draw (default: every 3D layer)",
          [](S & s) -> auto& { return s.layers; }),
      also(option<S>(
               "colour-by", "baunit, validation, building or plain",
               [](S & s) -> auto& { return s.colour_by; }),
           {"--color-by"}),
      option<S>(
          "depth-exaggeration", "draw depths below the ground this many times deeper",
          [](S & s) -> auto& { return s.depth_exaggeration; }, OptionCheck::kPositive),
      option<S>(
          "findings", "report of `units build` (--report or --json): its 8xx findings mark units",
          [](S & s) -> auto& { return s.findings; }),
      option<S>(
          "units-only", "draw only the buildings that have units",
          [](S & s) -> auto& { return s.units_only; }),
      option<S>(
          "explode", "gap opened between storeys, m", [](S & s) -> auto& { return s.explode; },
          OptionCheck::kNonNegative),
      option<S>(
          "cutaway", "underground view: the ground as a see-through grid",
          [](S & s) -> auto& { return s.cutaway; }),
      option<S>(
          "clip-pipes", "draw the pipes only within 20 m of the buildings (plan extent)",
          [](S & s) -> auto& { return s.clip_pipes; }),
      option<S>(
          "project-pipes",
          "draw the [pipes] networks of the project given as --store, cut to 20 m around the "
          "buildings",
          [](S & s) -> auto& { return s.project_pipes; }),
      option<S>(
          "ground-z", "ground elevation (default: the lowest point of the buildings)",
          [](S & s) -> auto& { return s.ground_z; }),
      option<S>(
          "azimuth", "camera bearing from the scene, degrees (225 = SW)",
          [](S & s) -> auto& { return s.azimuth; }),
      option<S>(
          "elevation", "camera height angle, degrees (negative: below)",
          [](S & s) -> auto& { return s.elevation; }),
      option<S>(
          "zoom", "Open3D zoom (smaller is closer)", [](S & s) -> auto& { return s.zoom; },
          OptionCheck::kPositive),
      option<S>(
          "min-pipe-diameter", "thinner pipes drawn this thick, m",
          [](S & s) -> auto& { return s.min_pipe; }, OptionCheck::kNonNegative),
      also(required(option<S>(
               "out", "PNG to write", [](S & s) -> auto& { return s.out; })),
           {"-o"}),
      image_width_option<S>(),
      image_height_option<S>()};
  return schema;
}

}  // namespace strata::engine
