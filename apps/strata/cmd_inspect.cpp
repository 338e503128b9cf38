// strata inspect FILE: what a city model file holds (engine/inspect_job.h).
#include "commands.h"
#include "strata/engine/inspect_job.h"

namespace strata::cli {

Runner add_inspect(CLI::App& app, const GlobalOptions& g) {
  auto path = std::make_shared<std::string>();
  auto crs = std::make_shared<std::string>();
  CLI::App* sub =
      app.add_subcommand("inspect", "Summarise a city model file (CityJSON, CityJSONSeq, CityGML)");
  sub->add_option("file", *path, "a .city.json, .city.jsonl or .gml file")->required();
  sub->add_option("--crs", *crs,
                  "CRS of a CityGML file whose srsName strata cannot resolve (read in its official "
                  "axis order), e.g. EPSG:31468");

  return [path, crs, &g]() -> int {
    const engine::JobResult r = engine::run_inspect(*path, *crs);
    emit(g, r.command, true, r.result, r.text);
    if (r.result["rejected"].get<std::int64_t>() > 0 || (g.strict && r.warnings))
      return kExitInputData;
    return kExitOk;
  };
}

}  // namespace strata::cli
