#pragma once
// `strata query at X Y Z` and `strata query units`: questions on the 3D ownership model written
// by `units build` (a CityJSON file, or the model saved in a store), answered from a 3D R-tree.
#include <string>

#include "strata/engine/job_result.h"

namespace strata::engine {

struct Query3dOptions {
  double x = 0, y = 0, z = 0;         // query at: the point (in `crs`, default the model's)
  std::string model;                  // CityJSON model; "" = the model saved in `store`
  std::string crs;                    // CRS of x y
  std::string store;                  // store or project: parcels and zoning, and the saved model
  std::string party, baunit, parcel;  // query units: exactly one of them
};

// The building, storey, units (with rights) and land at the point; `nothing_found` when no
// volume holds it.
JobResult run_query_at(const Query3dOptions& options);
// The units of a party, of a building number (建號) or over a parcel, with floor area and
// volume; `nothing_found` when none.
JobResult run_query_units(const Query3dOptions& options);

}  // namespace strata::engine
