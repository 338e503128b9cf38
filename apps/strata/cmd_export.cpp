// strata export: hands the store (with the analyses' results and the pipe networks of a
// project) to an export plugin under a privacy profile; with a project and no --to, runs the
// project's [[exports]].
#include <sstream>

#include "commands.h"
#include "strata/engine/export_job.h"
#include "strata/engine/store_access.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls

Runner add_export(CLI::App& app, const GlobalOptions& g) {
  struct Args {
    std::string target, to, out, profile = "planner";
    std::vector<std::string> options, layers, results, dirs, allow;
    bool no_results = false, no_pipes = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "export", "Write the model with an export plugin (GeoPackage for QGIS, CityJSON, DXF, ...)");
  sub->add_option("store", a->target,
                  "store (.gpkg) or project file (.toml); none: export --results alone");
  sub->add_option("--to", a->to,
                  "export plugin, e.g. writers.gpkg (`strata plugins list`); without it, a "
                  "project's [[exports]] run");
  sub->add_option("--out", a->out, "file (or folder) to write; default <output>/exports/<name>");
  sub->add_option("--profile", a->profile,
                  "privacy profile: public | planner (default) | engineer | bureau; only "
                  "bureau carries party names and identity numbers");
  sub->add_option("-o,--option", a->options, "plugin option NAME=VALUE (repeatable)");
  sub->add_option("--layer", a->layers, "export only this store layer (repeatable)");
  sub->add_option("--allow-attribute", a->allow,
                  "let this source attribute out under a non-bureau profile (repeatable); only "
                  "strata's own fields leave otherwise, and names that look personal never do");
  sub->add_option("--results", a->results,
                  "add the layers of this result GeoPackage (repeatable; a project adds "
                  "indicators.gpkg and pipes/*.gpkg itself)");
  sub->add_flag("--no-results", a->no_results, "leave out the project's result GeoPackages");
  sub->add_flag("--no-pipes", a->no_pipes, "leave out the project's pipe networks");
  sub->add_option("--plugin-dir", a->dirs, "load the plugins of this directory (repeatable)");

  return [a, &g]() -> int {
    const bool project_file = !a->target.empty() && is_project_file(a->target);
    std::optional<io::Project> project;
    if (project_file) project = io::load_project(a->target);
    if (a->target.empty() && a->results.empty())
      throw StrataError(ErrorCode::kWrongInputParameters,
                        "give a store, a project file or --results FILE.gpkg");
    std::unique_ptr<io::Store> store;
    if (!a->target.empty()) store = open_store_arg(a->target);
    std::ostringstream text;

    if (a->to.empty()) {
      if (!project)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          "--to is needed with a store (only a project file has [[exports]])");
      if (project->exports.empty())
        throw StrataError(ErrorCode::kWrongInputParameters,
                          project->file.string() + " has no [[exports]]; give --to");
      for (const auto& d : a->dirs) project->plugin_paths.emplace_back(d);
      std::string lines;
      std::optional<ErrorCode> failed;
      InputCache inputs;  // the networks read once for all exports
      nlohmann::json exports =
          run_project_exports(*project, *store, project_results(*project), &inputs, lines, failed);
      emit(g, "export", !failed, {{"exports", exports}},
           "exports of " + project->name + ":\n" + lines);
      return failed ? exit_code_for(*failed) : kExitOk;
    }

    ExportJob job;
    job.to = a->to;
    job.profile = profile_arg(a->profile);
    job.layers = a->layers;
    job.allow_attributes = a->allow;
    for (const auto& o : a->options) {
      const auto eq = o.find('=');
      if (eq == std::string::npos || eq == 0)
        throw StrataError(ErrorCode::kWrongInputParameters,
                          "--option " + o + ": expected NAME=VALUE");
      job.options[o.substr(0, eq)] = o.substr(eq + 1);
    }
    for (const auto& r : a->results) job.results.emplace_back(r);
    if (project && !a->no_results) {
      auto more = project_results(*project);
      job.results.insert(job.results.end(), more.begin(), more.end());
    }
    job.pipes = !a->no_pipes;
    job.title = project ? project->name
                : store ? store->path().filename().string()
                        : std::filesystem::path(a->results.front()).filename().string();
    std::vector<std::filesystem::path> dirs(a->dirs.begin(), a->dirs.end());
    if (project)
      dirs.insert(dirs.end(), project->plugin_paths.begin(), project->plugin_paths.end());
    plugins::PluginRegistry registry = load_plugins(dirs);
    for (const auto& f : registry.failures())
      if (!g.quiet)
        std::cerr << "strata export: plugin not loaded (980 PLUGIN_LOAD): " << f.path << ": "
                  << f.message << "\n";
    if (!a->out.empty()) {
      job.output = a->out;
    } else if (project) {
      if (auto* plugin = registry.find(job.to))
        job.output = default_export_path(project->output / "exports", *plugin);
    }
    if (job.output.empty())
      throw StrataError(ErrorCode::kWrongInputParameters, "--out is needed with a store");
    nlohmann::json result = run_export(registry, store.get(), project ? &*project : nullptr, job);
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& f : registry.failures())
      failures.push_back({{"path", f.path}, {"message", f.message}, {"code", 980}});
    result["plugin_failures"] = failures;
    text << job.to << " (" << a->profile << ") -> " << job.output.string() << "\n";
    for (const auto& l : result["layers"])
      text << "  " << l["name"].get<std::string>() << ": " << l["features"] << " features\n";
    if (!result["layers_withheld"].empty())
      text << "  left out by the " << a->profile << " profile: " << result["layers_withheld"].dump()
           << "\n";
    if (result["values_withheld"].get<int>() > 0)
      text << "  attribute values withheld by the profile: " << result["values_withheld"] << " ("
           << result["attributes_withheld"].size()
           << " names; allow one with --allow-attribute NAME: " <<
          [&] {
            std::string names;
            std::size_t k = 0;
            for (const auto& n : result["attributes_withheld"]) {
              if (k++ == 8) {
                names += ", ...";
                break;
              }
              names += (names.empty() ? "" : ", ") + n.get<std::string>();
            }
            return names;
          }()
           << ")\n";
    emit(g, "export", true, result, text.str());
    return kExitOk;
  };
}

}  // namespace strata::cli
