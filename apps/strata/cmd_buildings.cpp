// strata buildings extrude FOOTPRINTS --out FILE.city.json: LoD1 block models from 2D building
// footprints (engine/extrude_job.h).
#include "commands.h"
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
  sub->add_option("--layer", a->layer, "layer of a multi-layer source");
  sub->add_option("--out", a->out, "CityJSON file to write")->required();
  sub->add_option("--id-field", a->id_field, "field with the building id (default: fid)");
  auto* hf = sub->add_option("--height-field", a->height_field,
                             "field with the height above the base (m)");
  auto* sf = sub->add_option("--storeys-field", a->storeys_field,
                             "field with the number of storeys above ground");
  auto* hc =
      sub->add_option("--height", a->height, "one height above the base for every building (m)")
          ->check(CLI::PositiveNumber);
  hf->excludes(sf)->excludes(hc);
  sf->excludes(hc);
  sub->add_option("--storey-height", a->storey_height,
                  "height of one storey with --storeys-field (m)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* bf =
      sub->add_option("--base-field", a->base_field, "field with the ground height (m); default 0");
  auto* tr = sub->add_option("--terrain", a->terrain,
                             "terrain raster (GeoTIFF DEM, same CRS): base = lowest ground height "
                             "at the footprint's vertices")
                 ->check(CLI::ExistingFile);
  bf->excludes(tr);
  sub->add_option("--crs", a->crs, "CRS of the footprints when the file declares none");
  sub->add_option("--lod", a->lod, "LoD written in the file")->capture_default_str();

  return [a, &g]() -> int {
    const engine::JobResult r = engine::run_extrude(*a);
    emit(g, r.command, true, r.result, r.text);
    return kExitOk;  // rejections are reported, as by import
  };
}

}  // namespace strata::cli
