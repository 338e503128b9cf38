// strata units build | generate: the 3D building-ownership model (engine/units_job.h). `build`
// joins a building registry to building footprints, `generate` derives units from heights.
#include "commands.h"
#include "option_binding.h"
#include "strata/engine/units_job.h"

namespace strata::cli {

Runner add_units(CLI::App& app, const GlobalOptions& g) {
  auto build = std::make_shared<engine::UnitsOptions>();
  auto gen = std::make_shared<engine::UnitsOptions>();
  gen->generate = true;
  CLI::App* units =
      app.add_subcommand("units", "The 3D building-ownership model (registered units)");
  units->require_subcommand(1);
  CLI::App* b = units->add_subcommand(
      "build",
      "Registered units as 3D legal spaces from a registry and footprints, with 8xx checks");
  CLI::App* gsub = units->add_subcommand(
      "generate",
      "Storeys and units derived from building heights (no registry), marked generated");
  for (auto [sub, options] : {std::pair{b, build.get()}, std::pair{gsub, gen.get()}}) {
    sub->add_option("footprints", options->footprints.path, "building footprints (any OGR source)")
        ->required();
    bind_options(sub, engine::units_option_schema(options->generate), *options);
  }
  return [build, gen, b, &g]() -> int {
    const engine::JobResult r = engine::run_units(b->parsed() ? *build : *gen);
    emit(g, r.command, true, r.result, r.text);
    if (r.findings) return kExitInvalid;
    // --strict: a registry row or footprint rejected fails the command (the model is written).
    return g.strict && r.warnings ? kExitInputData : kExitOk;
  };
}

}  // namespace strata::cli
