#include "pipes_project.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "commands.h"
#include "pipe_inputs.h"

namespace strata::cli {
namespace {

std::string option_name(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return "--" + key;
}

// The command line of one analysis, as `strata pipes <kind> ...` would take it.
std::vector<std::string> command_line(const io::Project& p, const io::PipeAnalysisSpec& a,
                                      const std::filesystem::path& gpkg) {
  std::vector<std::string> args = {"pipes", a.kind};
  std::vector<const io::PipeNetworkSpec*> nets;
  for (const auto& name : a.networks)
    for (const auto& n : p.pipes->networks)
      if (n.name == name) nets.push_back(&n);
  auto fail = [&](const std::string& what) {
    return StrataError(ErrorCode::kProjectFile, p.file.string() + ":" + std::to_string(a.line) +
                                                    ": [[pipes.analyses]] " + a.name + ": " + what);
  };
  if (a.kind == "clearance") {
    if (nets.size() > 2) throw fail("clearance compares one or two networks");
    const char* prefix[] = {"a", "b"};
    for (std::size_t i = 0; i < nets.size(); ++i) {
      args.push_back(nets[i]->file.string());
      for (const auto& [k, v] : nets[i]->options)
        args.insert(args.end(), {"--" + std::string(prefix[i]) + option_name(k).substr(1), v});
    }
  } else {
    for (const auto* n : nets) args.push_back(n->file.string());
    // Each network option once per network, in order ('' where a network lacks it).
    std::set<std::string> keys;
    for (const auto* n : nets)
      for (const auto& [k, v] : n->options) keys.insert(k);
    for (const auto& k : keys)
      for (const auto* n : nets) {
        std::string value;
        for (const auto& [nk, nv] : n->options)
          if (nk == k) value = nv;
        args.insert(args.end(), {option_name(k), value});
      }
  }
  const bool takes_ground = a.kind != "isolate" && a.kind != "parcels";
  for (const auto& [k, v] : p.pipes->settings) {
    if ((k == "dem" || k == "ground_z") && !takes_ground) continue;
    args.insert(args.end(), {option_name(k), v});
  }
  for (const auto& [k, v] : a.options) args.insert(args.end(), {option_name(k), v});
  args.insert(args.end(), {"--gpkg", gpkg.string()});
  return args;
}

// Parses (and, with `run`, runs) one analysis; the result comes back through `capture`.
void invoke(const io::Project& p, const io::PipeAnalysisSpec& a, bool run, nlohmann::json& result,
            std::string& text) {
  const auto dir = p.output / "pipes";
  std::vector<std::string> args = command_line(p, a, dir / (a.name + ".gpkg"));
  GlobalOptions g;
  g.json = true;
  g.quiet = true;
  g.capture = [&](const nlohmann::json& r, const std::string& t) {
    result = r;
    text = t;
  };
  CLI::App app{"strata"};
  Runner runner = add_pipes(app, g);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw StrataError(ErrorCode::kProjectFile, p.file.string() + ":" + std::to_string(a.line) +
                                                   ": [[pipes.analyses]] " + a.name + " (" +
                                                   a.kind + "): " + e.what());
  }
  if (!run) return;
  std::filesystem::create_directories(dir);
  runner();
}

}  // namespace

void check_project_pipes(const io::Project& project) {
  if (!project.pipes) return;
  for (const auto& a : project.pipes->analyses) {
    nlohmann::json unused;
    std::string text;
    invoke(project, a, false, unused, text);
  }
}

nlohmann::json run_project_pipes(const io::Project& project, std::string& text) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& a : project.pipes->analyses) {
    nlohmann::json result;
    std::string lines;
    invoke(project, a, true, result, lines);
    const auto json_path = project.output / "pipes" / (a.name + ".json");
    {
      // Written to a temporary name and renamed, so a reader never sees half a result.
      auto tmp = json_path;
      tmp += ".tmp";
      std::ofstream f(tmp);
      f << result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      f.close();
      if (!f) throw StrataError(ErrorCode::kInvalidInputFile, "cannot write " + tmp.string());
      std::filesystem::rename(tmp, json_path);
    }
    nlohmann::json entry = {{"kind", a.kind}, {"json", json_path.string()}};
    if (result.contains("gpkg")) entry["gpkg"] = result["gpkg"];
    // The headline counts of each kind, for the summary.
    for (const char* key : {"clashes", "clearance_violations", "hits", "length_shallow_m",
                            "length_above_ground_m", "records_not_detected", "records_deviating",
                            "undocumented_count", "pipes_under_buildings", "through_basements",
                            "without_easement_m", "isolated_length_m", "cut_off_length_m"})
      if (result.contains(key)) entry[key] = result[key];
    out[a.name] = entry;
    text += "  " + a.name + " (" + a.kind + "): " + lines.substr(0, lines.find('\n')) + "\n";
  }
  return out;
}

std::vector<ProjectNetwork> load_project_networks(const io::Project& project) {
  std::vector<ProjectNetwork> out;
  if (!project.pipes) return out;
  for (const auto& spec : project.pipes->networks) {
    NetworkArgs net;
    PipeSettings settings;
    CLI::App app{"network"};
    add_network_options(&app, "", net);
    add_settings_options(&app, settings, true);
    std::vector<std::string> args;
    for (const auto& [k, v] : spec.options) args.insert(args.end(), {option_name(k), v});
    for (const auto& [k, v] : project.pipes->settings) args.insert(args.end(), {option_name(k), v});
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app.parse(reversed);
    } catch (const CLI::ParseError& e) {
      throw StrataError(ErrorCode::kProjectFile,
                        project.file.string() + ":" + std::to_string(spec.line) +
                            ": [[pipes.networks]] " + spec.name + ": " + e.what());
    }
    net.file = spec.file.string();
    PipeInputs inputs = load_pipe_inputs({net}, settings);
    out.push_back({spec.name, net.file, std::move(inputs.networks.front().network), inputs.crs});
  }
  return out;
}

}  // namespace strata::cli
