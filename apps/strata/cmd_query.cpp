// strata query zone-at | district-at | parcel-at X Y [--crs ...]: what covers a point
// (engine/query_2d_job.h); `query at` and `query units` in cmd_query_3d.cpp.
#include "cmd_query_3d.h"
#include "commands.h"
#include "strata/engine/query_2d_job.h"

namespace strata::cli {

Runner add_query(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<engine::PointQueryOptions>();
  CLI::App* sub = app.add_subcommand("query", "Spatial queries on the store");
  sub->require_subcommand(1);
  for (const auto& v : engine::point_query_verbs()) {
    CLI::App* q = sub->add_subcommand(v.name, v.help);
    auto* xo = q->add_option("x", a->x, "easting or longitude");
    auto* yo = q->add_option("y", a->y, "northing or latitude");
    auto* po = q->add_option("--points", a->points,
                             "CSV file with columns x,y (and optional id): one answer per row");
    xo->excludes(po);
    yo->excludes(po);
    q->callback([xo, yo, po] {
      if (po->count() == 0 && (xo->count() == 0 || yo->count() == 0))
        throw CLI::ValidationError("give X Y, or --points FILE");
    });
    q->add_option("--crs", a->crs,
                  "CRS of X Y (default: the store's); EPSG:4326 takes longitude then latitude");
    q->add_option("--store", a->store, "store (.gpkg) or project file (.toml)")->required();
    q->fallthrough();
  }
  auto a3 = std::make_shared<Query3dArgs>();
  add_query_3d(sub, a3);
  sub->footer(
      "Example:\n  strata query zone-at 120.4862 22.8870 --crs EPSG:4326 --store "
      "out/strata.gpkg\n  strata query at 85000.5 447500.2 4.5 --model units.city.json\n");

  return [a, a3, sub, &g]() -> int {
    if (auto code = run_query_3d(g, *a3)) return *code;
    for (const auto& v : engine::point_query_verbs())
      if (sub->got_subcommand(v.name)) a->verb = v.name;
    const engine::JobResult r = engine::run_point_query(*a);
    emit(g, r.command, true, r.result, r.text);
    return r.nothing_found ? kExitNotFound : kExitOk;
  };
}

}  // namespace strata::cli
