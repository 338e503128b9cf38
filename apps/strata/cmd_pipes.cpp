// strata pipes inspect FILE: what a network file holds, read as the pipe analyses will read it
// (nodes, links, diameters, declared and drawn lengths, inverts and cover), with every element
// that could not be read reported (docs/pipes.md).
#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>

#include "commands.h"
#include "strata/core/crs.h"
#include "strata/io/json_report.h"
#include "strata/io/network_inp.h"
#include "strata/io/pipe_layer.h"
#include "strata/io/pipe_rules.h"
#include "strata/io/points_gpkg.h"
#include "strata/spatial/pipe_clearance.h"

namespace strata::cli {
namespace {

struct PipesArgs {
  std::string file;
  std::string crs;
  bool links = false;
};

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

int run_inspect(const GlobalOptions& g, const PipesArgs& a) {
  io::NetworkRead read = io::read_network_inp(a.file);
  const PipeNetwork& net = read.network;
  // Drawn lengths are in the coordinates' unit; with --crs they are given in metres too.
  std::optional<double> unit_m;
  std::string crs_label;
  if (!a.crs.empty()) {
    const Crs crs = Crs::from_user_input(a.crs);
    crs_label = crs.label();
    unit_m = crs.linear_unit_m();
    if (!unit_m)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "--crs " + a.crs + " is not a projected CRS with a linear unit");
  }
  std::map<std::string, std::int64_t> nodes_by_type, links_by_type;
  for (const auto& n : net.nodes) ++nodes_by_type[n.type];
  double declared = 0, drawn = 0, drawn_3d_m = 0;
  std::int64_t with_diameter = 0, with_inverts = 0, with_cover = 0;
  double dmin = 0, dmax = 0;
  nlohmann::json links = nlohmann::json::array();
  for (const auto& l : net.links) {
    ++links_by_type[l.type];
    declared += l.declared_length_m.value_or(0);
    const double planar = planar_length(l.centreline);
    drawn += planar;
    if (unit_m) {
      // Heights are in metres already: scale x and y only.
      std::vector<PipePoint> metres = l.centreline;
      for (auto& p : metres) p = {p[0] * *unit_m, p[1] * *unit_m, p[2]};
      drawn_3d_m += length_3d(metres);
    }
    if (l.diameter_m > 0) {
      dmin = with_diameter ? std::min(dmin, l.diameter_m) : l.diameter_m;
      dmax = with_diameter ? std::max(dmax, l.diameter_m) : l.diameter_m;
      ++with_diameter;
    }
    with_inverts += l.invert_start && l.invert_end;
    with_cover += l.cover_start && l.cover_end;
    if (a.links)
      links.push_back(
          {{"id", l.id},
           {"type", l.type},
           {"from", l.from_node},
           {"to", l.to_node},
           {"diameter_m", l.diameter_m > 0 ? nlohmann::json(l.diameter_m) : nullptr},
           {"shape", l.shape.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.shape)},
           {"declared_length_m", optional_json(l.declared_length_m)},
           {"drawn_length", planar},
           {"z_start", l.centreline.front()[2]},
           {"z_end", l.centreline.back()[2]},
           {"invert_start", optional_json(l.invert_start)},
           {"invert_end", optional_json(l.invert_end)},
           {"cover_start", optional_json(l.cover_start)},
           {"cover_end", optional_json(l.cover_end)},
           {"vertices", l.centreline.size()},
           {"source", l.source}});
  }
  std::map<int, std::int64_t> issues_by_code;
  nlohmann::json issues = nlohmann::json::array();
  std::int64_t rejected = 0;
  for (const auto& i : read.issues) {
    ++issues_by_code[static_cast<int>(i.code)];
    rejected += i.status == FeatureStatus::kRejected;
    issues.push_back(io::to_json(i));
  }
  nlohmann::json codes = nlohmann::json::object();
  for (const auto& [code, n] : issues_by_code)
    codes[std::to_string(code) + " " + std::string(error_name(static_cast<ErrorCode>(code)))] = n;
  nlohmann::json result = {
      {"file", a.file},
      {"format", net.format},
      {"units", net.units},
      {"crs", crs_label.empty() ? nlohmann::json(nullptr) : nlohmann::json(crs_label)},
      {"nodes", net.nodes.size()},
      {"nodes_by_type", nodes_by_type},
      {"links", net.links.size()},
      {"links_by_type", links_by_type},
      {"rejected", rejected},
      {"declared_length_m", declared},
      {"drawn_length", drawn},
      {"drawn_length_m", unit_m ? nlohmann::json(drawn * *unit_m) : nlohmann::json(nullptr)},
      {"drawn_length_3d_m", unit_m ? nlohmann::json(drawn_3d_m) : nlohmann::json(nullptr)},
      {"links_with_diameter", with_diameter},
      {"diameter_min_m", with_diameter ? nlohmann::json(dmin) : nlohmann::json(nullptr)},
      {"diameter_max_m", with_diameter ? nlohmann::json(dmax) : nlohmann::json(nullptr)},
      {"links_with_inverts", with_inverts},
      {"links_with_cover", with_cover},
      {"issues_by_code", codes},
      {"issues", issues}};
  if (a.links) result["link_list"] = links;
  std::ostringstream text;
  text << a.file << ": " << net.format << " network, " << net.units << "\n  " << net.nodes.size()
       << " nodes (";
  for (auto it = nodes_by_type.begin(); it != nodes_by_type.end(); ++it)
    text << (it == nodes_by_type.begin() ? "" : ", ") << it->second << " " << it->first;
  text << "), " << net.links.size() << " links (";
  for (auto it = links_by_type.begin(); it != links_by_type.end(); ++it)
    text << (it == links_by_type.begin() ? "" : ", ") << it->second << " " << it->first;
  text << ")\n  declared length " << declared << " m; drawn length " << drawn
       << (unit_m ? " (" + std::to_string(drawn * *unit_m) + " m)" : std::string(" (CRS units)"))
       << "\n";
  if (with_diameter) text << "  diameters " << dmin << " to " << dmax << " m\n";
  if (with_inverts) text << "  " << with_inverts << " links with invert levels\n";
  for (const auto& i : read.issues)
    text << "  " << status_name(i.status) << " " << static_cast<int>(i.code) << " "
         << error_name(i.code) << ": " << i.message << "\n";
  emit(g, "pipes inspect", true, result, text.str());
  return kExitOk;
}

// One network of `pipes clearance`: a .inp file or a GIS line layer with its field mapping.
struct NetworkArgs {
  std::string file, layer, utility, id_field, utility_field, diameter_field, depth_field;
  std::string diameter_unit = "m";
};

struct ClearanceArgs {
  NetworkArgs a, b;
  std::string rules, crs, gpkg;
  int threads = 0;
};

struct LoadedNetwork {
  PipeNetwork network;
  std::vector<FeatureIssue> issues;
  std::optional<std::string> crs;
  std::optional<double> unit_m;
};

LoadedNetwork load_network(const NetworkArgs& n, const io::PipeRules& rules) {
  LoadedNetwork out;
  std::optional<Utility> utility;
  if (!n.utility.empty()) {
    utility = parse_utility(n.utility);
    if (!utility)
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "unknown utility '" + n.utility +
                            "' (water, sewer, storm, gas, petroleum, power, telecom, heating, "
                            "other)");
  }
  const bool inp = n.file.size() > 4 && (n.file.substr(n.file.size() - 4) == ".inp" ||
                                         n.file.substr(n.file.size() - 4) == ".INP");
  if (inp) {
    io::NetworkRead read = io::read_network_inp(n.file);
    // EPANET models water networks, SWMM drainage (storm) ones, unless told otherwise.
    const Utility u =
        utility.value_or(read.network.format == "SWMM" ? Utility::kStorm : Utility::kWater);
    for (auto& l : read.network.links) l.utility = u;
    out.network = std::move(read.network);
    out.issues = std::move(read.issues);
    return out;
  }
  io::PipeLayerOptions o;
  o.path = n.file;
  o.layer = n.layer;
  o.id_field = n.id_field;
  o.utility_field = n.utility_field;
  o.diameter_field = n.diameter_field;
  o.depth_field = n.depth_field;
  o.utility = utility;
  if (n.diameter_unit == "m")
    o.diameter_unit_m = 1;
  else if (n.diameter_unit == "mm")
    o.diameter_unit_m = 0.001;
  else if (n.diameter_unit == "in")
    o.diameter_unit_m = 0.0254;
  else
    throw StrataError(ErrorCode::kWrongInputParameters,
                      "--diameter-unit must be m, mm or in, not '" + n.diameter_unit + "'");
  io::PipeLayerRead read = io::read_pipe_layer(o, rules);
  out.network = std::move(read.read.network);
  out.issues = std::move(read.read.issues);
  out.crs = read.crs;
  out.unit_m = read.crs_unit_m;
  return out;
}

nlohmann::json network_json(const std::string& file, const LoadedNetwork& n) {
  std::map<std::string, std::int64_t> assumed;
  for (const auto& l : n.network.links)
    for (const auto& what : l.assumed) ++assumed[what];
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& i : n.issues) issues.push_back(io::to_json(i));
  return {{"file", file},
          {"format", n.network.format},
          {"links", n.network.links.size()},
          {"assumed", assumed},
          {"issues", issues}};
}

int run_clearance(const GlobalOptions& g, const ClearanceArgs& c) {
  const auto start = std::chrono::steady_clock::now();
  const io::PipeRules rules = c.rules.empty() ? io::PipeRules{} : io::load_pipe_rules(c.rules);
  LoadedNetwork a = load_network(c.a, rules), b = load_network(c.b, rules);
  const auto read = std::chrono::steady_clock::now();
  // Both networks must share their horizontal coordinates: the GIS layers' CRS, or --crs.
  std::optional<std::string> crs = c.crs.empty() ? std::optional<std::string>() : c.crs;
  std::optional<double> unit_m;
  for (const auto* n : {&a, &b}) {
    if (!n->crs) continue;
    if (crs && !Crs::from_user_input(*crs).equivalent_to(Crs::from_user_input(*n->crs)))
      throw StrataError(ErrorCode::kCrsMismatch, "the networks are in different CRSs (" + *crs +
                                                     " and " + *n->crs +
                                                     "); reproject one of them");
    crs = n->crs;
  }
  if (crs) unit_m = Crs::from_user_input(*crs).linear_unit_m();
  if (crs && !unit_m)
    throw StrataError(ErrorCode::kCrsMismatch, *crs + " is not a projected CRS in metres or feet");
  spatial::ClearanceOptions options;
  options.unit_m = unit_m.value_or(1.0);
  options.threads = c.threads;
  const auto findings = spatial::check_clearance(a.network, b.network, rules, options);
  const auto checked = std::chrono::steady_clock::now();

  nlohmann::json list = nlohmann::json::array();
  std::int64_t clashes = 0, below = 0, on_assumed = 0;
  std::vector<io::PointRow> rows;
  for (const auto& f : findings) {
    clashes += f.clash;
    below += !f.clash;
    on_assumed += !f.assumed.empty();
    // The lists are built only for the outputs asked for: a dense network has 100,000s of pairs.
    if (!g.json && c.gpkg.empty()) continue;
    if (g.json)
      list.push_back({{"a", f.a},
                      {"b", f.b},
                      {"utility_a", std::string(utility_name(f.utility_a))},
                      {"utility_b", std::string(utility_name(f.utility_b))},
                      {"kind", f.clash ? "clash" : "clearance"},
                      {"axis_distance_m", f.axis_distance_m},
                      {"clearance_m", f.clearance_m},
                      {"required_m", f.required_m ? nlohmann::json(*f.required_m) : nullptr},
                      {"location", {f.location[0], f.location[1], f.location[2]}},
                      {"assumed", f.assumed}});
    if (c.gpkg.empty()) continue;
    std::string assumed;
    for (const auto& w : f.assumed) assumed += (assumed.empty() ? "" : ", ") + w;
    rows.push_back(
        {{f.location[0], f.location[1], f.location[2]},
         {f.a, f.b, std::string(utility_name(f.utility_a)), std::string(utility_name(f.utility_b)),
          std::string(f.clash ? "clash" : "clearance"), f.axis_distance_m, f.clearance_m,
          f.required_m ? FieldValue(*f.required_m) : FieldValue(std::monostate{}),
          assumed.empty() ? FieldValue(std::monostate{}) : FieldValue(assumed)}});
  }
  if (!c.gpkg.empty())
    io::write_points_gpkg(c.gpkg, "pipe_clearance", crs.value_or(""),
                          {{"a", FieldType::kText},
                           {"b", FieldType::kText},
                           {"utility_a", FieldType::kText},
                           {"utility_b", FieldType::kText},
                           {"kind", FieldType::kText},
                           {"axis_distance_m", FieldType::kReal},
                           {"clearance_m", FieldType::kReal},
                           {"required_m", FieldType::kReal},
                           {"assumed", FieldType::kText}},
                          rows);
  nlohmann::json result = {
      {"a", network_json(c.a.file, a)},
      {"b", network_json(c.b.file, b)},
      {"crs", crs ? nlohmann::json(*crs) : nlohmann::json(nullptr)},
      {"rules", c.rules.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.rules)},
      {"clashes", clashes},
      {"clearance_violations", below},
      {"findings_on_assumed_values", on_assumed},
      {"timings",
       {{"read_seconds", std::chrono::duration<double>(read - start).count()},
        {"check_seconds", std::chrono::duration<double>(checked - read).count()},
        {"threads", options.threads}}},
      {"findings", list}};
  if (!c.gpkg.empty()) result["gpkg"] = c.gpkg;
  std::ostringstream text;
  text << c.a.file << " (" << a.network.links.size() << " pipes) against " << c.b.file << " ("
       << b.network.links.size() << " pipes): " << clashes << " clashes, " << below
       << " clearance violations";
  if (on_assumed) text << " (" << on_assumed << " resting on assumed depths or diameters)";
  text << "\n";
  for (const auto* n : {&a, &b})
    for (const auto& i : n->issues)
      text << "  " << status_name(i.status) << " " << static_cast<int>(i.code) << " "
           << error_name(i.code) << ": " << i.message << "\n";
  emit(g, "pipes clearance", true, result, text.str());
  return kExitOk;
}

}  // namespace

Runner add_pipes(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<PipesArgs>();
  CLI::App* pipes = app.add_subcommand("pipes", "Underground pipe networks (docs/pipes.md)");
  pipes->require_subcommand(1);
  CLI::App* inspect = pipes->add_subcommand(
      "inspect", "What an EPANET or SWMM .inp file holds, read as 3D pipes in metres");
  inspect->add_option("file", a->file, "EPANET or SWMM input file (.inp)")
      ->required()
      ->check(CLI::ExistingFile);
  inspect->add_option("--crs", a->crs,
                      "CRS of the file's coordinates (the .inp format has none): drawn lengths "
                      "in metres too");
  inspect->add_flag("--links", a->links, "list every link (JSON: link_list)");

  auto c = std::make_shared<ClearanceArgs>();
  CLI::App* clearance = pipes->add_subcommand(
      "clearance", "Clashes and clearance violations between two pipe networks (capsules)");
  const std::pair<const char*, NetworkArgs*> networks[] = {{"a", &c->a}, {"b", &c->b}};
  for (const auto& [which, n] : networks) {
    const std::string w(which);
    clearance->add_option(w, n->file, "network " + w + ": an .inp file or a GIS line layer")
        ->required()
        ->check(CLI::ExistingPath);
    clearance->add_option("--" + w + "-layer", n->layer, "layer of a multi-layer dataset");
    clearance->add_option("--" + w + "-utility", n->utility,
                          "utility of every pipe (gas, petroleum, water, ...)");
    clearance->add_option("--" + w + "-utility-field", n->utility_field, "field with the utility");
    clearance->add_option("--" + w + "-id-field", n->id_field, "field with the pipe id");
    clearance->add_option("--" + w + "-diameter-field", n->diameter_field,
                          "field with the diameter");
    clearance->add_option("--" + w + "-diameter-unit", n->diameter_unit, "m (default), mm or in");
    clearance->add_option("--" + w + "-depth-field", n->depth_field,
                          "field with the cover depth (ground to the top of the pipe, m)");
  }
  clearance->add_option("--rules", c->rules,
                        "rules file (TOML): assumed depths and diameters per utility, minimum "
                        "clearances per utility pair (docs/pipes.md)");
  clearance->add_option("--crs", c->crs, "CRS of .inp coordinates (GIS layers carry theirs)");
  clearance->add_option("--gpkg", c->gpkg,
                        "write the findings as 3D points (layer pipe_clearance)");
  clearance->add_option("--threads", c->threads, "worker threads (0 = all cores)");
  return [a, c, inspect, &g]() -> int {
    return inspect->parsed() ? run_inspect(g, *a) : run_clearance(g, *c);
  };
}

}  // namespace strata::cli
