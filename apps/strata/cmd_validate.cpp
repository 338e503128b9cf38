// strata validate FILE: geometric validation of 3D city objects and meshes with val3dity's
// error codes (engine/validate_job.h).
#include "commands.h"
#include "option_binding.h"
#include "strata/engine/validate_job.h"

namespace strata::cli {

Runner add_validate(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<engine::ValidateOptions>();
  CLI::App* sub = app.add_subcommand(
      "validate",
      "Validate 3D geometry with val3dity's error codes (CityJSON, CityGML, poly/off/obj)");
  sub->add_option("file", a->file, "the file to validate")->required();
  bind_options(sub, engine::validate_option_schema(), *a, "", /*underscore_aliases=*/true);

  return [a, &g]() -> int {
    const engine::JobResult r = engine::run_validate(*a);
    emit(g, r.command, !r.failure, r.result, r.text);
    if (r.failure || (g.strict && r.warnings)) return kExitInputData;
    return r.findings ? kExitInvalid : kExitOk;
  };
}

}  // namespace strata::cli
