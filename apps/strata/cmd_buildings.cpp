// strata buildings extrude FOOTPRINTS --out FILE.city.json: LoD1 block models from 2D building
// footprints (engine/extrude_job.h).
#include "commands.h"
#include "option_binding.h"
#include "strata/engine/extrude_job.h"

namespace strata::cli {

Runner add_buildings(CLI::App& app, const GlobalOptions& g) {
  auto a = std::make_shared<engine::ExtrudeOptions>();
  CLI::App* buildings = app.add_subcommand("buildings", "Build 3D buildings");
  buildings->require_subcommand(1);
  CLI::App* sub = buildings->add_subcommand(
      "extrude",
      "LoD1 block models from 2D footprints (height, storeys or constant) as CityJSON 2.0");
  sub->add_option("footprints", a->footprints, "footprint polygons (any OGR source)")->required();
  // One schema for the flags and Python's keywords; options that exclude each other are the
  // engine's check (903).
  bind_options(sub, engine::extrude_option_schema(), *a);

  return [a, &g]() -> int {
    const engine::JobResult r = engine::run_extrude(*a);
    emit(g, r.command, true, r.result, r.text);
    return kExitOk;  // rejections are reported, as by import
  };
}

}  // namespace strata::cli
