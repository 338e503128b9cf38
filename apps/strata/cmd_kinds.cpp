// strata kinds: the feature kinds and their canonical fields, for writing field mappings.
#include "commands.h"
#include "strata/engine/catalogue_job.h"

namespace strata::cli {

Runner add_kinds(CLI::App& app, const GlobalOptions& g) {
  app.add_subcommand("kinds", "List the feature kinds and their canonical fields");
  return [&g]() -> int {
    const engine::JobResult r = engine::list_kinds();
    emit(g, r.command, true, r.result, r.text);
    return kExitOk;
  };
}

}  // namespace strata::cli
