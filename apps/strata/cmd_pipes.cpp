// strata pipes inspect FILE: what a network file holds, read as the pipe analyses will read it
// (nodes, links, diameters, declared and drawn lengths, inverts and cover), with every element
// that could not be read reported (docs/pipes.md).
#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>

#include "commands.h"
#include "option_binding.h"
#include "strata/core/crs.h"
#include "strata/engine/pipe_analyses.h"
#include "strata/io/json_report.h"
#include "strata/io/network_inp.h"

namespace strata::cli {
namespace {

using engine::optional_json;

struct PipesArgs {
  std::string file;
  std::string crs;
  bool links = false;
};

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

// `strata pipes <kind>`: the analysis's networks, settings and own options as flags, then the
// engine's job, printed.
Runner add_pipe_analysis(CLI::App& pipes, const engine::PipeAnalysis& kind,
                         const GlobalOptions& g) {
  CLI::App* cmd = pipes.add_subcommand(kind.kind, kind.summary);
  std::shared_ptr<engine::PipeJob> job = kind.make();
  struct Networks {
    NetworkListBinding list;
    engine::NetworkOptions a, b;  // clearance: network a and (optionally) b
  };
  auto nets = std::make_shared<Networks>();
  const bool pair = kind.networks == engine::NetworkCount::kOneOrTwo;
  if (pair) {
    for (auto [which, n] : {std::pair{"a", &nets->a}, std::pair{"b", &nets->b}}) {
      const std::string w(which);
      auto* opt = cmd->add_option(w, n->file,
                                  "network " + w + ": an .inp file or a GIS line layer" +
                                      (w == "b" ? " (none: a's pipes against each other)" : ""))
                      ->check(CLI::ExistingPath);
      if (w == "a") opt->required();
      bind_options(cmd, engine::network_option_schema(), *n, w + "-");
    }
  } else {
    nets->list.bind(cmd);
  }
  for (const auto& info : kind.options)
    bind_option(cmd, info, "--" + info.name,
                [job, name = info.name](const std::string& v) { job->set(name, v); });
  bind_options(cmd, engine::settings_option_schema(kind.ground), job->inputs().settings);
  cmd->add_option("--gpkg", job->inputs().gpkg, kind.gpkg_help);
  return [job, nets, pair, &g]() -> int {
    auto& networks = job->inputs().networks;
    if (pair)
      networks = nets->b.file.empty() ? std::vector{nets->a} : std::vector{nets->a, nets->b};
    else
      networks = nets->list.resolve();
    const engine::JobResult r = job->run();
    if (r.list_key.empty())
      emit(g, r.command, true, r.result, r.text);
    else
      emit_with_list(g, r.command, true, r.result, r.list_key, r.list_size, r.list_item, r.text);
    // --strict: a warning (a network read around a problem, valves shut) fails the command.
    return g.strict && r.warnings ? kExitInputData : kExitOk;
  };
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

  // Every analysis of the engine's registry, its flags bound to its option schema.
  std::vector<std::pair<CLI::App*, Runner>> analyses;
  for (const auto& kind : engine::pipe_analyses())
    analyses.emplace_back(nullptr, add_pipe_analysis(*pipes, kind, g));
  for (std::size_t i = 0; i < analyses.size(); ++i)
    analyses[i].first = pipes->get_subcommand(engine::pipe_analyses()[i].kind);
  return [a, inspect, analyses, &g]() -> int {
    if (inspect->parsed()) return run_inspect(g, *a);
    for (const auto& [cmd, run] : analyses)
      if (cmd->parsed()) return run();
    return kExitUsage;
  };
}

}  // namespace strata::cli
