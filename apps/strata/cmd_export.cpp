// strata export: hands the store (with the analyses' results and the pipe networks of a
// project) to an export plugin under a privacy profile; with a project and no --to, runs the
// project's [[exports]].
#include "commands.h"
#include "strata/engine/export_job.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls

Runner add_export(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<ExportOptions>();
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
  sub->add_option("--allow-attribute", a->allow_attributes,
                  "let this source attribute out under a non-bureau profile (repeatable); only "
                  "strata's own fields leave otherwise, and names that look personal never do");
  sub->add_option("--results", a->results,
                  "add the layers of this result GeoPackage (repeatable; a project adds "
                  "indicators.gpkg and pipes/*.gpkg itself)");
  sub->add_flag("--no-results", a->no_results, "leave out the project's result GeoPackages");
  sub->add_flag("--no-pipes", a->no_pipes, "leave out the project's pipe networks");
  sub->add_option("--plugin-dir", a->plugin_dirs,
                  "load the plugins of this directory (repeatable)");

  return [a, &g]() -> int {
    const JobResult r = run_export_job(*a);
    if (!g.quiet && r.result.contains("plugin_failures"))
      for (const auto& f : r.result["plugin_failures"])
        std::cerr << "strata export: plugin not loaded (980 PLUGIN_LOAD): "
                  << f["path"].get<std::string>() << ": " << f["message"].get<std::string>()
                  << "\n";
    emit(g, r.command, !r.failure, r.result, r.text);
    return r.failure ? exit_code_for(*r.failure) : kExitOk;
  };
}

}  // namespace strata::cli
