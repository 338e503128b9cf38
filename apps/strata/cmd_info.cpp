// strata info: what a store holds, or the linked libraries' versions (engine/info_job.h).
#include "commands.h"
#include "strata/engine/info_job.h"

namespace strata::cli {

Runner add_info(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<engine::InfoOptions>();
  CLI::App* sub = app.add_subcommand("info", "Show a store's layers, provenance and import report");
  sub->add_option("store", a->target, "store (.gpkg) or project file (.toml)");
  sub->add_flag("--libraries", a->libraries, "print the versions of the linked libraries");
  sub->add_flag("--issues", a->issues,
                "list the import report (imported with notes, repaired, rejected)");
  sub->add_option("--layer", a->layer, "restrict --issues to one layer");
  sub->add_option("--limit", a->limit, "at most this many issues in text output (default 50)");

  return [a, &g]() -> int {
    const engine::JobResult r = engine::run_info(*a);
    emit(g, r.command, true, r.result, r.text);
    return kExitOk;
  };
}

}  // namespace strata::cli
