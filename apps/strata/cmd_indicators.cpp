// strata indicators PROJECT: the urban indicators of the project's [indicators] section, per
// district and city-wide, from the existing store (strata run imports first and then computes
// them too). Writes JSON, CSV, Markdown and a GeoPackage layer of districts (docs/indicators.md).
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

#include "commands.h"
#include "strata/core/clock.h"
#include "strata/engine/indicators_job.h"
#include "strata/engine/store_access.h"
#include "strata/io/indicator_table.h"
#include "strata/spatial/indicators.h"

namespace strata::cli {

using namespace strata::engine;  // the jobs this command calls

Runner add_indicators(CLI::App& app, const GlobalOptions& g) {
  struct Args {
    std::string project, out;
    int threads = 0;
  };
  auto a = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "indicators",
      "Urban indicators per district and village (ISO 37120 21.1 green area, 21.2 trees, 21.3 "
      "informal settlements, 13.1/13.2 recreation space, 18.7 bicycle paths, 15.3 households "
      "without title, permeable paving) from the project's store");
  sub->add_option("project", a->project, "project file (.toml) with an [indicators] section")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out", a->out, "output folder (default: the project's output folder)");
  sub->add_option("--threads", a->threads, "worker threads (0 = all cores)")->capture_default_str();
  return [a, &g]() -> int {
    io::Project project = io::load_project(a->project);
    if (!std::filesystem::exists(project.store))
      throw StrataError(ErrorCode::kStoreError,
                        project.store.string() +
                            ": the project's store does not exist yet; run strata run " +
                            a->project + " (or strata import) first");
    auto store = open_store_arg(a->project);
    std::string text;
    nlohmann::json result = engine::compute_and_write_indicators(
        project, *store, a->out.empty() ? project.output : std::filesystem::path(a->out),
        a->threads, text);
    emit(g, "indicators", true, result, "indicators of " + project.name + "\n" + text);
    // --strict: a warning (districts without population, parts outside every district, an
    // empty selection) means some figure is not what it claims; the files are still written.
    if (g.strict && result.contains("warnings") && !result["warnings"].empty())
      return kExitInputData;
    return kExitOk;
  };
}

}  // namespace strata::cli
