#pragma once
// `strata query zone-at | district-at | parcel-at` as a job: which polygons of a store cover a
// point, or each point of a CSV file (x/lon, y/lat and an optional id column).
#include <string>
#include <vector>

#include "strata/engine/job_result.h"

namespace strata::engine {

struct PointQueryVerb {
  std::string name, help;
  std::vector<std::string> kinds;  // the layer kinds asked
};
const std::vector<PointQueryVerb>& point_query_verbs();

struct PointQueryOptions {
  std::string verb;     // "zone-at", "district-at", "parcel-at"
  double x = 0, y = 0;  // the point (in `crs`, default the store's)
  std::string crs;
  std::string store;   // store or project
  std::string points;  // a CSV of points instead of x y
};

// The features covering the point (`nothing_found` when none, with a note saying why when it
// can tell), or one answer per row of `points`.
JobResult run_point_query(const PointQueryOptions& options);

}  // namespace strata::engine
