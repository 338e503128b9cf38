// `strata query at` and `strata query units`: arguments to the engine's 3D queries
// (engine/query_3d_job.h).
#include "cmd_query_3d.h"

#include "strata/engine/query_3d_job.h"

namespace strata::cli {

void add_query_3d(CLI::App* query, const std::shared_ptr<Query3dArgs>& a) {
  a->at = query->add_subcommand("at", "building, unit, rights, parcel and zone at a 3D point");
  a->at->add_option("x", a->options.x, "easting (or longitude with --crs)")->required();
  a->at->add_option("y", a->options.y, "northing (or latitude)")->required();
  a->at->add_option("z", a->options.z, "height in the model's vertical reference")->required();
  a->at->add_option("--model", a->options.model,
                    "the ownership model (CityJSON written by units build); default: the model "
                    "saved in --store");
  a->at->add_option("--crs", a->options.crs, "CRS of X Y (default: the model's)");
  a->at->add_option("--store", a->options.store,
                    "store with parcels and zoning, for the land at X Y");
  a->units =
      query->add_subcommand("units", "units of a party, of a building number, or over a parcel");
  a->units->add_option("--model", a->options.model,
                       "the ownership model; default: the one saved in --store");
  auto* p =
      a->units->add_option("--party", a->options.party, "party id (as in the model's rights)");
  auto* b = a->units->add_option("--baunit", a->options.baunit,
                                 "building number (建號): volume and floor area");
  auto* l = a->units->add_option("--parcel", a->options.parcel,
                                 "parcel '<地段> <地號>': units above and below it (registered on "
                                 "it; with --store, every unit standing on its polygon)");
  a->units->add_option("--store", a->options.store, "store with the parcel layer, for --parcel");
  a->units->callback([p, b, l] {
    if (p->count() + b->count() + l->count() != 1)
      throw CLI::ValidationError("give one of --party, --baunit, --parcel");
  });
}

std::optional<int> run_query_3d(const GlobalOptions& g, const Query3dArgs& a) {
  engine::JobResult r;
  if (a.at && a.at->parsed())
    r = engine::run_query_at(a.options);
  else if (a.units && a.units->parsed())
    r = engine::run_query_units(a.options);
  else
    return std::nullopt;
  emit(g, r.command, true, r.result, r.text);
  return r.nothing_found ? kExitNotFound : kExitOk;
}

}  // namespace strata::cli
